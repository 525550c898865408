/**
 * Typed errors of the VM. Match them by `err.name` (they cross Worker
 * boundaries as `{ name, message }`). Every job failure a worker can report
 * is one of these; `JobModuleError` means the job itself is unusable.
 */

/** The job ran out of fuel (deterministic) or wall time (not deterministic). */
export class JobTimeoutError extends Error {
  static override readonly name = 'JobTimeoutError'
  override readonly name = 'JobTimeoutError'
  /** Which limit stopped it. */
  readonly limit: 'fuel' | 'wallMs'
  constructor (message: string, limit: 'fuel' | 'wallMs', options?: ErrorOptions) {
    super(message, options)
    this.limit = limit
  }
}

/** The job asked for more memory than `limits.memoryBytes`. */
export class JobMemoryError extends Error {
  static override readonly name = 'JobMemoryError'
  override readonly name = 'JobMemoryError'
  constructor (message: string, options?: ErrorOptions) { super(message, options) }
}

/** The job's output is longer than `limits.outputBytes` (or not where the ABI says). */
export class JobOutputError extends Error {
  static override readonly name = 'JobOutputError'
  override readonly name = 'JobOutputError'
  constructor (message: string, options?: ErrorOptions) { super(message, options) }
}

/** The job trapped: WASM trap, AssemblyScript abort, uncaught JavaScript exception, stack overflow. */
export class JobTrapError extends Error {
  static override readonly name = 'JobTrapError'
  override readonly name = 'JobTrapError'
  constructor (message: string, options?: ErrorOptions) { super(message, options) }
}

/** The job's module is not valid WASM, breaks the job ABI, or uses an instruction jobs may not use. */
export class JobModuleError extends Error {
  static override readonly name = 'JobModuleError'
  override readonly name = 'JobModuleError'
  constructor (message: string, options?: ErrorOptions) { super(message, options) }
}

/** Names of the errors a job run can end with (what quorum compares on failure). */
export const JOB_ERROR_NAMES = ['JobTimeoutError', 'JobMemoryError', 'JobOutputError', 'JobTrapError', 'JobModuleError'] as const
export type JobErrorName = typeof JOB_ERROR_NAMES[number]
