// Sequential chain x(i+1) = SHA-256(x(i)) over 32-byte values (the PoTime
// delay function). A 32-byte message is one block whose words 8..15 are the
// constant padding (0x80000000, 0 ×6, 256): those words, and every schedule
// term built only from them, are folded into constants; the previous digest's
// state words ARE the next message's words 0..7 (no byte swapping).
import { K, bsig0, bsig1, ssig0, ssig1, ch, maj } from './sha256'

const W: usize = memory.data(256, 64)
const ST: usize = memory.data(32, 32)

const H0: u32 = 0x6a09e667
const H1: u32 = 0xbb67ae85
const H2: u32 = 0x3c6ef372
const H3: u32 = 0xa54ff53a
const H4: u32 = 0x510e527f
const H5: u32 = 0x9b05688c
const H6: u32 = 0x1f83d9ab
const H7: u32 = 0x5be0cd19

/** K[t] + W[t] for the constant words t = 8..15 of a 32-byte message. */
const KW8: usize = memory.data<u32>([
  0xd807aa98 + 0x80000000, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174 + 256
], 32)

// @ts-ignore: decorator
@inline function w (t: usize): u32 { return load<u32>(W + (t << 2)) }
// @ts-ignore: decorator
@inline function setw (t: usize, v: u32): void { store<u32>(W + (t << 2), v) }

/** Runs `steps` chain steps on the state words at ST (native order, i.e. the digest's big-endian words). */
function chain (steps: u64): void {
  let x0 = load<u32>(ST, 0); let x1 = load<u32>(ST, 4); let x2 = load<u32>(ST, 8); let x3 = load<u32>(ST, 12)
  let x4 = load<u32>(ST, 16); let x5 = load<u32>(ST, 20); let x6 = load<u32>(ST, 24); let x7 = load<u32>(ST, 28)
  for (let i: u64 = 0; i < steps; i++) {
    // schedule, with the constant words folded in
    let w16 = ssig0(x1) + x0
    let w17 = ssig0(x2) + x1 + ssig1(256)
    let w18 = ssig1(w16) + ssig0(x3) + x2
    let w19 = ssig1(w17) + ssig0(x4) + x3
    let w20 = ssig1(w18) + ssig0(x5) + x4
    let w21 = ssig1(w19) + ssig0(x6) + x5
    let w22 = ssig1(w20) + 256 + ssig0(x7) + x6
    let w23 = ssig1(w21) + w16 + ssig0(0x80000000) + x7
    let w24 = ssig1(w22) + w17 + 0x80000000
    let w25 = ssig1(w23) + w18
    let w26 = ssig1(w24) + w19
    let w27 = ssig1(w25) + w20
    let w28 = ssig1(w26) + w21
    let w29 = ssig1(w27) + w22
    let w30 = ssig1(w28) + w23 + ssig0(256)
    let w31 = ssig1(w29) + w24 + ssig0(w16) + 256
    setw(16, w16); setw(17, w17); setw(18, w18); setw(19, w19); setw(20, w20); setw(21, w21); setw(22, w22); setw(23, w23)
    setw(24, w24); setw(25, w25); setw(26, w26); setw(27, w27); setw(28, w28); setw(29, w29); setw(30, w30); setw(31, w31)

    let a = H0; let b = H1; let c = H2; let d = H3; let e = H4; let f = H5; let g = H6; let h = H7
    let mx: u32 = 0; let my: u32 = b ^ c
    // rounds 0..7: the message words are the previous digest
    h += load<u32>(K, 0) + x0; h += ch(e, f, g); h += bsig1(e); d += h; mx = a ^ b; h += bsig0(a) + (b ^ (mx & my))
    g += load<u32>(K, 4) + x1; g += ch(d, e, f); g += bsig1(d); c += g; my = h ^ a; g += bsig0(h) + (a ^ (my & mx))
    f += load<u32>(K, 8) + x2; f += ch(c, d, e); f += bsig1(c); b += f; mx = g ^ h; f += bsig0(g) + (h ^ (mx & my))
    e += load<u32>(K, 12) + x3; e += ch(b, c, d); e += bsig1(b); a += e; my = f ^ g; e += bsig0(f) + (g ^ (my & mx))
    d += load<u32>(K, 16) + x4; d += ch(a, b, c); d += bsig1(a); h += d; mx = e ^ f; d += bsig0(e) + (f ^ (mx & my))
    c += load<u32>(K, 20) + x5; c += ch(h, a, b); c += bsig1(h); g += c; my = d ^ e; c += bsig0(d) + (e ^ (my & mx))
    b += load<u32>(K, 24) + x6; b += ch(g, h, a); b += bsig1(g); f += b; mx = c ^ d; b += bsig0(c) + (d ^ (mx & my))
    a += load<u32>(K, 28) + x7; a += ch(f, g, h); a += bsig1(f); e += a; my = b ^ c; a += bsig0(b) + (c ^ (my & mx))
    // rounds 8..15: constant K + W
    h += load<u32>(KW8, 0); h += ch(e, f, g); h += bsig1(e); d += h; mx = a ^ b; h += bsig0(a) + (b ^ (mx & my))
    g += load<u32>(KW8, 4); g += ch(d, e, f); g += bsig1(d); c += g; my = h ^ a; g += bsig0(h) + (a ^ (my & mx))
    f += load<u32>(KW8, 8); f += ch(c, d, e); f += bsig1(c); b += f; mx = g ^ h; f += bsig0(g) + (h ^ (mx & my))
    e += load<u32>(KW8, 12); e += ch(b, c, d); e += bsig1(b); a += e; my = f ^ g; e += bsig0(f) + (g ^ (my & mx))
    d += load<u32>(KW8, 16); d += ch(a, b, c); d += bsig1(a); h += d; mx = e ^ f; d += bsig0(e) + (f ^ (mx & my))
    c += load<u32>(KW8, 20); c += ch(h, a, b); c += bsig1(h); g += c; my = d ^ e; c += bsig0(d) + (e ^ (my & mx))
    b += load<u32>(KW8, 24); b += ch(g, h, a); b += bsig1(g); f += b; mx = c ^ d; b += bsig0(c) + (d ^ (mx & my))
    a += load<u32>(KW8, 28); a += ch(f, g, h); a += bsig1(f); e += a; my = b ^ c; a += bsig0(b) + (c ^ (my & mx))
    // rounds 16..31: schedule words still in locals
    h += load<u32>(K, 64) + w16; h += ch(e, f, g); h += bsig1(e); d += h; mx = a ^ b; h += bsig0(a) + (b ^ (mx & my))
    g += load<u32>(K, 68) + w17; g += ch(d, e, f); g += bsig1(d); c += g; my = h ^ a; g += bsig0(h) + (a ^ (my & mx))
    f += load<u32>(K, 72) + w18; f += ch(c, d, e); f += bsig1(c); b += f; mx = g ^ h; f += bsig0(g) + (h ^ (mx & my))
    e += load<u32>(K, 76) + w19; e += ch(b, c, d); e += bsig1(b); a += e; my = f ^ g; e += bsig0(f) + (g ^ (my & mx))
    d += load<u32>(K, 80) + w20; d += ch(a, b, c); d += bsig1(a); h += d; mx = e ^ f; d += bsig0(e) + (f ^ (mx & my))
    c += load<u32>(K, 84) + w21; c += ch(h, a, b); c += bsig1(h); g += c; my = d ^ e; c += bsig0(d) + (e ^ (my & mx))
    b += load<u32>(K, 88) + w22; b += ch(g, h, a); b += bsig1(g); f += b; mx = c ^ d; b += bsig0(c) + (d ^ (mx & my))
    a += load<u32>(K, 92) + w23; a += ch(f, g, h); a += bsig1(f); e += a; my = b ^ c; a += bsig0(b) + (c ^ (my & mx))
    h += load<u32>(K, 96) + w24; h += ch(e, f, g); h += bsig1(e); d += h; mx = a ^ b; h += bsig0(a) + (b ^ (mx & my))
    g += load<u32>(K, 100) + w25; g += ch(d, e, f); g += bsig1(d); c += g; my = h ^ a; g += bsig0(h) + (a ^ (my & mx))
    f += load<u32>(K, 104) + w26; f += ch(c, d, e); f += bsig1(c); b += f; mx = g ^ h; f += bsig0(g) + (h ^ (mx & my))
    e += load<u32>(K, 108) + w27; e += ch(b, c, d); e += bsig1(b); a += e; my = f ^ g; e += bsig0(f) + (g ^ (my & mx))
    d += load<u32>(K, 112) + w28; d += ch(a, b, c); d += bsig1(a); h += d; mx = e ^ f; d += bsig0(e) + (f ^ (mx & my))
    c += load<u32>(K, 116) + w29; c += ch(h, a, b); c += bsig1(h); g += c; my = d ^ e; c += bsig0(d) + (e ^ (my & mx))
    b += load<u32>(K, 120) + w30; b += ch(g, h, a); b += bsig1(g); f += b; mx = c ^ d; b += bsig0(c) + (d ^ (mx & my))
    a += load<u32>(K, 124) + w31; a += ch(f, g, h); a += bsig1(f); e += a; my = b ^ c; a += bsig0(b) + (c ^ (my & mx))
    // rounds 32..63, their schedule words computed alongside
    let wt: u32 = 0
    for (let t: usize = 128; t < 256; t += 32) {
      const p = W + t
      const k = K + t
      wt = ssig1(load<u32>(p - 8)) + load<u32>(p - 28) + ssig0(load<u32>(p - 60)) + load<u32>(p - 64); store<u32>(p, wt, 0); wt += load<u32>(k, 0)
      h += wt; h += ch(e, f, g); h += bsig1(e); d += h; mx = a ^ b; h += bsig0(a) + (b ^ (mx & my))
      wt = ssig1(load<u32>(p - 4)) + load<u32>(p - 24) + ssig0(load<u32>(p - 56)) + load<u32>(p - 60); store<u32>(p, wt, 4); wt += load<u32>(k, 4)
      g += wt; g += ch(d, e, f); g += bsig1(d); c += g; my = h ^ a; g += bsig0(h) + (a ^ (my & mx))
      wt = ssig1(load<u32>(p, 0)) + load<u32>(p - 20) + ssig0(load<u32>(p - 52)) + load<u32>(p - 56); store<u32>(p, wt, 8); wt += load<u32>(k, 8)
      f += wt; f += ch(c, d, e); f += bsig1(c); b += f; mx = g ^ h; f += bsig0(g) + (h ^ (mx & my))
      wt = ssig1(load<u32>(p, 4)) + load<u32>(p - 16) + ssig0(load<u32>(p - 48)) + load<u32>(p - 52); store<u32>(p, wt, 12); wt += load<u32>(k, 12)
      e += wt; e += ch(b, c, d); e += bsig1(b); a += e; my = f ^ g; e += bsig0(f) + (g ^ (my & mx))
      wt = ssig1(load<u32>(p, 8)) + load<u32>(p - 12) + ssig0(load<u32>(p - 44)) + load<u32>(p - 48); store<u32>(p, wt, 16); wt += load<u32>(k, 16)
      d += wt; d += ch(a, b, c); d += bsig1(a); h += d; mx = e ^ f; d += bsig0(e) + (f ^ (mx & my))
      wt = ssig1(load<u32>(p, 12)) + load<u32>(p - 8) + ssig0(load<u32>(p - 40)) + load<u32>(p - 44); store<u32>(p, wt, 20); wt += load<u32>(k, 20)
      c += wt; c += ch(h, a, b); c += bsig1(h); g += c; my = d ^ e; c += bsig0(d) + (e ^ (my & mx))
      wt = ssig1(load<u32>(p, 16)) + load<u32>(p - 4) + ssig0(load<u32>(p - 36)) + load<u32>(p - 40); store<u32>(p, wt, 24); wt += load<u32>(k, 24)
      b += wt; b += ch(g, h, a); b += bsig1(g); f += b; mx = c ^ d; b += bsig0(c) + (d ^ (mx & my))
      wt = ssig1(load<u32>(p, 20)) + load<u32>(p, 0) + ssig0(load<u32>(p - 32)) + load<u32>(p - 36); store<u32>(p, wt, 28); wt += load<u32>(k, 28)
      a += wt; a += ch(f, g, h); a += bsig1(f); e += a; my = b ^ c; a += bsig0(b) + (c ^ (my & mx))
    }
    x0 = H0 + a; x1 = H1 + b; x2 = H2 + c; x3 = H3 + d; x4 = H4 + e; x5 = H5 + f; x6 = H6 + g; x7 = H7 + h
  }
  store<u32>(ST, x0, 0); store<u32>(ST, x1, 4); store<u32>(ST, x2, 8); store<u32>(ST, x3, 12)
  store<u32>(ST, x4, 16); store<u32>(ST, x5, 20); store<u32>(ST, x6, 24); store<u32>(ST, x7, 28)
}

// @ts-ignore: decorator
@inline function loadDigest (p: usize): void {
  for (let i: usize = 0; i < 32; i += 4) store<u32>(ST + i, bswap<u32>(load<u32>(p + i)))
}

// @ts-ignore: decorator
@inline function storeDigest (p: usize): void {
  for (let i: usize = 0; i < 32; i += 4) store<u32>(p + i, bswap<u32>(load<u32>(ST + i)))
}

/** x(steps) from x0 = the 32 bytes at `start`; writes 32 bytes to `out`. */
export function vdf_segment (start: usize, steps: f64, out: usize): void {
  loadDigest(start)
  chain(<u64>steps)
  storeDigest(out)
}

/** k checkpoints (32 bytes each, to `out`) of the chain of `steps` (a multiple of k) from `seed`. */
export function vdf_chain (seed: usize, steps: f64, k: u32, out: usize): void {
  const seg = <u64>steps / <u64>k
  loadDigest(seed)
  for (let j: u32 = 0; j < k; j++) {
    chain(seg)
    storeDigest(out + (<usize>j << 5))
  }
}
