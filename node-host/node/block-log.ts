/**
 * The node's transparency log of finalized blocks: one entry per block
 * (`u64be height ‖ blockHash ‖ stateRoot`, 72 bytes), appended durably after
 * the block commits, published in the C2SP formats (signed-note checkpoint
 * at /log/checkpoint, tlog-tiles at /log/tile/…) so that any tlog monitor or
 * witness can follow the chain and catch a node that rewrites it. The
 * checkpoint is signed by the node with Ed25519 (what the signed-note
 * ecosystem reads) and FALCON-1024 (type 0xff, docs/trustchain-log.md).
 *
 * The Ed25519 key is derived from the node's FALCON secret key:
 * seed = SHA-256("hypermesh/log/ed25519-seed/v1" ‖ falconSecretKey), so
 * keys.json stays the one secret to protect.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import path from 'node:path'
import {
  CheckpointPublisher, TransparencyLog, ed25519Signer, falconSigner, tlogRoutes, type TlogResponse
} from '../../ts/trustchain/log/index.ts'
import { blockHash, type Block, type BlockStore } from '../../ts/ledger/index.ts'
import type { KeyPair } from '../../ts/identity/index.ts'
import { LevelLogStorage } from '../log/level-log-storage.ts'

export const BLOCK_ENTRY_BYTES = 72

export function blockEntry (b: Block): Uint8Array {
  const e = new Uint8Array(BLOCK_ENTRY_BYTES)
  new DataView(e.buffer).setBigUint64(0, BigInt(b.height))
  e.set(blockHash(b), 8)
  e.set(b.stateRoot, 40)
  return e
}

export function decodeBlockEntry (e: Uint8Array): { height: number, hash: Uint8Array, stateRoot: Uint8Array } {
  if (e.length !== BLOCK_ENTRY_BYTES) throw new RangeError(`a block entry is ${BLOCK_ENTRY_BYTES} bytes`)
  return { height: Number(new DataView(e.buffer, e.byteOffset).getBigUint64(0)), hash: e.slice(8, 40), stateRoot: e.slice(40, 72) }
}

export class BlockLog {
  readonly log: TransparencyLog
  readonly origin: string
  readonly vkeys: { ed25519: string, falcon: string }
  private readonly storage: LevelLogStorage
  private readonly publisher: CheckpointPublisher
  private readonly routes: (p: string) => Promise<TlogResponse | null>
  /** Height of the last block appended (or queued). */
  private lastHeight: number
  private chain: Promise<unknown> = Promise.resolve()

  private constructor (storage: LevelLogStorage, log: TransparencyLog, origin: string, identity: KeyPair, lastHeight: number) {
    this.storage = storage; this.log = log; this.origin = origin; this.lastHeight = lastHeight
    const ed = ed25519Signer(origin, sha256(new Uint8Array([...new TextEncoder().encode('hypermesh/log/ed25519-seed/v1'), ...identity.secretKey])))
    const fa = falconSigner(origin, identity.secretKey, identity.publicKey)
    this.vkeys = { ed25519: ed.vkey, falcon: fa.vkey }
    this.publisher = new CheckpointPublisher(log, { signers: [ed, fa], intervalMs: 1000 })
    this.routes = tlogRoutes(log)
  }

  /** Opens `<dataDir>/log` and appends any finalized blocks the log is missing (after a crash between commit and append). */
  static async open (dataDir: string, origin: string, identity: KeyPair, store: BlockStore, height: number): Promise<BlockLog> {
    const storage = await LevelLogStorage.open(path.join(dataDir, 'log'))
    const log = await TransparencyLog.open(storage, { origin })
    let last = 0
    if (log.size > 0) last = decodeBlockEntry((await storage.read(log.size - 1, log.size))[0]).height
    const base = await store.baseHeight()
    const bl = new BlockLog(storage, log, origin, identity, Math.max(last, base))
    for (let h = Math.max(last, base) + 1; h <= height; h++) {
      const sb = await store.getByHeight(h)
      if (sb === undefined) break
      await log.append(blockEntry(sb.block))
      bl.lastHeight = h
    }
    await bl.publisher.publishNow()
    bl.publisher.start()
    return bl
  }

  get size (): number { return this.log.size }

  /** Appends a committed block (in order; a block at or below the last one is ignored, e.g. a snapshot jump is logged from there on). */
  onBlock (b: Block): void {
    if (b.height <= this.lastHeight) return
    this.lastHeight = b.height
    const entry = blockEntry(b)
    this.chain = this.chain.then(async () => await this.log.append(entry)).catch(() => {})
  }

  /** Serves /log/… (path relative to /log); null for paths that are not the log's. */
  async serve (p: string): Promise<TlogResponse | null> { return await this.routes(p) }

  async close (): Promise<void> {
    this.publisher.stop()
    await this.chain
    await this.log.flush().catch(() => {})
    await this.storage.close()
  }
}
