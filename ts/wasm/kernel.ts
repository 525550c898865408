/**
 * The hashing kernel: one interface, several implementations (TypeScript
 * reference, WASM scalar, WASM SIMD, and the node-host native addon). All of
 * them must return byte-identical results; the reference in `reference.ts`
 * is the definition.
 *
 * Definitions (H = SHA-256, FIPS 180-4; integers are big-endian):
 * - `powSearch(prefix, bits, start, count)`: the first nonce n in
 *   [start, start + count) such that H(prefix ‖ u64be(n)) has at least `bits`
 *   leading zero bits (bit 7 of byte 0 is the first bit). -1 if none.
 * - `vdfChain(seed, steps, k)`: x0 = seed (32 bytes), x(i+1) = H(x(i)).
 *   `steps` must be a multiple of `k`; returns k checkpoints of 32 bytes,
 *   checkpoint j (0-based) = x((j + 1) * steps / k). The last is the output.
 * - `vdfSegment(start, steps)`: x(steps) starting from x0 = start.
 * - `plotLabels(seed, n)`: proof-of-space labels, 32 bytes each:
 *   L[i] = H(seed ‖ u64be(i) ‖ L[i-1] ‖ L[p(i)]) with L[-1] = 0^32 and,
 *   for i = 0, L[p(0)] = 0^32; for i ≥ 1, p(i) = u64be(L[i-1][0..8]) mod i.
 *   `seed` is 32 bytes.
 * - `merkleTree(leaves)`: leaves are 32-byte values, their count a power of
 *   two (≥ 1). Node = H(left ‖ right). Returns every level back to back:
 *   the leaves, then each level up, the root last ((2n - 1) * 32 bytes).
 * - `merklePath(tree, n, index)`: the log2(n) sibling hashes from the leaf
 *   level up (32 bytes each).
 * - `merkleVerify(leaf, index, path, root)`: recomputes the root from the
 *   leaf and its path; true when it equals `root`. The tree height is
 *   path.length / 32 and index must be < 2^height.
 * @module
 */

export type KernelName = 'native' | 'simd' | 'scalar' | 'ts'

export interface Kernel {
  readonly name: KernelName
  /** SHA-256 of a message of any length. */
  sha256: (data: Uint8Array) => Uint8Array
  /** SHA-256 of `data.length / size` messages of `size` bytes each, laid out back to back; digests back to back. */
  sha256Batch: (data: Uint8Array, size: number) => Uint8Array
  /** First qualifying nonce in [start, start + count), or -1. start + count ≤ 2^53. */
  powSearch: (prefix: Uint8Array, bits: number, start: number, count: number) => number
  /** k checkpoints (k * 32 bytes) of the sequential chain from `seed`. */
  vdfChain: (seed: Uint8Array, steps: number, k: number) => Uint8Array
  /** The chain value `steps` hashes after `start`. */
  vdfSegment: (start: Uint8Array, steps: number) => Uint8Array
  /** n proof-of-space labels (n * 32 bytes). */
  plotLabels: (seed: Uint8Array, n: number) => Uint8Array
  /** Whole Merkle tree over power-of-two many 32-byte leaves, root last. */
  merkleTree: (leaves: Uint8Array) => Uint8Array
  /** Authentication path of leaf `index` in a tree built by `merkleTree` over n leaves. */
  merklePath: (tree: Uint8Array, n: number, index: number) => Uint8Array
  /** True when `leaf` at `index` with `path` hashes up to `root`. */
  merkleVerify: (leaf: Uint8Array, index: number, path: Uint8Array, root: Uint8Array) => boolean
}

/** Digest size of SHA-256 in bytes. */
export const HASH_BYTES = 32
/** Largest safe nonce bound (start + count). */
export const MAX_NONCE = Number.MAX_SAFE_INTEGER
