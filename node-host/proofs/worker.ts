/**
 * Long proof generation off the main thread: each job runs in its own
 * worker_threads Worker (node-host/proofs/_worker-entry.ts) on the fastest
 * kernel it can load, reports progress, and stops on abort (the job checks
 * its signal between chunks; a worker that does not stop within
 * ABORT_GRACE_MS is terminated).
 *
 * @example
 * const proof = await createConsensusProofInWorker({ op, latest, identity, plotPath, position, sequence, preset: 'test' },
 *   { signal, onProgress: (p) => bar.update(p.done / p.total) })
 */
import { Worker } from 'node:worker_threads'
import { AbortError, InvalidArgumentError, throwIfAborted } from '../../ts/errors.ts'
import type { ConsensusProof, NetworkPosition, OperationRef, ProofProgress } from '../../ts/proofs/types.ts'
import type { PresetName, ProofParams } from '../../ts/proofs/params.ts'
import type { WorkKind } from '../../ts/proofs/constants.ts'
import { decodeConsensusProof } from '../../ts/proofs/encoding.ts'
import type { WorkProof } from '../../ts/proofs/types.ts'

export const ABORT_GRACE_MS = 2000

/** Jobs a proof worker runs. */
export type ProofJob =
  | { type: 'create', op: OperationRef, latest: Uint8Array, identity: { publicKey: Uint8Array, secretKey: Uint8Array }, plotPath: string, position: NetworkPosition, sequence: number, preset: PresetName | ProofParams, nowMicros?: number, /** PoWork on every core (node-host/kernel pool) */ parallelWork?: boolean }
  | { type: 'work', opHash: Uint8Array, kind: WorkKind, bits: number }
  | { type: 'time', seed: Uint8Array, steps: number, checkpoints: number }
  | { type: 'plot', path: string, nodeId: Uint8Array, plotIndex: number, log2Size: number }

export type WorkerMessage =
  | { type: 'progress', progress: ProofProgress }
  | { type: 'result', value: unknown, kernel: string }
  | { type: 'error', name: string, message: string }

export interface WorkerRunOptions {
  signal?: AbortSignal
  onProgress?: (p: ProofProgress) => void
  /** Receives the kernel name the worker used. */
  onKernel?: (name: string) => void
}

function rebuildError (name: string, message: string): Error {
  if (name === 'AbortError') return new AbortError(message)
  if (name === 'InvalidArgumentError') return new InvalidArgumentError(message)
  const err = new Error(message)
  Object.defineProperty(err, 'name', { value: name })
  return err
}

/** Runs one job in a fresh worker; resolves with the job's raw result. */
export async function runProofJob (job: ProofJob, opts: WorkerRunOptions = {}): Promise<unknown> {
  throwIfAborted(opts.signal)
  const worker = new Worker(new URL('./_worker-entry.ts', import.meta.url), { workerData: job })
  return await new Promise((resolve, reject) => {
    let settled = false
    let killTimer: ReturnType<typeof setTimeout> | undefined
    const finish = (fn: () => void): void => {
      if (settled) return
      settled = true
      opts.signal?.removeEventListener('abort', onAbort)
      if (killTimer !== undefined) clearTimeout(killTimer)
      void worker.terminate()
      fn()
    }
    const onAbort = (): void => {
      worker.postMessage({ type: 'abort' })
      killTimer = setTimeout(() => finish(() => reject(new AbortError(undefined, { cause: opts.signal?.reason }))), ABORT_GRACE_MS)
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true })
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') opts.onProgress?.(m.progress)
      else if (m.type === 'result') { opts.onKernel?.(m.kernel); finish(() => resolve(m.value)) }
      else if (m.type === 'error') {
        finish(() => reject(rebuildError(m.name, m.message)))
      }
    })
    worker.on('error', (err) => finish(() => reject(err)))
    worker.on('exit', (code) => finish(() => reject(new Error(`proof worker exited with code ${code}`))))
  })
}

/** createConsensusProof in a worker; the plot is opened from its file there. */
export async function createConsensusProofInWorker (job: Omit<Extract<ProofJob, { type: 'create' }>, 'type'>, opts: WorkerRunOptions = {}): Promise<ConsensusProof> {
  const bytes = await runProofJob({ type: 'create', ...job }, opts) as Uint8Array
  return decodeConsensusProof(bytes)
}

/** PoWork nonce search in a worker. */
export async function proveWorkInWorker (opHash: Uint8Array, kind: WorkKind, bits: number, opts: WorkerRunOptions = {}): Promise<WorkProof> {
  return await runProofJob({ type: 'work', opHash, kind, bits }, opts) as WorkProof
}

/** PoTime chain checkpoints in a worker. */
export async function computeChainInWorker (seed: Uint8Array, steps: number, checkpoints: number, opts: WorkerRunOptions = {}): Promise<Uint8Array> {
  return await runProofJob({ type: 'time', seed, steps, checkpoints }, opts) as Uint8Array
}
