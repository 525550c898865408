/**
 * RFC 6962 / RFC 9162 Merkle tree: tree hashes, inclusion and consistency
 * proof generation (RFC 6962 §2.1.1–2.1.2 PATH and SUBPROOF) over any
 * source of perfect-subtree hashes, and the RFC 9162 §2.1.3.2 / §2.1.4.2
 * verification algorithms.
 *
 * Sizes and indices are JS numbers up to Number.MAX_SAFE_INTEGER; the bit
 * arithmetic is done with division, not 32-bit operators.
 *
 * Verification is strict and never throws on proof data: a wrong hash
 * length, a proof of the wrong length, an index ≥ size, a size out of range
 * or a second size smaller than the first all give `false`. Only arguments
 * of the wrong type (not a Uint8Array, not an array) throw
 * InvalidArgumentError.
 * @module
 */
import { InvalidArgumentError } from '../../errors.ts'
import { EMPTY_ROOT, HASH_SIZE, hashChildren, hashLeaf } from './hash.ts'
import { bytesEqual } from './_codec.ts'

/** The largest tree size (and leaf count) this module handles. */
export const MAX_TREE_SIZE = Number.MAX_SAFE_INTEGER

/** A source of perfect-subtree hashes: `node(h, i)` = MTH(D[i·2^h : (i+1)·2^h]), which must lie inside the tree. */
export interface NodeSource {
  node: (height: number, index: number) => Uint8Array
}

function isSize (n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
}

function isPow2 (n: number): boolean {
  if (n < 1) return false
  while (n % 2 === 0) n /= 2
  return n === 1
}

/** Largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint (n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

function log2Exact (n: number): number {
  let h = 0
  while (n > 1) { n /= 2; h++ }
  return h
}

function half (n: number): number { return Math.floor(n / 2) }

/** Number of bits needed for x (0 → 0). */
function bitLength (x: number): number {
  let b = 0
  while (x > 0) { x = half(x); b++ }
  return b
}

function popCount (x: number): number {
  let c = 0
  while (x > 0) { c += x % 2; x = half(x) }
  return c
}

/** MTH(D[start:end]) from perfect-subtree hashes (start aligned as the RFC 6962 recursion keeps it). */
export function subtreeHash (src: NodeSource, start: number, end: number): Uint8Array {
  const n = end - start
  if (n <= 0) return EMPTY_ROOT
  if (isPow2(n) && start % n === 0) return src.node(log2Exact(n), start / n)
  const k = splitPoint(n)
  return hashChildren(subtreeHash(src, start, start + k), subtreeHash(src, start + k, end))
}

/** MTH over already-hashed leaves (RFC 6962 §2.1), without keeping nodes. */
export function rootFromLeafHashes (leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return EMPTY_ROOT
  // Fold a stack of perfect subtrees, then join them right to left.
  const stack: Array<{ h: Uint8Array, size: number }> = []
  for (const lh of leafHashes) {
    if (!(lh instanceof Uint8Array) || lh.length !== HASH_SIZE) throw new InvalidArgumentError('leaf hashes must be 32-byte Uint8Arrays')
    let cur = { h: lh, size: 1 }
    while (stack.length > 0 && stack[stack.length - 1].size === cur.size) {
      const left = stack.pop() as { h: Uint8Array, size: number }
      cur = { h: hashChildren(left.h, cur.h), size: cur.size * 2 }
    }
    stack.push(cur)
  }
  let acc = stack[stack.length - 1].h
  for (let i = stack.length - 2; i >= 0; i--) acc = hashChildren(stack[i].h, acc)
  return acc
}

/** MTH over raw entries. */
export function merkleTreeHash (entries: readonly Uint8Array[]): Uint8Array {
  return rootFromLeafHashes(entries.map((e) => hashLeaf(e)))
}

/** Number of hashes in the inclusion proof of `index` in a tree of `size` (index < size). */
export function inclusionProofLength (index: number, size: number): number {
  const inner = bitLength(xorNum(index, size - 1))
  return inner + popCount(Math.floor(index / 2 ** inner))
}

/** Number of hashes in the consistency proof from size1 to size2 (0 ≤ size1 ≤ size2). */
export function consistencyProofLength (size1: number, size2: number): number {
  if (size1 === 0 || size1 === size2) return 0
  // Climb from size1 - 1 while it is a right child, as verification does.
  let fn = size1 - 1
  let sn = size2 - 1
  while (fn % 2 === 1) { fn = half(fn); sn = half(sn) }
  let len = isPow2(size1) ? 0 : 1
  while (sn > 0) {
    if (fn % 2 === 1 || fn === sn) {
      len++
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = half(fn); sn = half(sn) }
    } else {
      len++
    }
    fn = half(fn); sn = half(sn)
  }
  return len
}

function xorNum (a: number, b: number): number {
  // XOR for non-negative safe integers, 26 bits at a time.
  const M = 2 ** 26
  let r = 0
  let f = 1
  while (a > 0 || b > 0) {
    r += ((a % M) ^ (b % M)) * f
    a = Math.floor(a / M); b = Math.floor(b / M); f *= M
  }
  return r
}

/** RFC 6962 PATH(index, D[0:size]): sibling hashes, bottom up. */
export function inclusionProof (src: NodeSource, index: number, size: number): Uint8Array[] {
  if (!isSize(size) || !isSize(index) || index >= size) throw new InvalidArgumentError(`inclusion proof needs 0 ≤ index < size, got index ${index}, size ${size}`)
  const out: Uint8Array[] = []
  path(src, index, 0, size, out)
  return out
}

function path (src: NodeSource, m: number, start: number, n: number, out: Uint8Array[]): void {
  if (n === 1) return
  const k = splitPoint(n)
  if (m < k) {
    path(src, m, start, k, out)
    out.push(subtreeHash(src, start + k, start + n))
  } else {
    path(src, m - k, start + k, n - k, out)
    out.push(subtreeHash(src, start, start + k))
  }
}

/** RFC 6962 PROOF(size1, D[0:size2]); empty when size1 is 0 or equals size2. */
export function consistencyProof (src: NodeSource, size1: number, size2: number): Uint8Array[] {
  if (!isSize(size1) || !isSize(size2) || size1 > size2) throw new InvalidArgumentError(`consistency proof needs 0 ≤ size1 ≤ size2, got ${size1}, ${size2}`)
  const out: Uint8Array[] = []
  if (size1 === 0 || size1 === size2) return out
  subproof(src, size1, 0, size2, true, out)
  return out
}

function subproof (src: NodeSource, m: number, start: number, n: number, b: boolean, out: Uint8Array[]): void {
  if (m === n) {
    if (!b) out.push(subtreeHash(src, start, start + n))
    return
  }
  const k = splitPoint(n)
  if (m <= k) {
    subproof(src, m, start, k, b, out)
    out.push(subtreeHash(src, start + k, start + n))
  } else {
    subproof(src, m - k, start + k, n - k, false, out)
    out.push(subtreeHash(src, start, start + k))
  }
}

function checkProofArg (proof: unknown): asserts proof is readonly Uint8Array[] {
  if (!Array.isArray(proof)) throw new InvalidArgumentError('proof must be an array of Uint8Array')
  for (const p of proof) if (!(p instanceof Uint8Array)) throw new InvalidArgumentError('proof must be an array of Uint8Array')
}

function checkBytesArg (name: string, v: unknown): asserts v is Uint8Array {
  if (!(v instanceof Uint8Array)) throw new InvalidArgumentError(`${name} must be a Uint8Array`)
}

function allHashes (proof: readonly Uint8Array[]): boolean {
  for (const p of proof) if (p.length !== HASH_SIZE) return false
  return true
}

/**
 * The root an inclusion proof leads to (RFC 9162 §2.1.3.2 steps 1–4), or
 * null when the proof cannot be valid for (index, size) whatever the root.
 */
export function rootFromInclusionProof (index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[]): Uint8Array | null {
  checkBytesArg('leafHash', leafHash)
  checkProofArg(proof)
  if (!isSize(index) || !isSize(size) || index >= size) return null
  if (leafHash.length !== HASH_SIZE || !allHashes(proof)) return null
  if (proof.length !== inclusionProofLength(index, size)) return null
  return climb(index, size - 1, leafHash, proof, 0)
}

/** The RFC 9162 inclusion loop from (fn, sn), reading proof[from..]; null if it does not end at sn = 0. */
function climb (fn: number, sn: number, r: Uint8Array, proof: readonly Uint8Array[], from: number): Uint8Array | null {
  for (let i = from; i < proof.length; i++) {
    const p = proof[i]
    if (sn === 0) return null
    if (fn % 2 === 1 || fn === sn) {
      r = hashChildren(p, r)
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = half(fn); sn = half(sn) }
    } else {
      r = hashChildren(r, p)
    }
    fn = half(fn); sn = half(sn)
  }
  return sn === 0 ? r : null
}

/** RFC 9162 §2.1.3.2: true iff `proof` shows the leaf with `leafHash` at `index` in the tree of `size` with `root`. */
export function verifyInclusion (index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  checkBytesArg('root', root)
  const r = rootFromInclusionProof(index, size, leafHash, proof)
  return r !== null && root.length === HASH_SIZE && bytesEqual(r, root)
}

/**
 * Inclusion of a perfect subtree node (height h, index i) — e.g. a full tile —
 * in a tree of `size`: the leaf-inclusion loop started at height h.
 */
export function verifyNodeInclusion (height: number, index: number, size: number, nodeHash: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  checkBytesArg('nodeHash', nodeHash)
  checkBytesArg('root', root)
  checkProofArg(proof)
  if (!isSize(height) || height > 53 || !isSize(index) || !isSize(size)) return false
  const w = 2 ** height
  if ((index + 1) * w > size) return false
  if (nodeHash.length !== HASH_SIZE || root.length !== HASH_SIZE || !allHashes(proof)) return false
  if (proof.length !== inclusionProofLength(index * w, size) - height) return false
  const r = climb(index, Math.floor((size - 1) / w), nodeHash, proof, 0)
  return r !== null && bytesEqual(r, root)
}

/**
 * RFC 9162 §2.1.4.2 with the edge cases of a complete verifier: size1 = 0
 * is consistent with anything (proof must be empty); size1 = size2 needs an
 * empty proof and equal roots; size2 < size1 is rejected.
 */
export function verifyConsistency (size1: number, size2: number, root1: Uint8Array, root2: Uint8Array, proof: readonly Uint8Array[]): boolean {
  checkBytesArg('root1', root1)
  checkBytesArg('root2', root2)
  checkProofArg(proof)
  if (!isSize(size1) || !isSize(size2) || size2 < size1) return false
  if (root1.length !== HASH_SIZE || root2.length !== HASH_SIZE || !allHashes(proof)) return false
  if (size1 === 0) return proof.length === 0
  if (size1 === size2) return proof.length === 0 && bytesEqual(root1, root2)
  if (proof.length === 0 || proof.length !== consistencyProofLength(size1, size2)) return false
  let path = proof
  if (isPow2(size1)) path = [root1, ...proof]
  let fn = size1 - 1
  let sn = size2 - 1
  while (fn % 2 === 1) { fn = half(fn); sn = half(sn) }
  let fr = path[0]
  let sr = path[0]
  for (let i = 1; i < path.length; i++) {
    const c = path[i]
    if (sn === 0) return false
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(c, fr)
      sr = hashChildren(c, sr)
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = half(fn); sn = half(sn) }
    } else {
      sr = hashChildren(sr, c)
    }
    fn = half(fn); sn = half(sn)
  }
  return sn === 0 && bytesEqual(fr, root1) && bytesEqual(sr, root2)
}
