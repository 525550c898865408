// Proof-of-work nonce search: the first n in [start, start + count) with
// SHA-256(prefix ‖ u64be(n)) having at least `bits` leading zero bits.
//
// What does not change per nonce is computed once per call: the midstate
// over the prefix's whole blocks, the tail block(s) with the nonce bytes
// zeroed (the template), and — when the nonce starts in word 8 or later —
// the working variables after the first 8 rounds, which only see prefix
// bytes. Per nonce only the (up to three) words holding nonce bytes change.
import { IV, K, rounds, schedule, sha256_compress } from './sha256'

/** Chaining value after the prefix's whole blocks. */
export const MID: usize = memory.data(32, 32)
/** Working variables after the first `skip` rounds of the first tail block. */
export const PRE: usize = memory.data(32, 32)
/** Tail bytes: prefix remainder, nonce (zero), padding, length; one or two blocks. */
export const TAIL: usize = memory.data(128, 64)
/** Schedules of the two tail blocks. */
const W0: usize = memory.data(256, 64)
const W1: usize = memory.data(256, 64)
const ST: usize = memory.data(32, 32)

/** Layout of the current search (set by powSetup). */
export let tailBlocks: u32 = 1
/** Index (0..17) of the first tail word holding a nonce byte. */
export let nonceWord: u32 = 0
/** Byte misalignment of the nonce within its first word (0..3). */
export let nonceShift: u32 = 0
/** Byte offset into the schedule where the per-nonce rounds start: 0 or 32. */
export let skip: usize = 0

/** Does the digest in `st` (native-order words) have ≥ bits leading zeros? */
export function meets (st: usize, bits: u32): bool {
  for (let i: usize = 0; i < 32; i += 4) {
    const w = load<u32>(st + i)
    if (bits < 32) return bits === 0 || (w >>> (32 - bits)) === 0
    if (w !== 0) return false
    bits -= 32
  }
  return true
}

/** Big-endian word `i` of TAIL. */
// @ts-ignore: decorator
@inline export function tailWord (i: u32): u32 {
  return bswap<u32>(load<u32>(TAIL + (<usize>i << 2)))
}

/** Prepares MID, TAIL, PRE and the layout globals for a prefix. */
export function powSetup (prefix: usize, len: u32): void {
  memory.copy(MID, IV, 32)
  const full = len >>> 6
  for (let i: u32 = 0; i < full; i++) sha256_compress(MID, prefix + (<usize>i << 6))
  const r = len & 63
  tailBlocks = r + 8 + 9 <= 64 ? 1 : 2
  const tlen = tailBlocks << 6
  memory.fill(TAIL, 0, 128)
  memory.copy(TAIL, prefix + (<usize>full << 6), r)
  store<u8>(TAIL + r + 8, 0x80)
  const bitsLen = (<u64>len + 8) << 3
  store<u32>(TAIL + tlen - 8, bswap<u32>(<u32>(bitsLen >>> 32)))
  store<u32>(TAIL + tlen - 4, bswap<u32>(<u32>bitsLen))
  nonceWord = r >>> 2
  nonceShift = r & 3
  for (let i: u32 = 0; i < 16; i++) {
    store<u32>(W0 + (<usize>i << 2), tailWord(i))
    store<u32>(W1 + (<usize>i << 2), tailWord(16 + i))
  }
  // The first 8 rounds see only prefix bytes when the nonce starts at word ≥ 8.
  skip = nonceWord >= 8 ? 32 : 0
  memory.copy(PRE, MID, 32)
  if (skip !== 0) preRounds8(PRE, W0)
}

/** Runs rounds 0..7 over w[0..8) on the working variables at `v` (in place). */
function preRounds8 (v: usize, w: usize): void {
  let a = load<u32>(v, 0); let b = load<u32>(v, 4); let c = load<u32>(v, 8); let d = load<u32>(v, 12)
  let e = load<u32>(v, 16); let f = load<u32>(v, 20); let g = load<u32>(v, 24); let h = load<u32>(v, 28)
  for (let t: usize = 0; t < 32; t += 4) {
    const t1 = h + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + (g ^ (e & (f ^ g))) +
      load<u32>(K + t) + load<u32>(w + t)
    const t2 = (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + ((a & b) | (c & (a | b)))
    h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2
  }
  store<u32>(v, a, 0); store<u32>(v, b, 4); store<u32>(v, c, 8); store<u32>(v, d, 12)
  store<u32>(v, e, 16); store<u32>(v, f, 20); store<u32>(v, g, 24); store<u32>(v, h, 28)
}

/** Writes the nonce words of lane value (hi, lo) into the schedules W0/W1. */
// @ts-ignore: decorator
@inline function putNonce (hi: u32, lo: u32): void {
  const j = nonceWord
  let w0: u32; let w1: u32; let w2: u32
  if (nonceShift === 0) {
    w0 = hi; w1 = lo; w2 = tailWord(j + 2)
  } else {
    const s = nonceShift << 3
    w0 = tailWord(j) | (hi >>> s)
    w1 = (hi << (32 - s)) | (lo >>> s)
    w2 = tailWord(j + 2) | (lo << (32 - s))
  }
  putWord(j, w0); putWord(j + 1, w1); putWord(j + 2, w2)
}

// @ts-ignore: decorator
@inline function putWord (i: u32, v: u32): void {
  if (i < 16) store<u32>(W0 + (<usize>i << 2), v)
  else if (i < 32) store<u32>(W1 + (<usize>(i - 16) << 2), v)
}

/** Scalar nonce search. start, count: integers with start + count ≤ 2^53. Returns the nonce or -1. */
export function pow_search (prefix: usize, len: u32, bits: u32, start: f64, count: f64): f64 {
  if (count <= 0) return -1
  powSetup(prefix, len)
  const s0 = <u64>start
  const end = s0 + <u64>count
  for (let n = s0; n < end; n++) {
    putNonce(<u32>(n >>> 32), <u32>n)
    memory.copy(ST, MID, 32)
    schedule(W0)
    rounds(PRE, ST, W0, skip)
    if (tailBlocks === 2) {
      schedule(W1)
      rounds(ST, ST, W1, 0)
    }
    if (meets(ST, bits)) return <f64>n
  }
  return -1
}
