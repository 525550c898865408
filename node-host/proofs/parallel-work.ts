/**
 * PoWork over all cores: adapts node-host/kernel's parallelPowSearch (worker
 * pool, first qualifying nonce, abortable) to ts/proofs' NonceSearch.
 * Loaded by computed specifier: undefined when node-host/kernel is absent.
 */
import type { NonceSearch } from '../../ts/proofs/work.ts'
import type { SegmentVerifier } from '../../ts/proofs/bundle.ts'

type ParallelPow = (prefix: Uint8Array, bits: number, opts: { start?: number, signal?: AbortSignal, threads?: number }) => Promise<number>

/** A NonceSearch on `threads` worker threads (default: every core), or undefined where unavailable. */
export async function parallelNonceSearch (threads?: number): Promise<NonceSearch | undefined> {
  const spec = '../kernel/parallel.ts'
  let fn: ParallelPow | undefined
  try {
    fn = (await import(spec) as { parallelPowSearch?: ParallelPow }).parallelPowSearch
  } catch {
    return undefined
  }
  if (typeof fn !== 'function') return undefined
  const search = fn
  return async (prefix, bits, opts) => await search(prefix, bits, {
    start: opts.start,
    ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
    ...(threads !== undefined ? { threads } : {})
  })
}

type ParallelVdf = (seed: Uint8Array, checkpoints: Uint8Array, steps: number, k: number, segments: readonly number[], opts: { signal?: AbortSignal, threads?: number }) => Promise<boolean>

/** A SegmentVerifier over node-host/kernel's parallelVdfVerify (segments split over cores), or undefined where unavailable. */
export async function parallelSegmentVerifier (threads?: number): Promise<SegmentVerifier | undefined> {
  const spec = '../kernel/parallel.ts'
  let fn: ParallelVdf | undefined
  try {
    fn = (await import(spec) as { parallelVdfVerify?: ParallelVdf }).parallelVdfVerify
  } catch {
    return undefined
  }
  if (typeof fn !== 'function') return undefined
  const verify = fn
  return async (seed, checkpoints, steps, k, segments, opts) => await verify(seed, checkpoints, steps, k, segments, {
    ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
    ...(threads !== undefined ? { threads } : {})
  })
}
