/**
 * The TypeScript reference kernel: the definition every other implementation
 * is tested against, and the fallback where WebAssembly is unavailable.
 * Written for clarity first; it is still a full, real SHA-256 (FIPS 180-4).
 * @module
 */
import type { Kernel } from './kernel.ts'
import { HASH_BYTES } from './kernel.ts'
import {
  checkBatch, checkBytes, checkLeaves, checkPathArgs, checkPlot, checkPow, checkVdf, checkVerifyArgs
} from './_args.ts'

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
])

/** Initial hash value H(0). */
export const SHA256_IV: readonly number[] = Object.freeze([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
])

const W = new Uint32Array(64)

/** One SHA-256 compression of the 64-byte block at `block[off..off+64)` into `state` (8 words). */
export function compress (state: Uint32Array, block: Uint8Array, off: number): void {
  for (let t = 0; t < 16; t++) {
    const o = off + t * 4
    W[t] = (block[o] << 24 | block[o + 1] << 16 | block[o + 2] << 8 | block[o + 3]) >>> 0
  }
  for (let t = 16; t < 64; t++) {
    const w15 = W[t - 15]
    const w2 = W[t - 2]
    const s0 = (w15 >>> 7 | w15 << 25) ^ (w15 >>> 18 | w15 << 14) ^ (w15 >>> 3)
    const s1 = (w2 >>> 17 | w2 << 15) ^ (w2 >>> 19 | w2 << 13) ^ (w2 >>> 10)
    W[t] = (W[t - 16] + s0 + W[t - 7] + s1) >>> 0
  }
  let a = state[0]; let b = state[1]; let c = state[2]; let d = state[3]
  let e = state[4]; let f = state[5]; let g = state[6]; let h = state[7]
  for (let t = 0; t < 64; t++) {
    const S1 = (e >>> 6 | e << 26) ^ (e >>> 11 | e << 21) ^ (e >>> 25 | e << 7)
    const ch = (e & f) ^ (~e & g)
    const t1 = (h + S1 + ch + K[t] + W[t]) >>> 0
    const S0 = (a >>> 2 | a << 30) ^ (a >>> 13 | a << 19) ^ (a >>> 22 | a << 10)
    const maj = (a & b) ^ (a & c) ^ (b & c)
    const t2 = (S0 + maj) >>> 0
    h = g; g = f; f = e; e = (d + t1) >>> 0
    d = c; c = b; b = a; a = (t1 + t2) >>> 0
  }
  state[0] = (state[0] + a) >>> 0; state[1] = (state[1] + b) >>> 0
  state[2] = (state[2] + c) >>> 0; state[3] = (state[3] + d) >>> 0
  state[4] = (state[4] + e) >>> 0; state[5] = (state[5] + f) >>> 0
  state[6] = (state[6] + g) >>> 0; state[7] = (state[7] + h) >>> 0
}

function stateToBytes (state: Uint32Array, out: Uint8Array, off: number): void {
  for (let i = 0; i < 8; i++) {
    const v = state[i]
    out[off + i * 4] = v >>> 24
    out[off + i * 4 + 1] = v >>> 16
    out[off + i * 4 + 2] = v >>> 8
    out[off + i * 4 + 3] = v
  }
}

/**
 * Finishes a hash whose first `done` bytes (a multiple of 64) are already in
 * `state`: pads `tail` (the remaining < 64 + x bytes) and compresses it.
 */
function finish (state: Uint32Array, tail: Uint8Array, totalLength: number): void {
  const padLen = ((tail.length + 9 + 63) >>> 6) << 6
  const buf = new Uint8Array(padLen)
  buf.set(tail)
  buf[tail.length] = 0x80
  const bits = totalLength * 8
  const dv = new DataView(buf.buffer)
  dv.setUint32(padLen - 8, Math.floor(bits / 2 ** 32))
  dv.setUint32(padLen - 4, bits >>> 0)
  for (let o = 0; o < padLen; o += 64) compress(state, buf, o)
}

export function sha256 (data: Uint8Array): Uint8Array {
  checkBytes('data', data)
  const state = new Uint32Array(SHA256_IV)
  const full = data.length - (data.length % 64)
  for (let o = 0; o < full; o += 64) compress(state, data, o)
  finish(state, data.subarray(full), data.length)
  const out = new Uint8Array(HASH_BYTES)
  stateToBytes(state, out, 0)
  return out
}

export function sha256Batch (data: Uint8Array, size: number): Uint8Array {
  checkBatch(data, size)
  const n = data.length / size
  const out = new Uint8Array(n * HASH_BYTES)
  for (let i = 0; i < n; i++) out.set(sha256(data.subarray(i * size, (i + 1) * size)), i * HASH_BYTES)
  return out
}

/** Number of leading zero bits of a digest. */
export function leadingZeroBits (digest: Uint8Array): number {
  let n = 0
  for (let i = 0; i < digest.length; i++) {
    const b = digest[i]
    if (b === 0) { n += 8; continue }
    return n + Math.clz32(b) - 24
  }
  return n
}

/** Writes n as 8 big-endian bytes at out[off..off+8). */
export function writeU64BE (out: Uint8Array, off: number, n: number): void {
  const hi = Math.floor(n / 2 ** 32)
  const lo = n >>> 0
  out[off] = hi >>> 24; out[off + 1] = hi >>> 16; out[off + 2] = hi >>> 8; out[off + 3] = hi
  out[off + 4] = lo >>> 24; out[off + 5] = lo >>> 16; out[off + 6] = lo >>> 8; out[off + 7] = lo
}

export function powSearch (prefix: Uint8Array, bits: number, start: number, count: number): number {
  checkPow(prefix, bits, start, count)
  // Midstate: compress the prefix's whole blocks once; each try hashes only the tail.
  const mid = new Uint32Array(SHA256_IV)
  const full = prefix.length - (prefix.length % 64)
  for (let o = 0; o < full; o += 64) compress(mid, prefix, o)
  const tail = new Uint8Array(prefix.length - full + 8)
  tail.set(prefix.subarray(full))
  const nonceAt = tail.length - 8
  const state = new Uint32Array(8)
  const digest = new Uint8Array(HASH_BYTES)
  const total = prefix.length + 8
  for (let n = start; n < start + count; n++) {
    writeU64BE(tail, nonceAt, n)
    state.set(mid)
    finish(state, tail, total)
    stateToBytes(state, digest, 0)
    if (leadingZeroBits(digest) >= bits) return n
  }
  return -1
}

export function vdfSegment (start: Uint8Array, steps: number): Uint8Array {
  checkBytes('start', start, HASH_BYTES)
  if (!Number.isSafeInteger(steps) || steps < 0) throw new RangeError(`steps must be a non-negative integer, got ${steps}`)
  let x = start.slice()
  for (let i = 0; i < steps; i++) x = sha256(x) as Uint8Array<ArrayBuffer>
  return x
}

export function vdfChain (seed: Uint8Array, steps: number, k: number): Uint8Array {
  checkVdf(seed, steps, k)
  const seg = steps / k
  const out = new Uint8Array(k * HASH_BYTES)
  let x: Uint8Array = seed
  for (let j = 0; j < k; j++) {
    x = vdfSegment(x, seg)
    out.set(x, j * HASH_BYTES)
  }
  return out
}

/** p(i) of the labelling: u64be(prev[0..8]) mod i, for i ≥ 1. */
export function plotParent (prev: Uint8Array, i: number): number {
  let v = 0n
  for (let b = 0; b < 8; b++) v = (v << 8n) | BigInt(prev[b])
  return Number(v % BigInt(i))
}

export function plotLabels (seed: Uint8Array, n: number): Uint8Array {
  checkPlot(seed, n)
  const labels = new Uint8Array(n * HASH_BYTES)
  const msg = new Uint8Array(32 + 8 + 32 + 32)
  msg.set(seed, 0)
  for (let i = 0; i < n; i++) {
    writeU64BE(msg, 32, i)
    if (i === 0) {
      msg.fill(0, 40)
    } else {
      const prev = labels.subarray((i - 1) * 32, i * 32)
      const p = plotParent(prev, i)
      msg.set(prev, 40)
      msg.set(labels.subarray(p * 32, p * 32 + 32), 72)
    }
    labels.set(sha256(msg), i * HASH_BYTES)
  }
  return labels
}

/** One Merkle node: H(left ‖ right). */
export function merkleNode (left: Uint8Array, right: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64)
  buf.set(left, 0)
  buf.set(right, 32)
  return sha256(buf)
}

export function merkleTree (leaves: Uint8Array): Uint8Array {
  const n = checkLeaves(leaves)
  const tree = new Uint8Array((2 * n - 1) * HASH_BYTES)
  tree.set(leaves)
  let levelStart = 0
  let width = n
  let write = n
  while (width > 1) {
    for (let i = 0; i < width; i += 2) {
      const l = tree.subarray((levelStart + i) * 32, (levelStart + i + 1) * 32)
      const r = tree.subarray((levelStart + i + 1) * 32, (levelStart + i + 2) * 32)
      tree.set(merkleNode(l, r), write * 32)
      write++
    }
    levelStart += width
    width /= 2
  }
  return tree
}

export function merklePath (tree: Uint8Array, n: number, index: number): Uint8Array {
  checkPathArgs(tree, n, index)
  const height = Math.log2(n)
  const path = new Uint8Array(height * HASH_BYTES)
  let levelStart = 0
  let width = n
  let idx = index
  for (let h = 0; h < height; h++) {
    const sib = levelStart + (idx ^ 1)
    path.set(tree.subarray(sib * 32, sib * 32 + 32), h * 32)
    levelStart += width
    width /= 2
    idx >>>= 1
  }
  return path
}

export function merkleVerify (leaf: Uint8Array, index: number, path: Uint8Array, root: Uint8Array): boolean {
  const height = checkVerifyArgs(leaf, index, path, root)
  let node = leaf
  let idx = index
  for (let h = 0; h < height; h++) {
    const sib = path.subarray(h * 32, h * 32 + 32)
    node = (idx & 1) === 0 ? merkleNode(node, sib) : merkleNode(sib, node)
    idx = Math.floor(idx / 2)
  }
  let diff = 0
  for (let i = 0; i < 32; i++) diff |= node[i] ^ root[i]
  return diff === 0
}

/** The reference kernel as a `Kernel` value. */
export const referenceKernel: Kernel = Object.freeze({
  name: 'ts',
  sha256,
  sha256Batch,
  powSearch,
  vdfChain,
  vdfSegment,
  plotLabels,
  merkleTree,
  merklePath,
  merkleVerify
})
