/**
 * TransparencyLog: an append-only RFC 6962 log over a durable LogStorage.
 * Appends are queued and written in batches (one storage append per batch,
 * the next batch forms while one is being written — group commit); each
 * append resolves with its index only after its batch is durable, and the
 * tree (size, root, proofs, tiles) only ever includes durable entries.
 * All node hashes are kept in memory (MerkleHashStore, 32 bytes per node,
 * ≈ 64 B per entry); on open they are rebuilt from the stored entries.
 * @module
 */
import { AbortError, InvalidArgumentError, throwIfAborted } from '../../errors.ts'
import { LogStorageError } from './errors.ts'
import { hashLeaf } from './hash.ts'
import { MerkleHashStore } from './hash-store.ts'
import { consistencyProof, inclusionProof } from './merkle.ts'
import { signCheckpoint, type Checkpoint } from './checkpoint.ts'
import type { NoteSigner } from './note.ts'
import type { LogStorage } from './storage.ts'
import { encodeEntryBundle, tileEndLeaf, tileStartLeaf, type TilePath, type TileProof } from './tiles.ts'
import { MAX_ENTRY_BYTES, TILE_HEIGHT, TILE_WIDTH } from './constants.ts'

export interface TransparencyLogOptions {
  /** The checkpoint origin line, e.g. "mesh.example/trustchain/log". */
  origin: string
  /** Most entries written in one storage append (default 4096). */
  maxBatch?: number
  /** Most entries waiting for storage before append() refuses (default 65536). */
  maxPending?: number
}

export interface SignedCheckpoint {
  checkpoint: Checkpoint
  /** The signed note, as served at /checkpoint. */
  note: string
}

interface Pending {
  entry: Uint8Array
  resolve: (index: number) => void
  reject: (err: Error) => void
}

const READ_CHUNK = 4096

export class TransparencyLog {
  readonly origin: string
  readonly storage: LogStorage
  readonly #tree = new MerkleHashStore()
  readonly #maxBatch: number
  readonly #maxPending: number
  #pending: Pending[] = []
  #flushing: Promise<void> | null = null
  #latest: SignedCheckpoint | null = null

  private constructor (storage: LogStorage, options: TransparencyLogOptions) {
    if (typeof options.origin !== 'string' || options.origin.length === 0 || /[\u0000-\u001f]/.test(options.origin)) throw new InvalidArgumentError('origin must be a non-empty line')
    this.origin = options.origin
    this.storage = storage
    this.#maxBatch = options.maxBatch ?? 4096
    this.#maxPending = options.maxPending ?? 65536
    if (!Number.isInteger(this.#maxBatch) || this.#maxBatch < 1) throw new InvalidArgumentError('maxBatch must be a positive integer')
    if (!Number.isInteger(this.#maxPending) || this.#maxPending < 1) throw new InvalidArgumentError('maxPending must be a positive integer')
  }

  /** Opens a log over `storage`, rehashing the entries it already holds. */
  static async open (storage: LogStorage, options: TransparencyLogOptions & { signal?: AbortSignal }): Promise<TransparencyLog> {
    const log = new TransparencyLog(storage, options)
    const n = await storage.size()
    for (let i = 0; i < n; i += READ_CHUNK) {
      throwIfAborted(options.signal)
      const chunk = await storage.read(i, Math.min(n, i + READ_CHUNK))
      for (const e of chunk) log.#tree.appendLeafHash(hashLeaf(e))
    }
    return log
  }

  /** Durable entries in the tree. */
  get size (): number { return this.#tree.size }

  /** Entries waiting to be written. */
  get pending (): number { return this.#pending.length }

  /** Appends one entry; resolves with its index once it is durable. */
  append (entry: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<number> {
    if (!(entry instanceof Uint8Array)) return Promise.reject(new InvalidArgumentError('entry must be a Uint8Array'))
    if (entry.length > MAX_ENTRY_BYTES) return Promise.reject(new InvalidArgumentError(`entry larger than ${MAX_ENTRY_BYTES} bytes (entry bundles use a uint16 length)`))
    if (options.signal?.aborted === true) return Promise.reject(new AbortError())
    if (this.#pending.length >= this.#maxPending) return Promise.reject(new LogStorageError(`more than ${this.#maxPending} appends pending`))
    return new Promise<number>((resolve, reject) => {
      this.#pending.push({ entry: entry.slice(), resolve, reject })
      this.#schedule()
    })
  }

  /** Appends entries in order; resolves with their indices once all are durable. */
  appendMany (entries: readonly Uint8Array[], options: { signal?: AbortSignal } = {}): Promise<number[]> {
    return Promise.all(entries.map((e) => this.append(e, options)))
  }

  /** Resolves once every append queued so far has been written (or failed). */
  async flush (): Promise<void> {
    while (this.#flushing !== null) await this.#flushing
  }

  #schedule (): void {
    if (this.#flushing !== null) return
    this.#flushing = (async () => {
      // Let appends made in the same tick join the first batch.
      await Promise.resolve()
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, this.#maxBatch)
        const start = this.#tree.size
        try {
          await this.storage.append(start, batch.map((p) => p.entry))
        } catch (err) {
          const e = new LogStorageError('storage append failed', { cause: err })
          for (const p of batch) p.reject(e)
          continue
        }
        for (const p of batch) this.#tree.appendLeafHash(hashLeaf(p.entry))
        batch.forEach((p, i) => p.resolve(start + i))
      }
    })().finally(() => {
      this.#flushing = null
      // An append that arrived after the loop's last check but before this ran.
      if (this.#pending.length > 0) this.#schedule()
    })
  }

  /** MTH of the first `size` entries (default: all durable ones). */
  root (size: number = this.size): Uint8Array { return this.#tree.root(size).slice() }

  /** Leaf hash of entry `index`. */
  leafHash (index: number): Uint8Array { return this.#tree.node(0, index).slice() }

  inclusionProof (index: number, size: number = this.size): Uint8Array[] {
    this.#checkSize(size)
    return inclusionProof(this.#tree, index, size).map((h) => h.slice())
  }

  consistencyProof (size1: number, size2: number = this.size): Uint8Array[] {
    this.#checkSize(size2)
    return consistencyProof(this.#tree, size1, size2).map((h) => h.slice())
  }

  #checkSize (size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.size) throw new InvalidArgumentError(`tree size ${size} is outside 0..${this.size}`)
  }

  /** Signs a checkpoint of the current tree with every signer and makes it the one served. */
  checkpoint (signers: readonly NoteSigner[], extensions?: string[]): SignedCheckpoint {
    if (signers.length === 0) throw new InvalidArgumentError('a checkpoint needs at least one signer')
    const checkpoint: Checkpoint = { origin: this.origin, size: this.size, rootHash: this.root(), ...(extensions !== undefined && extensions.length > 0 ? { extensions } : {}) }
    const signed = { checkpoint, note: signCheckpoint(checkpoint, signers) }
    this.#latest = signed
    return signed
  }

  /** Publishes an already-signed checkpoint note (e.g. with validator cosignatures added) as the one served. */
  publishCheckpoint (signed: SignedCheckpoint): void {
    if (signed.checkpoint.origin !== this.origin || signed.checkpoint.size > this.size) throw new InvalidArgumentError('checkpoint is not of this log')
    const root = this.root(signed.checkpoint.size)
    if (!root.every((b, i) => b === signed.checkpoint.rootHash[i])) throw new InvalidArgumentError('checkpoint root is not this log\'s root at that size')
    this.#latest = signed
  }

  /** The checkpoint served at /checkpoint, or null before the first. */
  get latestCheckpoint (): SignedCheckpoint | null { return this.#latest }

  /** True when the tile's data exists in the current tree. */
  hasTile (t: TilePath): boolean {
    return tileEndLeaf(t) <= this.size
  }

  /** Bytes of a hash tile: `width` hashes of height 8·level. */
  hashTile (t: TilePath): Uint8Array {
    if (t.level === 'entries') throw new InvalidArgumentError('use entryBundle for entry bundles')
    if (!this.hasTile(t)) throw new InvalidArgumentError('tile beyond the tree')
    return this.#tree.nodes(TILE_HEIGHT * t.level, t.index * TILE_WIDTH, t.width)
  }

  /** Bytes of an entry bundle. */
  async entryBundle (t: TilePath): Promise<Uint8Array> {
    if (t.level !== 'entries') throw new InvalidArgumentError('not an entry bundle')
    if (!this.hasTile(t)) throw new InvalidArgumentError('bundle beyond the tree')
    const start = tileStartLeaf(t)
    return encodeEntryBundle(await this.storage.read(start, start + t.width))
  }

  /** The proof verifyHashTile / verifyEntryBundle need for tile `t` against the tree of `size`. */
  tileProof (t: TilePath, size: number = this.size): TileProof {
    this.#checkSize(size)
    const start = tileStartLeaf(t)
    const end = tileEndLeaf(t)
    if (end > size) throw new InvalidArgumentError('tile beyond that tree size')
    const left: Uint8Array[] = []
    let offset = 0
    for (let b = 52; b >= 0; b--) {
      const w = 2 ** b
      if (Math.floor(start / w) % 2 === 1) {
        left.push(this.#tree.node(b, offset / w).slice())
        offset += w
      }
    }
    left.reverse()
    return { left, consistency: this.consistencyProof(end, size) }
  }
}
