/**
 * Runs any job in the calling thread and turns the result or failure into a
 * comparable outcome for quorum. Fuel and memory limits hold here; wall time
 * holds for JavaScript jobs here and for WASM jobs only in a worker runner.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import type { Job } from './job.ts'
import { runWasmJob, type JobResult } from './run-wasm.ts'
import { runJsJob } from './run-js.ts'
import { JOB_ERROR_NAMES, type JobErrorName } from './errors.ts'

/** Runs `job` (WASM or JavaScript). Rejects with a Job*Error. */
export async function runJob (job: Job): Promise<JobResult> {
  if (job.module.type === 'wasm') return runWasmJob(job.module.value, job.input, job.limits)
  return runJsJob(job.module.value, job.input, job.limits)
}

/** What a worker reports for a job: the output's digest, or the error's name. */
export type JobOutcome =
  | { ok: true, output: Uint8Array, fuelUsed: bigint }
  | { ok: false, error: JobErrorName, message: string }

/** Runs `job` and never rejects for job failures (only Job*Errors are folded in; anything else is a host bug and rethrown). */
export async function runJobOutcome (job: Job): Promise<JobOutcome> {
  try {
    const r = await runJob(job)
    return { ok: true, output: r.output, fuelUsed: r.fuelUsed }
  } catch (err) {
    const name = (err as Error | null)?.name
    if ((JOB_ERROR_NAMES as readonly string[]).includes(name as string)) return { ok: false, error: name as JobErrorName, message: (err as Error).message }
    throw err
  }
}

const enc = new TextEncoder()

/**
 * The 32 bytes workers vote with: SHA-256(0x00 ‖ output) for a result,
 * SHA-256(0x01 ‖ error name) for a failure (messages are not compared).
 */
export function outcomeDigest (o: JobOutcome): Uint8Array {
  if (o.ok) {
    const b = new Uint8Array(1 + o.output.length)
    b.set(o.output, 1)
    return sha256(b)
  }
  const n = enc.encode(o.error)
  const b = new Uint8Array(1 + n.length)
  b[0] = 1
  b.set(n, 1)
  return sha256(b)
}
