/**
 * The ledger's BlockStore on LevelDB (classic-level). Append-only blocks,
 * their commit certificates and the state they produce are written in ONE
 * atomic batch with `sync: true` (fsync before the promise resolves), so
 * after any crash — including `kill -9` or power loss — the store reopens at
 * the last block whose `put` resolved, with the matching state.
 *
 * Key layout (utf8 keys, binary values):
 *   m/latest, m/base        u64 heights (big-endian)
 *   b/<height:16 hex>       canonical block bytes
 *   c/<height:16 hex>       canonical certificate bytes (absent for a base block without one)
 *   h/<hash hex>            u64 height of the block with that hash
 *   s/<state key>           state value
 *   w/consensus             the consensus engine's write-ahead record
 */
import { ClassicLevel } from 'classic-level'
import { DecodeError, InvalidArgumentError } from '../../ts/errors.ts'
import {
  blockHash, bytesEqual, checkKey, decodeBlock, decodeCert, encodeBlock, encodeCert, toHex
} from '../../ts/ledger/index.ts'
import type { Block, BlockStore, CommitCertificate, StateEntry, StateWrite, StoredBlock } from '../../ts/ledger/index.ts'

/** The store's files could not be read back as what was written (disk corruption, foreign files). */
export class StoreCorruptError extends Error {
  static override readonly name = 'StoreCorruptError'
  override readonly name = 'StoreCorruptError'
  constructor (message: string, options?: ErrorOptions) { super(message, options) }
}

type Op = { type: 'put', key: string, value: Uint8Array } | { type: 'del', key: string }

const K_LATEST = 'm/latest'
const K_BASE = 'm/base'
const K_WAL = 'w/consensus'
const hk = (h: number): string => h.toString(16).padStart(16, '0')
const kBlock = (h: number): string => `b/${hk(h)}`
const kCert = (h: number): string => `c/${hk(h)}`
const kHash = (hash: Uint8Array): string => `h/${toHex(hash)}`
const kState = (k: string): string => `s/${k}`

/** classic-level hands back Buffers: return plain Uint8Arrays as the in-memory store does. */
function plain (b: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(b) === Uint8Array.prototype ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

function u64 (n: number): Uint8Array {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, BigInt(n))
  return b
}

function readU64 (b: Uint8Array, what: string): number {
  if (b.length !== 8) throw new StoreCorruptError(`store: ${what} is ${b.length} bytes, expected 8`)
  const v = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0)
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new StoreCorruptError(`store: ${what} out of range`)
  return Number(v)
}

export interface LevelBlockStoreOptions {
  /** fsync every write that the API promises durable (default true). Only benchmarks should turn this off. */
  sync?: boolean
}

export class LevelBlockStore implements BlockStore {
  readonly location: string
  private readonly db: ClassicLevel<string, Uint8Array>
  private readonly sync: boolean
  private latest = -1
  private base = 0
  /** Serialises writers so the height check and the batch cannot interleave. */
  private queue: Promise<unknown> = Promise.resolve()

  private constructor (location: string, opts: LevelBlockStoreOptions) {
    this.location = location
    this.sync = opts.sync ?? true
    this.db = new ClassicLevel<string, Uint8Array>(location, { keyEncoding: 'utf8', valueEncoding: 'view' })
  }

  /** Opens (creating if needed) the store at `location` and recovers its last finalized height. */
  static async open (location: string, opts: LevelBlockStoreOptions = {}): Promise<LevelBlockStore> {
    const s = new LevelBlockStore(location, opts)
    try {
      await s.db.open()
    } catch (err) {
      throw new StoreCorruptError(`store: cannot open LevelDB at ${location}: ${(err as Error).message}`, { cause: err })
    }
    try {
      const latest = await s.db.get(K_LATEST)
      const base = await s.db.get(K_BASE)
      s.latest = latest === undefined ? -1 : readU64(latest, 'latest height')
      s.base = base === undefined ? 0 : readU64(base, 'base height')
      if (s.latest >= 0) {
        // the head must be there and decode: otherwise the files are not what we wrote
        const head = await s.getByHeight(s.latest)
        if (head === undefined) throw new StoreCorruptError(`store: block ${s.latest} (the recorded head) is missing in ${location}`)
      }
    } catch (err) {
      await s.db.close()
      if ((err as Error).name === 'StoreCorruptError') throw err
      throw new StoreCorruptError(`store: ${location} is unreadable: ${(err as Error).message}`, { cause: err })
    }
    return s
  }

  async close (): Promise<void> {
    await this.queue.catch(() => {})
    await this.db.close()
  }

  private exclusive<T> (fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn)
    this.queue = run.catch(() => {})
    return run
  }

  async put (block: Block, cert: CommitCertificate, writes: readonly StateWrite[]): Promise<void> {
    const bytes = encodeBlock(block)
    const hash = blockHash(block)
    if (cert.height !== block.height) throw new InvalidArgumentError(`store: certificate is for height ${cert.height}, block is ${block.height}`)
    if (!bytesEqual(cert.blockHash, hash)) throw new InvalidArgumentError(`store: certificate does not name block ${block.height}'s hash`)
    const certBytes = encodeCert(cert)
    const ops: Op[] = [
      { type: 'put', key: kBlock(block.height), value: bytes },
      { type: 'put', key: kCert(block.height), value: certBytes },
      { type: 'put', key: kHash(hash), value: u64(block.height) }
    ]
    for (const [k, v] of writes) {
      checkKey(k)
      ops.push(v === null ? { type: 'del', key: kState(k) } : { type: 'put', key: kState(k), value: v })
    }
    ops.push({ type: 'put', key: K_LATEST, value: u64(block.height) })
    await this.exclusive(async () => {
      if (block.height !== this.latest + 1) throw new InvalidArgumentError(`store: expected height ${this.latest + 1}, got ${block.height}`)
      await this.db.batch(ops, { sync: this.sync })
      this.latest = block.height
    })
  }

  async getByHeight (height: number): Promise<StoredBlock | undefined> {
    if (!Number.isSafeInteger(height) || height < 0) return undefined
    const [b, c] = await this.db.getMany([kBlock(height), kCert(height)])
    if (b === undefined) return undefined
    let block: Block
    let cert: CommitCertificate | undefined
    try {
      block = decodeBlock(plain(b))
      cert = c === undefined ? undefined : decodeCert(plain(c))
    } catch (err) {
      if (err instanceof DecodeError) throw new StoreCorruptError(`store: block ${height} in ${this.location} does not decode: ${err.message}`, { cause: err })
      throw err
    }
    if (block.height !== height) throw new StoreCorruptError(`store: entry for height ${height} holds block ${block.height}`)
    if (cert !== undefined && !bytesEqual(cert.blockHash, blockHash(block))) throw new StoreCorruptError(`store: certificate at height ${height} does not match its block`)
    return { block, cert }
  }

  async getByHash (hash: Uint8Array): Promise<StoredBlock | undefined> {
    if (!(hash instanceof Uint8Array) || hash.length !== 32) return undefined
    const h = await this.db.get(kHash(hash))
    if (h === undefined) return undefined
    const stored = await this.getByHeight(readU64(h, 'hash index'))
    // a hash index left over from before a snapshot install points at nothing
    return stored !== undefined && bytesEqual(blockHash(stored.block), hash) ? stored : undefined
  }

  async latestHeight (): Promise<number> { return this.latest }
  async baseHeight (): Promise<number> { return this.base }

  async stateSnapshot (): Promise<StateEntry[]> {
    const out: StateEntry[] = []
    for await (const [k, v] of this.db.iterator({ gte: 's/', lt: 's0' })) out.push([k.slice(2), plain(v)])
    return out
  }

  async installSnapshot (block: Block, cert: CommitCertificate | undefined, entries: readonly StateEntry[]): Promise<void> {
    const hash = blockHash(block)
    if (cert !== undefined && (cert.height !== block.height || !bytesEqual(cert.blockHash, hash))) {
      throw new InvalidArgumentError('store: snapshot certificate does not match its block')
    }
    for (const [k] of entries) checkKey(k)
    await this.exclusive(async () => {
      // one batch: delete everything except the consensus record, then write the snapshot
      const ops: Op[] = []
      for await (const k of this.db.keys()) if (k !== K_WAL) ops.push({ type: 'del', key: k })
      ops.push({ type: 'put', key: kBlock(block.height), value: encodeBlock(block) })
      if (cert !== undefined) ops.push({ type: 'put', key: kCert(block.height), value: encodeCert(cert) })
      ops.push({ type: 'put', key: kHash(hash), value: u64(block.height) })
      for (const [k, v] of entries) ops.push({ type: 'put', key: kState(k), value: v })
      ops.push({ type: 'put', key: K_LATEST, value: u64(block.height) }, { type: 'put', key: K_BASE, value: u64(block.height) })
      await this.db.batch(ops, { sync: this.sync })
      this.latest = block.height
      this.base = block.height
    })
  }

  async putConsensusState (bytes: Uint8Array): Promise<void> {
    const copy = bytes.slice()
    await this.exclusive(async () => { await this.db.put(K_WAL, copy, { sync: this.sync }) })
  }

  async getConsensusState (): Promise<Uint8Array | undefined> {
    const v = await this.db.get(K_WAL)
    return v === undefined ? undefined : plain(v)
  }
}
