/**
 * Node-only: runs a job in its own worker thread and terminates the thread
 * at `limits.wallMs` (or when `signal` fires). This is the runner that
 * enforces wall time for WASM jobs; fuel and memory limits hold inside the
 * worker as everywhere. One thread per job (~tens of ms to start): a pool
 * that reuses threads belongs to the host.
 */
import { Worker } from 'node:worker_threads'
import { encodeJob, type Job } from './job.ts'
import type { JobResult } from './run-wasm.ts'
import { JobMemoryError, JobModuleError, JobOutputError, JobTimeoutError, JobTrapError } from './errors.ts'
import { AbortError, DecodeError } from '../errors.ts'

type Reply = { ok: true, output: Uint8Array, fuelUsed: string } | { ok: false, error: string, message: string }

function toError (r: { error: string, message: string }): Error {
  switch (r.error) {
    case 'JobTimeoutError': return new JobTimeoutError(r.message, /wall-time/.test(r.message) ? 'wallMs' : 'fuel')
    case 'JobMemoryError': return new JobMemoryError(r.message)
    case 'JobOutputError': return new JobOutputError(r.message)
    case 'JobTrapError': return new JobTrapError(r.message)
    case 'JobModuleError': return new JobModuleError(r.message)
    case 'DecodeError': return new DecodeError(r.message)
    default: return new Error(`job worker failed: ${r.error}: ${r.message}`)
  }
}

/** Runs `job` in a fresh worker thread; rejects with a Job*Error (JobTimeoutError 'wallMs' when the thread was stopped). */
export function runJobInWorker (job: Job, options: { signal?: AbortSignal } = {}): Promise<JobResult> {
  const bytes = encodeJob(job)
  return new Promise<JobResult>((resolve, reject) => {
    if (options.signal?.aborted === true) { reject(new AbortError(undefined, { cause: options.signal.reason })); return }
    const worker = new Worker(new URL('./_job-worker.node.ts', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: 64 + Math.ceil(job.limits.memoryBytes / (1 << 20)) } })
    let settled = false
    const finish = (fn: () => void): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      void worker.terminate()
      fn()
    }
    const timer = setTimeout(() => finish(() => reject(new JobTimeoutError(`the job ran past its wall-time limit (${job.limits.wallMs} ms); its thread was terminated`, 'wallMs'))), job.limits.wallMs)
    const onAbort = (): void => finish(() => reject(new AbortError(undefined, { cause: options.signal?.reason })))
    options.signal?.addEventListener('abort', onAbort, { once: true })
    worker.once('message', (r: Reply) => finish(() => {
      if (r.ok) resolve({ output: new Uint8Array(r.output), fuelUsed: BigInt(r.fuelUsed) })
      else reject(toError(r))
    }))
    worker.once('error', (err) => finish(() => reject(new JobTrapError(`the job's worker thread failed: ${err.message}`, { cause: err }))))
    worker.once('exit', (code) => finish(() => reject(new JobTrapError(`the job's worker thread exited (${code}) without a result`))))
    worker.postMessage(bytes, [bytes.buffer as ArrayBuffer])
  })
}
