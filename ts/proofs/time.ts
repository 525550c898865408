/**
 * PoTime (WHEN): a sequential SHA-256 chain seeded by H(D ‖ opHash ‖ anchor)
 * run for T steps with k checkpoints; the verifier recomputes s distinct
 * segments chosen by Fiat–Shamir from H(D' ‖ seed ‖ checkpoints). The clock
 * and sequence-number checks live in the bundle (they need the ledger views).
 */
import { InvalidArgumentError } from '../errors.ts'
import type { Kernel } from '../wasm/kernel.ts'
import { HASH_BYTES, PROOF_DOMAINS, TIME_CHUNK_STEPS } from './constants.ts'
import type { TimeParams } from './params.ts'
import type { ProofProgress } from './types.ts'
import { bytesEqual, concatBytes, cooperative, isBytes, u32be } from './_util.ts'

/** The chain seed H(D ‖ opHash ‖ anchor). */
export function timeSeed (kernel: Kernel, opHash: Uint8Array, anchor: Uint8Array): Uint8Array {
  if (!isBytes(opHash, HASH_BYTES) || !isBytes(anchor, HASH_BYTES)) throw new InvalidArgumentError('opHash and anchor must be 32 bytes')
  return kernel.sha256(concatBytes(PROOF_DOMAINS.timeSeed, opHash, anchor))
}

/** The Fiat–Shamir root r = H(D ‖ seed ‖ checkpoints); it commits to every checkpoint. */
export function timeSampleRoot (kernel: Kernel, seed: Uint8Array, checkpoints: Uint8Array): Uint8Array {
  return kernel.sha256(concatBytes(PROOF_DOMAINS.timeSample, seed, checkpoints))
}

/**
 * The s distinct segment indices in [0, k) drawn from the stream
 * H(r ‖ u32be(0)), H(r ‖ u32be(1)), … (32-bit words, rejection-sampled, no bias).
 */
export function sampleFromRoot (kernel: Kernel, root: Uint8Array, k: number, samples: number): number[] {
  if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError('k must be a positive integer')
  if (!Number.isInteger(samples) || samples < 0 || samples > k) throw new InvalidArgumentError(`samples ${samples} not in [0, ${k}]`)
  const limit = Math.floor(2 ** 32 / k) * k
  const chosen = new Set<number>()
  const out: number[] = []
  const buf = new Uint8Array(36)
  buf.set(root)
  for (let ctr = 0; out.length < samples; ctr++) {
    buf.set(u32be(ctr), 32)
    const h = kernel.sha256(buf)
    for (let w = 0; w < 8 && out.length < samples; w++) {
      const o = w * 4
      const v = ((h[o] << 24) >>> 0) + ((h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3])
      if (v >= limit) continue
      const j = v % k
      if (chosen.has(j)) continue
      chosen.add(j); out.push(j)
    }
  }
  return out
}

/** The s segments the verifier recomputes for these checkpoints (r = timeSampleRoot). */
export function sampleSegments (kernel: Kernel, seed: Uint8Array, checkpoints: Uint8Array, samples: number): number[] {
  const k = checkpoints.length / HASH_BYTES
  if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError('checkpoints must be a positive multiple of 32 bytes')
  return sampleFromRoot(kernel, timeSampleRoot(kernel, seed, checkpoints), k, samples)
}

export interface ChainOptions {
  signal?: AbortSignal
  onProgress?: (p: ProofProgress) => void
  /** Steps per kernel call between abort checks (default 2^18). */
  chunkSteps?: number
}

/**
 * The k checkpoints of the chain from `seed` (identical to
 * kernel.vdfChain(seed, steps, k)), computed in chunks of about 2^18 steps
 * so it can report progress and stop on abort.
 */
export async function computeChain (kernel: Kernel, seed: Uint8Array, steps: number, k: number, opts: ChainOptions = {}): Promise<Uint8Array> {
  if (!Number.isSafeInteger(steps) || !Number.isInteger(k) || k < 1 || steps < k || steps % k !== 0) throw new InvalidArgumentError(`steps ${steps} must be a positive multiple of k ${k}`)
  const seg = steps / k
  const out = new Uint8Array(k * HASH_BYTES)
  const chunk = opts.chunkSteps ?? TIME_CHUNK_STEPS
  if (!Number.isSafeInteger(chunk) || chunk < 1) throw new InvalidArgumentError('chunkSteps must be a positive integer')
  const pause = cooperative(opts.signal)
  let x = seed
  let done = 0
  if (seg <= chunk) {
    const per = Math.max(1, Math.floor(chunk / seg))
    for (let j = 0; j < k; j += per) {
      await pause()
      const m = Math.min(per, k - j)
      const cps = kernel.vdfChain(x, seg * m, m)
      out.set(cps, j * HASH_BYTES)
      x = cps.subarray((m - 1) * HASH_BYTES)
      done += seg * m
      opts.onProgress?.({ phase: 'time', done, total: steps })
    }
  } else {
    for (let j = 0; j < k; j++) {
      for (let left = seg; left > 0;) {
        await pause()
        const m = Math.min(chunk, left)
        x = kernel.vdfSegment(x, m)
        left -= m; done += m
        opts.onProgress?.({ phase: 'time', done, total: steps })
      }
      out.set(x, j * HASH_BYTES)
    }
  }
  return out
}

/**
 * Recomputes the sampled segments; true when every one ends at its
 * checkpoint. `root` is timeSampleRoot(seed, checkpoints) when the caller
 * already has it.
 */
export function verifyChain (kernel: Kernel, seed: Uint8Array, checkpoints: Uint8Array, params: TimeParams, root?: Uint8Array): boolean {
  const k = params.checkpoints
  if (checkpoints.length !== k * HASH_BYTES) return false
  const seg = params.steps / k
  const r = root ?? timeSampleRoot(kernel, seed, checkpoints)
  for (const j of sampleFromRoot(kernel, r, k, params.samples)) {
    const start = j === 0 ? seed : checkpoints.subarray((j - 1) * HASH_BYTES, j * HASH_BYTES)
    const end = kernel.vdfSegment(start, seg)
    if (!bytesEqual(end, checkpoints.subarray(j * HASH_BYTES, (j + 1) * HASH_BYTES))) return false
  }
  return true
}
