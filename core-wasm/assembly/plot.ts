// Proof-of-space labelling and the Merkle tree over the labels.
//   L[i] = H(seed ‖ u64be(i) ‖ L[i-1] ‖ L[p(i)]),  L[-1] = L[p(0)] = 0^32,
//   p(i) = u64be(L[i-1][0..8]) mod i  (i ≥ 1)
// Merkle: node = H(left ‖ right); the tree is stored level by level, leaves
// first, root last, so each level's parents are a batch of 64-byte messages.
import { IV, compressW, loadBlock, rounds, schedule, sha256_digest, stateToDigest } from './sha256'

const MSG: usize = memory.data(104, 64)
const NODE: usize = memory.data(64, 64)
const CUR: usize = memory.data(32, 32)
const ST: usize = memory.data(32, 32)
const W: usize = memory.data(256, 64)
/** Schedule of the constant second block of a 64-byte message (padding + length 512). */
export const PAD64W: usize = memory.data(256, 64)
let pad64Ready = false

/** Fills PAD64W once. */
export function pad64Schedule (): usize {
  if (!pad64Ready) {
    memory.fill(PAD64W, 0, 64)
    store<u32>(PAD64W, 0x80000000)
    store<u32>(PAD64W + 60, 512)
    schedule(PAD64W)
    pad64Ready = true
  }
  return PAD64W
}

/** SHA-256 of the 64 bytes at `p` (two compressions, the second one's schedule precomputed). */
export function hash64 (p: usize, out: usize): void {
  const pw = pad64Schedule()
  memory.copy(ST, IV, 32)
  loadBlock(W, p)
  compressW(ST, W)
  rounds(ST, ST, pw, 0)
  stateToDigest(ST, out)
}

/** n labels (32 bytes each) from the 32-byte seed, to `out`. */
export function plot_labels (seed: usize, n: u32, out: usize): void {
  memory.copy(MSG, seed, 32)
  memory.fill(MSG + 40, 0, 64)
  for (let i: u32 = 0; i < n; i++) {
    store<u64>(MSG + 32, bswap<u64>(<u64>i))
    if (i > 0) {
      const prev = out + (<usize>(i - 1) << 5)
      const p = <u32>(bswap<u64>(load<u64>(prev)) % <u64>i)
      memory.copy(MSG + 40, prev, 32)
      memory.copy(MSG + 72, out + (<usize>p << 5), 32)
    }
    sha256_digest(MSG, 104, out + (<usize>i << 5))
  }
}

/**
 * Fills the inner levels of a Merkle tree whose n leaves (a power of two)
 * are at `tree`; the buffer holds (2n - 1) * 32 bytes.
 */
export function merkle_tree (tree: usize, n: u32): void {
  let level = tree
  let width = n
  while (width > 1) {
    const next = level + (<usize>width << 5)
    for (let i: u32 = 0; i < width; i += 2) hash64(level + (<usize>i << 5), next + (<usize>i << 4))
    level = next
    width >>>= 1
  }
}

/**
 * Recomputes the root from a leaf, its index and its path of `height`
 * sibling hashes; 1 when it equals `root`.
 */
export function merkle_verify (leaf: usize, index: u32, path: usize, height: u32, root: usize): i32 {
  memory.copy(CUR, leaf, 32)
  let idx = index
  for (let h: u32 = 0; h < height; h++) {
    const sib = path + (<usize>h << 5)
    if ((idx & 1) === 0) {
      memory.copy(NODE, CUR, 32); memory.copy(NODE + 32, sib, 32)
    } else {
      memory.copy(NODE, sib, 32); memory.copy(NODE + 32, CUR, 32)
    }
    hash64(NODE, CUR)
    idx >>>= 1
  }
  let diff: u64 = 0
  for (let i: usize = 0; i < 32; i += 8) diff |= load<u64>(CUR + i) ^ load<u64>(root + i)
  return diff === 0 ? 1 : 0
}
