/**
 * Typed errors shared by every HyperMesh module. Match them by `err.name`
 * (they survive structured clone and module duplication that way).
 * @module
 */

/** Bytes that do not decode: truncated, over a length bound, bad tag, bad checksum. */
export class DecodeError extends Error {
  static override readonly name = 'DecodeError'
  override readonly name = 'DecodeError'
  constructor (message: string, options?: ErrorOptions) { super(message, options) }
}

/** A value given to an encoder or API that is outside what it accepts. */
export class InvalidArgumentError extends Error {
  static override readonly name = 'InvalidArgumentError'
  override readonly name = 'InvalidArgumentError'
  constructor (message: string, options?: ErrorOptions) { super(message, options) }
}

/** Work stopped because its AbortSignal fired. */
export class AbortError extends Error {
  static override readonly name = 'AbortError'
  override readonly name = 'AbortError'
  constructor (message = 'The operation was aborted', options?: ErrorOptions) { super(message, options) }
}

/** A kernel implementation could not load or failed its self-test. */
export class KernelUnavailableError extends Error {
  static override readonly name = 'KernelUnavailableError'
  override readonly name = 'KernelUnavailableError'
  constructor (message: string, options?: ErrorOptions) { super(message, options) }
}

/** Throws AbortError if `signal` has fired. */
export function throwIfAborted (signal?: AbortSignal): void {
  if (signal?.aborted === true) throw new AbortError(undefined, { cause: signal.reason })
}
