/**
 * Hashing helpers for the ledger: SHA-256, hex, and the RFC 6962 Merkle tree
 * hash (MTH) with 0x00 leaf / 0x01 node prefixes, used for txRoot and
 * stateRoot.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { InvalidArgumentError } from '../errors.ts'

export const HASH_BYTES = 32
export const ZERO_HASH: Uint8Array = new Uint8Array(32)

export function sha256 (data: Uint8Array): Uint8Array { return nobleSha256(data) }

export function concatBytes (...parts: Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

export function toHex (b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i++) s += HEX[b[i]]
  return s
}

export function fromHex (s: string): Uint8Array {
  if (typeof s !== 'string' || s.length % 2 !== 0 || !/^[0-9a-f]*$/.test(s)) throw new InvalidArgumentError('hex: expected lowercase hex of even length')
  const out = new Uint8Array(s.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16)
  return out
}

export function bytesEqual (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Lexicographic byte comparison. */
export function compareBytes (a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i]
  return a.length - b.length
}

const LEAF = new Uint8Array([0])
const NODE = new Uint8Array([1])

/** RFC 6962 leaf hash: SHA-256(0x00 ‖ data). */
export function merkleLeafHash (data: Uint8Array): Uint8Array { return sha256(concatBytes(LEAF, data)) }
/** RFC 6962 interior node: SHA-256(0x01 ‖ left ‖ right). */
export function merkleNodeHash (l: Uint8Array, r: Uint8Array): Uint8Array { return sha256(concatBytes(NODE, l, r)) }

/** RFC 6962 MTH over already-hashed leaves; the empty tree is SHA-256(""). */
export function merkleRootOfLeafHashes (leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256(new Uint8Array(0))
  let level = leaves.slice()
  // Iterative form of MTH: split at the largest power of two < n is equivalent
  // to pairing left-to-right and promoting an odd last node unchanged.
  while (level.length > 1) {
    const next: Uint8Array[] = []
    for (let i = 0; i + 1 < level.length; i += 2) next.push(merkleNodeHash(level[i], level[i + 1]))
    if (level.length % 2 === 1) next.push(level[level.length - 1])
    level = next
  }
  return level[0]
}

/** RFC 6962 MTH over raw leaf data. */
export function merkleRoot (leafData: readonly Uint8Array[]): Uint8Array {
  return merkleRootOfLeafHashes(leafData.map(merkleLeafHash))
}

/** RFC 6962 audit path for leaf `index` (siblings from the bottom up). */
export function merkleAuditPath (leafData: readonly Uint8Array[], index: number): Uint8Array[] {
  if (!Number.isInteger(index) || index < 0 || index >= leafData.length) throw new InvalidArgumentError('merkleAuditPath: index out of range')
  const path: Uint8Array[] = []
  let level = leafData.map(merkleLeafHash)
  let i = index
  while (level.length > 1) {
    const sib = i ^ 1
    if (sib < level.length) path.push(level[sib])
    const next: Uint8Array[] = []
    for (let k = 0; k + 1 < level.length; k += 2) next.push(merkleNodeHash(level[k], level[k + 1]))
    if (level.length % 2 === 1) next.push(level[level.length - 1])
    level = next; i >>= 1
  }
  return path
}

/** Verifies an RFC 6962 audit path (RFC 9162 §2.1.3.2 algorithm). */
export function verifyMerkleAuditPath (leaf: Uint8Array, index: number, size: number, path: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size) return false
  let fn = index; let sn = size - 1
  let r = merkleLeafHash(leaf)
  for (const p of path) {
    if (sn === 0) return false
    if ((fn & 1) === 1 || fn === sn) {
      r = merkleNodeHash(p, r)
      if ((fn & 1) === 0) { while ((fn & 1) === 0 && fn !== 0) { fn >>= 1; sn >>= 1 } }
    } else {
      r = merkleNodeHash(r, p)
    }
    fn >>= 1; sn >>= 1
  }
  return sn === 0 && bytesEqual(r, root)
}
