/**
 * Resumable, abortable proof-of-work search over any `Kernel`: calls
 * `powSearch` chunk by chunk, yields to the event loop between chunks, and
 * sizes chunks so that each takes roughly `sliceMs` whatever the kernel's speed.
 * @module
 */
import type { Kernel } from './kernel.ts'
import { MAX_NONCE } from './kernel.ts'
import { checkInt, checkPow } from './_args.ts'
import { throwIfAborted } from '../errors.ts'

export interface PowProgress {
  /** Nonces tried so far in this call. */
  tried: number
  /** The next nonce to try: pass it as `start` to resume. */
  next: number
}

export interface PowSolveOptions {
  /** First nonce to try (default 0). */
  start?: number
  /** Number of nonces to try at most (default: up to 2^53 - 1). */
  count?: number
  /** Fixed nonces per kernel call; by default adapted to take about `sliceMs`. */
  chunk?: number
  /** Target duration of one kernel call when `chunk` is not given (default 10 ms). */
  sliceMs?: number
  signal?: AbortSignal
  onProgress?: (progress: PowProgress) => void
}

const yieldNow: () => Promise<void> = typeof setImmediate === 'function'
  ? async () => await new Promise<void>((resolve) => { setImmediate(resolve) })
  : async () => await new Promise<void>((resolve) => { setTimeout(resolve, 0) })

/**
 * The first nonce n ≥ start (within `count`) with H(prefix ‖ u64be(n)) having
 * at least `bits` leading zero bits, or -1 when the range is exhausted.
 * Throws AbortError (between chunks) when `signal` fires.
 */
export async function powSolve (kernel: Pick<Kernel, 'powSearch'>, prefix: Uint8Array, bits: number, options: PowSolveOptions = {}): Promise<number> {
  const start = options.start ?? 0
  checkInt('start', start, 0, MAX_NONCE)
  const count = options.count ?? MAX_NONCE - start
  checkPow(prefix, bits, start, count)
  if (options.chunk !== undefined) checkInt('chunk', options.chunk, 1, MAX_NONCE)
  const sliceMs = options.sliceMs ?? 10
  if (!(sliceMs > 0)) throw new RangeError(`sliceMs must be positive, got ${sliceMs}`)
  const end = start + count
  let chunk = options.chunk ?? 1024
  let next = start
  while (next < end) {
    throwIfAborted(options.signal)
    const n = Math.min(chunk, end - next)
    const t0 = performance.now()
    const found = kernel.powSearch(prefix, bits, next, n)
    const dt = performance.now() - t0
    if (found >= 0) {
      options.onProgress?.({ tried: found - start + 1, next: found + 1 })
      return found
    }
    next += n
    options.onProgress?.({ tried: next - start, next })
    if (options.chunk === undefined) {
      // grow or shrink towards sliceMs, at most ×4 per step
      const factor = dt <= 0 ? 4 : Math.min(4, Math.max(0.25, sliceMs / dt))
      chunk = Math.max(64, Math.min(2 ** 32, Math.floor(n * factor)))
    }
    await yieldNow()
  }
  throwIfAborted(options.signal)
  return -1
}
