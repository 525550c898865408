// SHA-256 (FIPS 180-4), scalar. No allocator: callers pass pointers into
// linear memory; fixed buffers are static data (memory.data).
//
// State layout: 8 u32 words in native (little-endian) order at `st`.
// Digests are written big-endian (the standard byte order).

export const K: usize = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
], 64)

export const IV: usize = memory.data<u32>([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
], 32)

/** Message schedule W[0..64) (u32) of the block being compressed. */
const W: usize = memory.data(256, 64)
/** Padding buffer for the last one or two blocks. */
const PAD: usize = memory.data(128, 64)
/** Context for one-shot hashing. */
const CTX: usize = memory.data(32, 32)

// Σ0 and σ0/σ1 nested (fewer register copies: V8 has no 3-operand rotate);
// Σ1 kept flat because it sits on the round's critical path.
// @ts-ignore: decorator
@inline export function bsig0 (x: u32): u32 { return rotr<u32>(x ^ rotr<u32>(x ^ rotr<u32>(x, 9), 11), 2) }
@inline export function bsig1 (x: u32): u32 { return rotr<u32>(x, 6) ^ rotr<u32>(x, 11) ^ rotr<u32>(x, 25) }
@inline export function ssig0 (x: u32): u32 { return rotr<u32>(x ^ rotr<u32>(x, 11), 7) ^ (x >>> 3) }
@inline export function ssig1 (x: u32): u32 { return rotr<u32>(x ^ rotr<u32>(x, 2), 17) ^ (x >>> 10) }
@inline export function ch (e: u32, f: u32, g: u32): u32 { return g ^ (e & (f ^ g)) }
@inline export function maj (a: u32, b: u32, c: u32): u32 { return (a & b) | (c & (a | b)) }

/** Extends w[0..16) to the full schedule w[0..64). */
// @ts-ignore: decorator
@inline export function schedule (w: usize): void {
  for (let t: usize = 64; t < 256; t += 4) {
    const p = w + t
    store<u32>(p, ssig1(load<u32>(p - 8)) + load<u32>(p - 28) + ssig0(load<u32>(p - 60)) + load<u32>(p - 64))
  }
}

/**
 * Rounds t0/4 .. 63 over a full schedule `w` (u32 words, K added here),
 * starting from the working variables at `from` (8 u32), added into the
 * chaining state `st` (8 u32). `from` and `st` may be equal. `t0` is a byte
 * offset into the schedule, a multiple of 32 (8 rounds).
 */
// @ts-ignore: decorator
@inline export function rounds (from: usize, st: usize, w: usize, t0: usize): void {
  let a = load<u32>(from, 0); let b = load<u32>(from, 4); let c = load<u32>(from, 8); let d = load<u32>(from, 12)
  let e = load<u32>(from, 16); let f = load<u32>(from, 20); let g = load<u32>(from, 24); let h = load<u32>(from, 28)
  let mx: u32 = 0; let my: u32 = b ^ c
  for (let t: usize = t0; t < 256; t += 32) {
    const p = w + t
    const k = K + t
    h += load<u32>(k, 0) + load<u32>(p, 0); h += ch(e, f, g); h += bsig1(e); d += h; mx = a ^ b; h += bsig0(a) + (b ^ (mx & my))
    g += load<u32>(k, 4) + load<u32>(p, 4); g += ch(d, e, f); g += bsig1(d); c += g; my = h ^ a; g += bsig0(h) + (a ^ (my & mx))
    f += load<u32>(k, 8) + load<u32>(p, 8); f += ch(c, d, e); f += bsig1(c); b += f; mx = g ^ h; f += bsig0(g) + (h ^ (mx & my))
    e += load<u32>(k, 12) + load<u32>(p, 12); e += ch(b, c, d); e += bsig1(b); a += e; my = f ^ g; e += bsig0(f) + (g ^ (my & mx))
    d += load<u32>(k, 16) + load<u32>(p, 16); d += ch(a, b, c); d += bsig1(a); h += d; mx = e ^ f; d += bsig0(e) + (f ^ (mx & my))
    c += load<u32>(k, 20) + load<u32>(p, 20); c += ch(h, a, b); c += bsig1(h); g += c; my = d ^ e; c += bsig0(d) + (e ^ (my & mx))
    b += load<u32>(k, 24) + load<u32>(p, 24); b += ch(g, h, a); b += bsig1(g); f += b; mx = c ^ d; b += bsig0(c) + (d ^ (mx & my))
    a += load<u32>(k, 28) + load<u32>(p, 28); a += ch(f, g, h); a += bsig1(f); e += a; my = b ^ c; a += bsig0(b) + (c ^ (my & mx))
  }
  store<u32>(st, load<u32>(st, 0) + a, 0); store<u32>(st, load<u32>(st, 4) + b, 4)
  store<u32>(st, load<u32>(st, 8) + c, 8); store<u32>(st, load<u32>(st, 12) + d, 12)
  store<u32>(st, load<u32>(st, 16) + e, 16); store<u32>(st, load<u32>(st, 20) + f, 20)
  store<u32>(st, load<u32>(st, 24) + g, 24); store<u32>(st, load<u32>(st, 28) + h, 28)
}

/** Loads the 64-byte block at `p` (big-endian words) into w[0..16). */
// @ts-ignore: decorator
@inline export function loadBlock (w: usize, p: usize): void {
  for (let t: usize = 0; t < 64; t += 4) store<u32>(w + t, bswap<u32>(load<u32>(p + t)))
}

/** Compresses a schedule whose first 16 words are already in `w`, into `st`. */
export function compressW (st: usize, w: usize): void {
  schedule(w)
  rounds(st, st, w, 0)
}

/** One SHA-256 compression of the 64-byte block at `block` into the state at `st`. */
export function sha256_compress (st: usize, block: usize): void {
  loadBlock(W, block)
  compressW(st, W)
}

/** Writes the initial hash value to `st`. */
export function sha256_init (st: usize): void {
  memory.copy(st, IV, 32)
}

/** Compresses `nblocks` whole 64-byte blocks starting at `p`. */
export function sha256_update (st: usize, p: usize, nblocks: u32): void {
  for (let i: u32 = 0; i < nblocks; i++) sha256_compress(st, p + (<usize>i << 6))
}

/** Writes the state as a big-endian digest (32 bytes) at `out`. */
export function stateToDigest (st: usize, out: usize): void {
  for (let i: usize = 0; i < 32; i += 4) store<u32>(out + i, bswap<u32>(load<u32>(st + i)))
}

/**
 * Pads and compresses the last `len` (< 64) bytes at `p` of a message of
 * `total` bytes, and writes the digest to `out`.
 */
export function sha256_final (st: usize, p: usize, len: u32, total: f64, out: usize): void {
  memory.copy(PAD, p, len)
  store<u8>(PAD + len, 0x80)
  const padLen: u32 = len < 56 ? 64 : 128
  memory.fill(PAD + len + 1, 0, padLen - len - 1)
  const bits = <u64>total << 3
  store<u32>(PAD + padLen - 8, bswap<u32>(<u32>(bits >>> 32)))
  store<u32>(PAD + padLen - 4, bswap<u32>(<u32>bits))
  sha256_compress(st, PAD)
  if (padLen === 128) sha256_compress(st, PAD + 64)
  stateToDigest(st, out)
}

/** SHA-256 of `len` bytes at `p`, digest to `out`. */
export function sha256_digest (p: usize, len: u32, out: usize): void {
  sha256_init(CTX)
  const full = len >>> 6
  sha256_update(CTX, p, full)
  sha256_final(CTX, p + (<usize>full << 6), len & 63, <f64>len, out)
}

/** SHA-256 of `n` messages of `size` bytes laid out back to back; digests back to back. */
export function sha256_batch (p: usize, size: u32, n: u32, out: usize): void {
  for (let i: u32 = 0; i < n; i++) sha256_digest(p + <usize>i * size, size, out + (<usize>i << 5))
}
