/**
 * PoWork (WHAT/HOW): a nonce with H(D ‖ opHash ‖ u8(kind) ‖ 0-pad ‖ u64be(nonce))
 * having at least `bits` leading zero bits, `bits` set per work kind by the
 * preset. The prefix is padded with zeros to exactly one 64-byte block so
 * every kernel hashes it once (midstate) and each try costs ONE compression
 * — the rate the presets are calibrated to. Verification is one hash.
 */
import { InvalidArgumentError } from '../errors.ts'
import type { Kernel } from '../wasm/kernel.ts'
import { leadingZeroBits } from '../wasm/reference.ts'
import type { WorkKind } from './constants.ts'
import { HASH_BYTES, isWorkKind, POW_CHUNK_NONCES, PROOF_DOMAINS } from './constants.ts'
import type { ProofProgress, WorkProof } from './types.ts'
import { concatBytes, cooperative, isBytes, u64be } from './_util.ts'

/** Length of the PoWork prefix: one SHA-256 block. */
export const WORK_PREFIX_BYTES = 64

/** The PoWork prefix D ‖ opHash ‖ u8(kind) ‖ zeros (64 bytes); the kernel appends the u64be nonce. */
export function workPrefix (opHash: Uint8Array, kind: WorkKind): Uint8Array {
  if (!isBytes(opHash, HASH_BYTES)) throw new InvalidArgumentError('opHash must be 32 bytes')
  if (!isWorkKind(kind)) throw new InvalidArgumentError(`kind ${String(kind)} is not a WorkKind`)
  const out = new Uint8Array(WORK_PREFIX_BYTES)
  out.set(concatBytes(PROOF_DOMAINS.work, opHash, Uint8Array.of(kind)))
  return out
}

export interface ProveWorkOptions {
  signal?: AbortSignal
  onProgress?: (p: ProofProgress) => void
  /** Nonces per kernel call (default 65 536). */
  chunk?: number
  /** First nonce to try (default 0). */
  start?: number
  /**
   * Replaces the chunked in-thread search, e.g. node-host's parallelPowSearch
   * over all cores. Must return the FIRST qualifying nonce ≥ start (as
   * kernel.powSearch defines it), or -1.
   */
  search?: NonceSearch
}

/** A whole-range nonce search: first n ≥ start with ≥ bits leading zero bits of H(prefix ‖ u64be(n)), or -1. */
export type NonceSearch = (prefix: Uint8Array, bits: number, opts: { start: number, signal?: AbortSignal }) => Promise<number>

/** Searches nonces from `start` in chunks, yielding between them; AbortError on abort. */
export async function proveWork (kernel: Kernel, opHash: Uint8Array, kind: WorkKind, bits: number, opts: ProveWorkOptions = {}): Promise<WorkProof> {
  const prefix = workPrefix(opHash, kind)
  const chunk = opts.chunk ?? POW_CHUNK_NONCES
  const expected = 2 ** bits
  const pause = cooperative(opts.signal)
  let start = opts.start ?? 0
  if (opts.search !== undefined) {
    const n = await opts.search(prefix, bits, { start, ...(opts.signal !== undefined ? { signal: opts.signal } : {}) })
    if (n < 0) throw new InvalidArgumentError('nonce space exhausted')
    opts.onProgress?.({ phase: 'work', done: n + 1, total: expected })
    return { kind, nonce: n }
  }
  for (;;) {
    await pause()
    const count = Math.min(chunk, Number.MAX_SAFE_INTEGER - start)
    if (count <= 0) throw new InvalidArgumentError('nonce space exhausted')
    const n = kernel.powSearch(prefix, bits, start, count)
    if (n >= 0) {
      opts.onProgress?.({ phase: 'work', done: n + 1, total: expected })
      return { kind, nonce: n }
    }
    start += count
    opts.onProgress?.({ phase: 'work', done: start, total: expected })
  }
}

/** One hash: true when the nonce meets the difficulty for `kind` and the proof is for `kind`. */
export function verifyWork (kernel: Kernel, proof: WorkProof, opHash: Uint8Array, kind: WorkKind, bits: number): boolean {
  if (proof.kind !== kind || !Number.isSafeInteger(proof.nonce) || proof.nonce < 0) return false
  const digest = kernel.sha256(concatBytes(workPrefix(opHash, kind), u64be(proof.nonce)))
  return leadingZeroBits(digest) >= bits
}
