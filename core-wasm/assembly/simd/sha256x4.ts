// 4-way SHA-256: four independent messages, one per i32x4 lane. Used by the
// SIMD build's sha256 batch, Merkle levels and PoW nonce search.
// Vector state layout: 8 v128 (word j of lanes 0..3 at offset 16 j).
import { K, IV, sha256_digest } from '../sha256'
import { MID, PRE, meets, nonceShift, nonceWord, powSetup, skip, tailBlocks, tailWord } from '../pow'

/** K[t] splatted to 4 lanes (64 v128). */
const K4: usize = memory.data(1024, 64)
let k4Ready = false
const WX: usize = memory.data(1024, 64)
const WX1: usize = memory.data(1024, 64)
/** Schedule of a constant final block (padding-only tail), per batch call. */
const PADW4: usize = memory.data(1024, 64)
const ST4: usize = memory.data(128, 64)
const MID4: usize = memory.data(128, 64)
const PRE4: usize = memory.data(128, 64)
/** Per-lane padded tails (4 × 128 bytes). */
const LANES: usize = memory.data(512, 64)
const ONE: usize = memory.data(32, 32)

// @ts-ignore: decorator
@inline function add (a: v128, b: v128): v128 { return i32x4.add(a, b) }
// @ts-ignore: decorator
@inline function rotr4 (x: v128, n: i32): v128 { return v128.or(i32x4.shr_u(x, n), i32x4.shl(x, 32 - n)) }
// @ts-ignore: decorator
@inline function bsig0x (x: v128): v128 { return v128.xor(v128.xor(rotr4(x, 2), rotr4(x, 13)), rotr4(x, 22)) }
// @ts-ignore: decorator
@inline function bsig1x (x: v128): v128 { return v128.xor(v128.xor(rotr4(x, 6), rotr4(x, 11)), rotr4(x, 25)) }
// @ts-ignore: decorator
@inline function ssig0x (x: v128): v128 { return v128.xor(v128.xor(rotr4(x, 7), rotr4(x, 18)), i32x4.shr_u(x, 3)) }
// @ts-ignore: decorator
@inline function ssig1x (x: v128): v128 { return v128.xor(v128.xor(rotr4(x, 17), rotr4(x, 19)), i32x4.shr_u(x, 10)) }

function initK4 (): void {
  if (k4Ready) return
  for (let t: usize = 0; t < 64; t++) v128.store(K4 + (t << 4), i32x4.splat(load<u32>(K + (t << 2))))
  k4Ready = true
}

/** Splats 8 scalar state words at `s` into a vector state at `v`. */
// @ts-ignore: decorator
@inline function splatState (v: usize, s: usize): void {
  for (let j: usize = 0; j < 8; j++) v128.store(v + (j << 4), i32x4.splat(load<u32>(s + (j << 2))))
}

/** Extends a vector schedule w[0..16) to w[0..64). */
function schedule4 (w: usize): void {
  for (let t: usize = 256; t < 1024; t += 16) {
    const p = w + t
    v128.store(p, add(add(ssig1x(v128.load(p - 32)), v128.load(p - 112)), add(ssig0x(v128.load(p - 240)), v128.load(p - 256))))
  }
}

/**
 * Rounds t0/16 .. 63 over the vector schedule `w`, from the working
 * variables at `from`, added into the chaining state `st` (may equal `from`).
 */
function rounds4 (from: usize, st: usize, w: usize, t0: usize): void {
  let a = v128.load(from, 0); let b = v128.load(from, 16); let c = v128.load(from, 32); let d = v128.load(from, 48)
  let e = v128.load(from, 64); let f = v128.load(from, 80); let g = v128.load(from, 96); let h = v128.load(from, 112)
  for (let t: usize = t0; t < 1024; t += 128) {
    const p = w + t
    const k = K4 + t
    h = add(h, add(v128.load(k, 0), v128.load(p, 0))); h = add(h, v128.bitselect(f, g, e)); h = add(h, bsig1x(e)); d = add(d, h); h = add(h, add(bsig0x(a), v128.bitselect(c, b, v128.xor(a, b))))
    g = add(g, add(v128.load(k, 16), v128.load(p, 16))); g = add(g, v128.bitselect(e, f, d)); g = add(g, bsig1x(d)); c = add(c, g); g = add(g, add(bsig0x(h), v128.bitselect(b, a, v128.xor(h, a))))
    f = add(f, add(v128.load(k, 32), v128.load(p, 32))); f = add(f, v128.bitselect(d, e, c)); f = add(f, bsig1x(c)); b = add(b, f); f = add(f, add(bsig0x(g), v128.bitselect(a, h, v128.xor(g, h))))
    e = add(e, add(v128.load(k, 48), v128.load(p, 48))); e = add(e, v128.bitselect(c, d, b)); e = add(e, bsig1x(b)); a = add(a, e); e = add(e, add(bsig0x(f), v128.bitselect(h, g, v128.xor(f, g))))
    d = add(d, add(v128.load(k, 64), v128.load(p, 64))); d = add(d, v128.bitselect(b, c, a)); d = add(d, bsig1x(a)); h = add(h, d); d = add(d, add(bsig0x(e), v128.bitselect(g, f, v128.xor(e, f))))
    c = add(c, add(v128.load(k, 80), v128.load(p, 80))); c = add(c, v128.bitselect(a, b, h)); c = add(c, bsig1x(h)); g = add(g, c); c = add(c, add(bsig0x(d), v128.bitselect(f, e, v128.xor(d, e))))
    b = add(b, add(v128.load(k, 96), v128.load(p, 96))); b = add(b, v128.bitselect(h, a, g)); b = add(b, bsig1x(g)); f = add(f, b); b = add(b, add(bsig0x(c), v128.bitselect(e, d, v128.xor(c, d))))
    a = add(a, add(v128.load(k, 112), v128.load(p, 112))); a = add(a, v128.bitselect(g, h, f)); a = add(a, bsig1x(f)); e = add(e, a); a = add(a, add(bsig0x(b), v128.bitselect(d, c, v128.xor(b, c))))
  }
  v128.store(st, add(v128.load(st, 0), a), 0); v128.store(st, add(v128.load(st, 16), b), 16)
  v128.store(st, add(v128.load(st, 32), c), 32); v128.store(st, add(v128.load(st, 48), d), 48)
  v128.store(st, add(v128.load(st, 64), e), 64); v128.store(st, add(v128.load(st, 80), f), 80)
  v128.store(st, add(v128.load(st, 96), g), 96); v128.store(st, add(v128.load(st, 112), h), 112)
}

/**
 * 4×4 transpose of 32-bit words with a byte swap inside each word: row i of
 * the result holds word i of r0..r3 (so it serves both loading four
 * big-endian blocks and storing four digests).
 */
// @ts-ignore: decorator
@inline function tlo (x: v128, y: v128): v128 { return i8x16.shuffle(x, y, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23) }
// @ts-ignore: decorator
@inline function thi (x: v128, y: v128): v128 { return i8x16.shuffle(x, y, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31) }
// @ts-ignore: decorator
@inline function blo (x: v128, y: v128): v128 { return i8x16.shuffle(x, y, 3, 2, 1, 0, 7, 6, 5, 4, 19, 18, 17, 16, 23, 22, 21, 20) }
// @ts-ignore: decorator
@inline function bhi (x: v128, y: v128): v128 { return i8x16.shuffle(x, y, 11, 10, 9, 8, 15, 14, 13, 12, 27, 26, 25, 24, 31, 30, 29, 28) }

/** Loads one 64-byte block from each of four messages into w[0..16) (lane i = message i). */
// @ts-ignore: decorator
@inline function loadBlock4 (w: usize, p0: usize, p1: usize, p2: usize, p3: usize): void {
  for (let o: usize = 0; o < 64; o += 16) {
    const r0 = v128.load(p0 + o); const r1 = v128.load(p1 + o); const r2 = v128.load(p2 + o); const r3 = v128.load(p3 + o)
    const t0 = tlo(r0, r1); const t1 = tlo(r2, r3); const t2 = thi(r0, r1); const t3 = thi(r2, r3)
    const q = w + (o << 2)
    v128.store(q, blo(t0, t1), 0); v128.store(q, bhi(t0, t1), 16)
    v128.store(q, blo(t2, t3), 32); v128.store(q, bhi(t2, t3), 48)
  }
}

/** Stores the four digests of the vector state `st` (lane i to out + 32 i). */
// @ts-ignore: decorator
@inline function storeDigests4 (st: usize, out: usize): void {
  for (let o: usize = 0; o < 128; o += 64) {
    const r0 = v128.load(st + o); const r1 = v128.load(st + o, 16); const r2 = v128.load(st + o, 32); const r3 = v128.load(st + o, 48)
    const t0 = tlo(r0, r1); const t1 = tlo(r2, r3); const t2 = thi(r0, r1); const t3 = thi(r2, r3)
    const q = out + (o >>> 2)
    v128.store(q, blo(t0, t1), 0); v128.store(q, bhi(t0, t1), 32)
    v128.store(q, blo(t2, t3), 64); v128.store(q, bhi(t2, t3), 96)
  }
}

/** One 4-way compression of one block of each of four messages into ST4. */
// @ts-ignore: decorator
@inline function compress4 (p0: usize, p1: usize, p2: usize, p3: usize): void {
  loadBlock4(WX, p0, p1, p2, p3)
  schedule4(WX)
  rounds4(ST4, ST4, WX, 0)
}

/**
 * SHA-256 of n messages of `size` bytes laid out back to back at `p`,
 * four at a time; digests back to back at `out`.
 */
export function sha256_batch_x4 (p: usize, size: u32, n: u32, out: usize): void {
  initK4()
  const full = size >>> 6
  const r = size & 63
  const tb: u32 = r < 56 ? 1 : 2
  const bitsLen = <u64>size << 3
  if (r === 0) {
    // the tail is one constant block: padding and length only
    memory.fill(ONE, 0, 32)
    for (let j: usize = 0; j < 16; j++) v128.store(PADW4 + (j << 4), i32x4.splat(0))
    v128.store(PADW4, i32x4.splat(0x80000000))
    v128.store(PADW4 + 224, i32x4.splat(<i32>(bitsLen >>> 32)))
    v128.store(PADW4 + 240, i32x4.splat(<i32>bitsLen))
    schedule4(PADW4)
  } else {
    memory.fill(LANES, 0, 512)
  }
  let i: u32 = 0
  for (; i + 4 <= n; i += 4) {
    const m0 = p + <usize>i * size
    const m1 = m0 + size; const m2 = m1 + size; const m3 = m2 + size
    splatState(ST4, IV)
    for (let b: u32 = 0; b < full; b++) {
      const o = <usize>b << 6
      compress4(m0 + o, m1 + o, m2 + o, m3 + o)
    }
    if (r === 0) {
      rounds4(ST4, ST4, PADW4, 0)
    } else {
      const o = <usize>full << 6
      for (let l: usize = 0; l < 4; l++) {
        const lane = LANES + (l << 7)
        memory.copy(lane, m0 + l * size + o, r)
        memory.fill(lane + r, 0, 128 - r)
        store<u8>(lane + r, 0x80)
        const end = lane + (<usize>tb << 6)
        store<u32>(end - 8, bswap<u32>(<u32>(bitsLen >>> 32)))
        store<u32>(end - 4, bswap<u32>(<u32>bitsLen))
      }
      compress4(LANES, LANES + 128, LANES + 256, LANES + 384)
      if (tb === 2) compress4(LANES + 64, LANES + 192, LANES + 320, LANES + 448)
    }
    storeDigests4(ST4, out + (<usize>i << 5))
  }
  for (; i < n; i++) sha256_digest(p + <usize>i * size, size, out + (<usize>i << 5))
}

/** Merkle tree levels (see plot.ts merkle_tree), four parents at a time. */
export function merkle_tree_x4 (tree: usize, n: u32): void {
  let level = tree
  let width = n
  while (width > 1) {
    const next = level + (<usize>width << 5)
    sha256_batch_x4(level, 64, width >>> 1, next)
    level = next
    width >>>= 1
  }
}

/** Writes vector word `i` (0..31) of the two tail schedules. */
// @ts-ignore: decorator
@inline function putWord4 (i: u32, v: v128): void {
  if (i < 16) v128.store(WX + (<usize>i << 4), v)
  else if (i < 32) v128.store(WX1 + (<usize>(i - 16) << 4), v)
}

/** 4-way nonce search, same contract as pow_search; lanes are checked in nonce order. */
export function pow_search_x4 (prefix: usize, len: u32, bits: u32, start: f64, count: f64): f64 {
  if (count <= 0) return -1
  initK4()
  powSetup(prefix, len)
  splatState(MID4, MID)
  splatState(PRE4, PRE)
  for (let i: u32 = 0; i < 16; i++) {
    v128.store(WX + (<usize>i << 4), i32x4.splat(tailWord(i)))
    v128.store(WX1 + (<usize>i << 4), i32x4.splat(tailWord(16 + i)))
  }
  const j = nonceWord
  const s = nonceShift << 3
  const tj = i32x4.splat(tailWord(j))
  const tj2 = i32x4.splat(tailWord(j + 2))
  const two = tailBlocks === 2
  const t0 = skip << 2
  const mask: u32 = bits >= 32 ? 0xffffffff : (bits === 0 ? 0 : (0xffffffff << (32 - bits)))
  const vmask = i32x4.splat(mask)
  const zero = i32x4.splat(0)
  const step = i32x4(0, 1, 2, 3)
  const s0 = <u64>start
  const end = s0 + <u64>count
  for (let n = s0; n < end; n += 4) {
    const lo0 = i32x4.splat(<u32>n)
    const lo = add(lo0, step)
    // lanes whose low word wrapped carry into the high word
    const hi = i32x4.sub(i32x4.splat(<u32>(n >>> 32)), i32x4.lt_u(lo, lo0))
    if (s === 0) {
      putWord4(j, hi); putWord4(j + 1, lo)
    } else {
      putWord4(j, v128.or(tj, i32x4.shr_u(hi, s)))
      putWord4(j + 1, v128.or(i32x4.shl(hi, 32 - s), i32x4.shr_u(lo, s)))
      putWord4(j + 2, v128.or(tj2, i32x4.shl(lo, 32 - s)))
    }
    memory.copy(ST4, MID4, 128)
    schedule4(WX)
    rounds4(PRE4, ST4, WX, t0)
    if (two) {
      schedule4(WX1)
      rounds4(ST4, ST4, WX1, 0)
    }
    if (v128.any_true(i32x4.eq(v128.and(v128.load(ST4), vmask), zero))) {
      for (let l: usize = 0; l < 4; l++) {
        if (n + l >= end) break
        for (let w: usize = 0; w < 8; w++) store<u32>(ONE + (w << 2), load<u32>(ST4 + (w << 4) + (l << 2)))
        if (meets(ONE, bits)) return <f64>(n + l)
      }
    }
  }
  return -1
}
