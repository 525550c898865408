/**
 * Block storage interface (hosts implement it: node-host on LevelDB,
 * browser-host on IndexedDB) and the in-memory implementation.
 */
import { InvalidArgumentError } from '../errors.ts'
import type { Block, CommitCertificate } from './types.ts'
import { blockHash } from './types.ts'
import { toHex } from './hash.ts'
import type { StateEntry } from './state.ts'

export interface StoredBlock {
  block: Block
  /** Certificate that finalized the block (undefined only for block 0). */
  cert: CommitCertificate | undefined
}

export type StateWrite = readonly [key: string, value: Uint8Array | null]

export interface BlockStore {
  /** Appends block `latestHeight()+1` with its certificate and the state writes it caused, atomically. */
  put: (block: Block, cert: CommitCertificate, writes: readonly StateWrite[]) => Promise<void>
  getByHeight: (height: number) => Promise<StoredBlock | undefined>
  getByHash: (hash: Uint8Array) => Promise<StoredBlock | undefined>
  /** Height of the latest finalized block, or -1 when empty. */
  latestHeight: () => Promise<number>
  /** Lowest height with a stored block (> 0 after a snapshot install). */
  baseHeight: () => Promise<number>
  /** The full state at `latestHeight()`, key-sorted. */
  stateSnapshot: () => Promise<StateEntry[]>
  /** Replaces everything with a verified snapshot: block + cert at its height and the state at it. */
  installSnapshot: (block: Block, cert: CommitCertificate | undefined, entries: readonly StateEntry[]) => Promise<void>
  /** The consensus engine's write-ahead record (locks, own votes); survives restarts. */
  putConsensusState: (bytes: Uint8Array) => Promise<void>
  getConsensusState: () => Promise<Uint8Array | undefined>
}

/** In-memory BlockStore (tests, simulator, ephemeral nodes). */
export class MemoryBlockStore implements BlockStore {
  private readonly blocks = new Map<number, StoredBlock>()
  private readonly byHash = new Map<string, number>()
  private readonly state = new Map<string, Uint8Array>()
  private latest = -1
  private base = 0
  private wal: Uint8Array | undefined

  async put (block: Block, cert: CommitCertificate, writes: readonly StateWrite[]): Promise<void> {
    this.putSync(block, cert, writes)
  }

  /** Synchronous form used by the simulator. */
  putSync (block: Block, cert: CommitCertificate | undefined, writes: readonly StateWrite[]): void {
    if (block.height !== this.latest + 1) throw new InvalidArgumentError(`store: expected height ${this.latest + 1}, got ${block.height}`)
    this.blocks.set(block.height, { block, cert })
    this.byHash.set(toHex(blockHash(block)), block.height)
    for (const [k, v] of writes) { if (v === null) this.state.delete(k); else this.state.set(k, v) }
    this.latest = block.height
  }

  async getByHeight (height: number): Promise<StoredBlock | undefined> { return this.blocks.get(height) }
  getByHeightSync (height: number): StoredBlock | undefined { return this.blocks.get(height) }
  async getByHash (hash: Uint8Array): Promise<StoredBlock | undefined> {
    const h = this.byHash.get(toHex(hash)); return h === undefined ? undefined : this.blocks.get(h)
  }

  async latestHeight (): Promise<number> { return this.latest }
  latestHeightSync (): number { return this.latest }
  async baseHeight (): Promise<number> { return this.base }
  baseHeightSync (): number { return this.base }
  async stateSnapshot (): Promise<StateEntry[]> { return this.stateSnapshotSync() }
  stateSnapshotSync (): StateEntry[] { return [...this.state.entries()].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0) }

  async installSnapshot (block: Block, cert: CommitCertificate | undefined, entries: readonly StateEntry[]): Promise<void> {
    this.installSnapshotSync(block, cert, entries)
  }

  installSnapshotSync (block: Block, cert: CommitCertificate | undefined, entries: readonly StateEntry[]): void {
    this.blocks.clear(); this.byHash.clear(); this.state.clear()
    this.blocks.set(block.height, { block, cert })
    this.byHash.set(toHex(blockHash(block)), block.height)
    for (const [k, v] of entries) this.state.set(k, v)
    this.latest = block.height; this.base = block.height
  }

  async putConsensusState (bytes: Uint8Array): Promise<void> { this.wal = bytes.slice() }
  putConsensusStateSync (bytes: Uint8Array): void { this.wal = bytes.slice() }
  async getConsensusState (): Promise<Uint8Array | undefined> { return this.wal }
  getConsensusStateSync (): Uint8Array | undefined { return this.wal }
}
