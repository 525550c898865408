/**
 * In-memory store of every perfect-subtree hash of an append-only RFC 6962
 * tree: level h holds MTH of each complete aligned block of 2^h leaves.
 * Appending a leaf costs one leaf hash plus one node hash per completed
 * block; any tree head, proof or tile of any earlier size is then
 * O(log n) lookups. Levels are kept in 8 KiB chunks of 256 hashes, which are
 * exactly the C2SP full tiles of levels 0, 8, 16, ….
 * @module
 */
import { InvalidArgumentError } from '../../errors.ts'
import { HASH_SIZE, hashChildren } from './hash.ts'
import { subtreeHash, type NodeSource } from './merkle.ts'

const CHUNK = 256

export class MerkleHashStore implements NodeSource {
  readonly #levels: Uint8Array[][] = []
  readonly #counts: number[] = []

  /** Leaves appended so far. */
  get size (): number { return this.#counts[0] ?? 0 }

  /** Number of complete nodes at `height`. */
  count (height: number): number { return this.#counts[height] ?? 0 }

  /** Appends one leaf hash (32 bytes). */
  appendLeafHash (leafHash: Uint8Array): void {
    if (!(leafHash instanceof Uint8Array) || leafHash.length !== HASH_SIZE) throw new InvalidArgumentError('leaf hash must be 32 bytes')
    let h = 0
    let cur = leafHash
    for (;;) {
      const i = this.#push(h, cur)
      if (i % 2 === 0) return
      cur = hashChildren(this.node(h, i - 1), cur)
      h++
    }
  }

  #push (h: number, hash: Uint8Array): number {
    if (this.#levels[h] === undefined) { this.#levels[h] = []; this.#counts[h] = 0 }
    const i = this.#counts[h]
    const c = Math.floor(i / CHUNK)
    const chunks = this.#levels[h]
    if (chunks[c] === undefined) chunks[c] = new Uint8Array(CHUNK * HASH_SIZE)
    chunks[c].set(hash, (i % CHUNK) * HASH_SIZE)
    this.#counts[h] = i + 1
    return i
  }

  /** MTH of leaves [i·2^h, (i+1)·2^h); the block must be complete. Returns a view: do not modify. */
  node (height: number, index: number): Uint8Array {
    if (!(index >= 0 && index < this.count(height))) throw new InvalidArgumentError(`no complete node at height ${height} index ${index}`)
    const off = (index % CHUNK) * HASH_SIZE
    return this.#levels[height][Math.floor(index / CHUNK)].subarray(off, off + HASH_SIZE)
  }

  /** `n` consecutive complete nodes at `height` from `index`, concatenated (a copy). */
  nodes (height: number, index: number, n: number): Uint8Array {
    if (!(n >= 0 && index >= 0 && index + n <= this.count(height))) throw new InvalidArgumentError(`nodes ${index}+${n} at height ${height} are not all complete`)
    const out = new Uint8Array(n * HASH_SIZE)
    for (let k = 0; k < n; k++) out.set(this.node(height, index + k), k * HASH_SIZE)
    return out
  }

  /** MTH(D[0:size]) for any size ≤ this.size. */
  root (size: number = this.size): Uint8Array {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.size) throw new InvalidArgumentError(`tree size ${size} is outside 0..${this.size}`)
    return subtreeHash(this, 0, size)
  }
}
