/**
 * The node's remote-memory service: allocates regions for Memory assets it
 * registers, serves them over the mem protocol, grants capabilities to peers
 * the asset's privacy admits (`/hypermesh/mem-grant/1.0.0`), translates
 * global addresses through the ledger-fed translator, and reads/writes remote
 * regions for the operator's API. Translations follow the ledger: added when
 * a Memory asset is registered, dropped in the block that releases,
 * re-privatises or retires it.
 */
import { bytes, struct, tagged, u8, utf8, varBytes, encodeCanonical } from '../../ts/wire/index.ts'
import { protocolId, type Stoq } from '../../ts/stoq/index.ts'
import { bytesEqual, toHex, txHash, type Block, type Ledger, type Transaction } from '../../ts/ledger/index.ts'
import { nodeIdFromHex, type KeyPair } from '../../ts/identity/index.ts'
import {
  ALL_MEM_OPS, GlobalAddress, INVALIDATING_TX_KINDS, Translator, issueCapability, memPermissions, type Translation
} from '../../ts/nat/index.ts'
import { ReferenceNatTable } from '../../ts/wasm/nat-reference.ts'
import { NatTable } from '../../ts/wasm/nat.ts'
import { loadKernelModule } from '../../ts/wasm/loader.ts'
import {
  ASSET_KINDS, ASSET_TX, AssetRecord, KEY_ASSET, KEY_BY_OWNER, KEY_SLOT, assetIdOf, encodeRegister, encodeRetire, getAsset, mayAddress,
  type AssetRecordValue, type Privacy
} from '../../ts/assets/index.ts'
import { RegionStore } from '../mem/regions.ts'
import { createMemHandler } from '../mem/server.ts'
import { MEM_PROTOCOL, MemSession } from '../mem/client.ts'
import { MAX_MEM_CHUNK, MEM_ERRORS, MemError } from '../mem/protocol.ts'

export const GRANT_PROTOCOL = protocolId('mem-grant', 1)
/** How long a granted capability lasts. */
export const GRANT_TTL_MS = 10 * 60_000

const GrantRequest = struct({ asset: bytes(32), ops: u8 }, 'grant request')
const GrantResponse = tagged({ ok: [0, struct({ capability: varBytes(4096) })], error: [1, struct({ message: utf8(300) })] } as const, u8, 'grant response')

export interface MemServiceHost {
  stoq: Stoq
  ledger: Ledger
  identity: KeyPair
  nodeId: Uint8Array
  submitOwnTx: (kind: string, op: Uint8Array, workKind: number) => Promise<{ reason: string | null, tx: Transaction | null }>
  waitForCommit: (hashHex: string, timeoutMs?: number) => Promise<Block>
  log: (line: string) => void
}

/** A refusal the API shows to the operator (the status says whose fault). */
export class MemServiceError extends Error {
  static override readonly name = 'MemServiceError'
  override readonly name = 'MemServiceError'
  readonly status: number
  constructor (status: number, message: string) { super(message); this.status = status }
}

export class MemService {
  readonly regions: RegionStore
  readonly translator: Translator
  private readonly host: MemServiceHost
  private readonly sessions = new Map<string, Promise<MemSession>>()

  private constructor (host: MemServiceHost, regions: RegionStore, translator: Translator) {
    this.host = host; this.regions = regions; this.translator = translator
  }

  static async create (host: MemServiceHost, budget?: number): Promise<MemService> {
    let table
    try { table = new NatTable(await loadKernelModule('simd')) } catch { table = new ReferenceNatTable() }
    const svc = new MemService(host, new RegionStore(budget), new Translator(table))
    for (const [k, v] of host.ledger.snapshotEntries()) {
      if (!k.startsWith(KEY_ASSET) || k.startsWith(KEY_BY_OWNER) || k.startsWith(KEY_SLOT)) continue
      try { svc.track(AssetRecord.decode(v)) } catch { /* not a record */ }
    }
    await host.stoq.handleFramed(MEM_PROTOCOL, createMemHandler({ regions: svc.regions, publicKey: host.identity.publicKey }), { maxMessageBytes: MAX_MEM_CHUNK + 64 })
    await host.stoq.handleFramed(GRANT_PROTOCOL, (b, ctx) => svc.grant(b, ctx.nodeId), { maxMessageBytes: 8192 })
    return svc
  }

  static addressOf (a: AssetRecordValue): GlobalAddress {
    return GlobalAddress.from({ node: a.owner, kind: a.kind, index: a.slot, offset: 0 })
  }

  private hasStake (id: Uint8Array): boolean { return (this.host.ledger.view().standingOf(id)?.stake ?? 0) >= 1 }

  /** Adds the translation of a Memory asset this node may address. */
  private track (a: AssetRecordValue): void {
    if (a.kind !== ASSET_KINDS.Memory) return
    if (!mayAddress(a, this.host.nodeId, this.hasStake(this.host.nodeId))) return
    this.translator.set({ address: MemService.addressOf(a), peer: a.owner, assetId: a.id, size: Number(a.capacity), permissions: ALL_MEM_OPS, expiresAt: Infinity })
  }

  /** Follows a committed block: new Memory assets become addressable, changed or retired ones are dropped (and re-added when still allowed). */
  onBlock (block: Block): void {
    const st = this.host.ledger.stateReader
    for (const tx of block.txs) {
      if (tx.kind === ASSET_TX.register) {
        const a = getAsset(st, assetIdOf(tx))
        if (a !== undefined) this.track(a)
      } else if (INVALIDATING_TX_KINDS.has(tx.kind) && tx.op.length >= 32) {
        const id = tx.op.subarray(0, 32)
        this.translator.invalidate(id)
        for (const [k, s] of this.sessions) if (k.endsWith(toHex(id))) { this.sessions.delete(k); void s.then(async (x) => await x.close()).catch(() => {}) }
        const a = getAsset(st, id)
        if (a !== undefined) this.track(a)
        else if (this.regions.free(id)) this.host.log(`freed the region of retired asset ${toHex(id).slice(0, 16)}…`)
      }
    }
  }

  /** Registers a Memory asset of `size` bytes backed by a new region; resolves once committed, with its global address. */
  async alloc (size: number, privacy: Privacy, allow: Uint8Array[] = []): Promise<{ address: GlobalAddress, asset: AssetRecordValue }> {
    if (!Number.isSafeInteger(size) || size <= 0 || size > 0xffffffff) throw new MemServiceError(400, 'size must be 1 byte .. 4 GiB - 1')
    if (this.regions.bytesAllocated + size > this.regions.budget) throw new MemServiceError(507, `this node's memory budget has ${this.regions.budget - this.regions.bytesAllocated} bytes left`)
    const op = encodeRegister({ kind: ASSET_KINDS.Memory, capacity: BigInt(size), privacy, allow, description: `${size} bytes of memory` })
    const { reason, tx } = await this.host.submitOwnTx(ASSET_TX.register, op, 0)
    if (reason !== null || tx === null) throw new MemServiceError(409, `registration refused: ${reason ?? 'unknown'}`)
    const id = assetIdOf(tx)
    this.regions.allocate(id, size)
    try {
      await this.host.waitForCommit(toHex(txHash(tx)), 60_000)
    } catch (err) { this.regions.free(id); throw new MemServiceError(504, (err as Error).message) }
    const a = getAsset(this.host.ledger.stateReader, id)
    if (a === undefined) { this.regions.free(id); throw new MemServiceError(500, 'the asset is not on the ledger after its block') }
    return { address: MemService.addressOf(a), asset: a }
  }

  /** Retires the Memory asset at `address` (this node must own it); resolves once committed (its region is freed in that block). */
  async free (address: GlobalAddress): Promise<number> {
    const t = this.resolve(address)
    if (!bytesEqual(t.peer, this.host.nodeId)) throw new MemServiceError(403, 'only the owner frees an asset')
    const { reason, tx } = await this.host.submitOwnTx(ASSET_TX.retire, encodeRetire({ asset: t.assetId }), 1)
    if (reason !== null || tx === null) throw new MemServiceError(409, `retire refused: ${reason ?? 'unknown'}`)
    const b = await this.host.waitForCommit(toHex(txHash(tx)), 60_000)
    return b.height
  }

  resolve (address: GlobalAddress): Translation {
    const t = this.translator.translate(address)
    if (t === undefined) {
      const base = this.translator.translate(address.base())
      if (base !== undefined) throw new MemServiceError(416, `offset ${address.offset} is past the end of the region (${base.size} bytes)`)
      throw new MemServiceError(404, `${address.toString()} is not an address this node may use (unknown, freed, or private)`)
    }
    return t
  }

  async read (address: GlobalAddress, length: number): Promise<Uint8Array> {
    const t = this.resolve(address)
    if (t.offset + length > t.size) throw new MemServiceError(416, `reading ${length} bytes at ${t.offset} passes the end of the region (${t.size} bytes)`)
    if (bytesEqual(t.peer, this.host.nodeId)) {
      const r = this.regions.get(t.assetId)
      if (r === undefined) throw new MemServiceError(410, 'region is gone')
      return RegionStore.read(r, BigInt(t.offset), length).slice()
    }
    return await this.remote(t, async (s) => await s.read(t.offset, length))
  }

  async write (address: GlobalAddress, data: Uint8Array): Promise<void> {
    const t = this.resolve(address)
    if (t.offset + data.length > t.size) throw new MemServiceError(416, `writing ${data.length} bytes at ${t.offset} passes the end of the region (${t.size} bytes)`)
    if (bytesEqual(t.peer, this.host.nodeId)) {
      const r = this.regions.get(t.assetId)
      if (r === undefined) throw new MemServiceError(410, 'region is gone')
      RegionStore.write(r, BigInt(t.offset), data)
      return
    }
    await this.remote(t, async (s) => { await s.write(t.offset, data) })
  }

  async fetchAdd (address: GlobalAddress, delta: bigint): Promise<bigint> {
    const t = this.resolve(address)
    if (bytesEqual(t.peer, this.host.nodeId)) {
      const r = this.regions.get(t.assetId)
      if (r === undefined) throw new MemServiceError(410, 'region is gone')
      return RegionStore.fadd(r, BigInt(t.offset), delta)
    }
    return await this.remote(t, async (s) => await s.fetchAdd(t.offset, delta))
  }

  private async remote<T> (t: Translation, f: (s: MemSession) => Promise<T>): Promise<T> {
    const peer = this.host.stoq.peers().find((p) => p.nodeId === toHex(t.peer))
    if (peer === undefined) throw new MemServiceError(503, `the owner ${toHex(t.peer).slice(0, 16)}… is not connected`)
    const key = `${peer.peerId}/${toHex(t.assetId)}`
    let sp = this.sessions.get(key)
    if (sp === undefined) {
      sp = (async () => {
        const reply = GrantResponse.decode(await this.host.stoq.requestFramed(peer.peerId, GRANT_PROTOCOL, encodeCanonical(GrantRequest, { asset: t.assetId, ops: ALL_MEM_OPS }), { maxMessageBytes: 8192 }))
        if (reply.type === 'error') throw new MemServiceError(403, `the owner refused access: ${reply.value.message}`)
        return await MemSession.open(this.host.stoq, peer.peerId, reply.value.capability)
      })()
      this.sessions.set(key, sp)
      sp.catch(() => { this.sessions.delete(key) })
    }
    try {
      return await f(await sp)
    } catch (err) {
      if (err instanceof MemError) throw new MemServiceError(err.code === MEM_ERRORS.bounds ? 416 : 403, err.message)
      this.sessions.delete(key)
      throw err
    }
  }

  /** Answers a grant request: a capability when the ledger's privacy rules admit the requester. */
  private grant (bytesIn: Uint8Array, requesterHex: string): Uint8Array {
    const no = (message: string): Uint8Array => encodeCanonical(GrantResponse, { type: 'error', value: { message } })
    let req
    try { req = GrantRequest.decode(bytesIn) } catch { return no('malformed request') }
    const a = getAsset(this.host.ledger.stateReader, req.asset)
    if (a === undefined || !bytesEqual(a.owner, this.host.nodeId)) return no('not an asset of this node')
    const region = this.regions.get(a.id)
    if (region === undefined) return no('no region for this asset on this node')
    const requester = nodeIdFromHex(requesterHex)
    const stake = this.hasStake(requester)
    if (!mayAddress(a, requester, stake)) return no('the asset\'s privacy does not admit this node')
    // what the ledger lets this node do to the bytes (an allocation is a write lease; see docs/assets.md)
    const ops = req.ops & memPermissions(a, requester, stake)
    if (ops === 0) return no(`the asset (state ${a.state}) grants this node none of the requested operations`)
    const capability = issueCapability(this.host.identity, {
      holder: requester, asset: a.id, offset: 0n, length: BigInt(region.bytes.length), ops, expires: BigInt(Date.now() + GRANT_TTL_MS)
    })
    return encodeCanonical(GrantResponse, { type: 'ok', value: { capability } })
  }
}
