/**
 * Global address → {peer, asset, region, offset, permissions}: the NAT of
 * HyperMesh memory. Entries are keyed by the asset's base address (offset 0)
 * in the core-wasm 128-bit table (`NatTable`, or the TypeScript reference);
 * each value is a handle (index ‖ generation) into the entry list, so a stale
 * handle never resolves to a reused slot. Entries expire, and the node
 * invalidates an asset's entries when a committed block allocates,
 * releases, transfers, re-privatises, changes the state of or retires it
 * (`onCommittedBlock`).
 *
 * With a `source` (the ledger), the table is a cache over the ledger: a miss
 * or an expired entry is resolved from the committed state (`asset-addr/`
 * index → record → privacy rules for this node), so the node needs no code
 * of its own to follow registrations, and a block that frees an asset makes
 * its address unresolvable from that block on.
 */
import type { NatMap } from '../wasm/nat-reference.ts'
import type { StateReader } from '../ledger/state.ts'
import { ASSET_KINDS, ASSET_TX, assetAtAddress, type AssetRecordValue } from '../assets/index.ts'
import { AddressError, GlobalAddress } from './address.ts'
import { memPermissions } from './access.ts'
import { ALL_MEM_OPS } from './constants.ts'

export interface Translation {
  /** Full NodeId of the node that holds the bytes. */
  peer: Uint8Array
  assetId: Uint8Array
  /** The region: the asset's base address (offset 0); the holder keys its bytes by `assetId`. */
  region: GlobalAddress
  /** Offset within the asset's region. */
  offset: number
  /** Bytes in the region. */
  size: number
  permissions: number
}

export interface TranslatorEntry {
  address: GlobalAddress
  peer: Uint8Array
  assetId: Uint8Array
  size: number
  permissions: number
  /** ms since the epoch; Infinity for no expiry. */
  expiresAt: number
}

/** Transaction kinds after which an asset's translations are dropped (every such op starts with the 32-byte asset id; ts/assets ASSET_TX). */
export const INVALIDATING_TX_KINDS: ReadonlySet<string> = new Set([ASSET_TX.allocate, ASSET_TX.release, ASSET_TX.transfer, ASSET_TX.privacy, ASSET_TX.state, ASSET_TX.retire])

/** How long a translation resolved from the ledger is trusted before it is re-read (stake changes reach it this late at most). */
export const DEFAULT_TRANSLATION_TTL_MS = 60_000

/** The ledger as the translator's source of truth. */
export interface TranslationSource {
  /** The committed state (read at each miss, so pass a getter: the ledger replaces its state on snapshot sync). */
  state: () => StateReader
  /** NodeId of the node that translates: the privacy rules are applied for it. */
  self: Uint8Array
  /** Whether the ledger shows `id` with stake (e.g. `ledger.view().stakeOf(id) >= 1`). */
  hasStake: (id: Uint8Array) => boolean
  ttlMs?: number
}

/** The global address of byte `offset` of an asset: its owner's NodeId prefix, its kind and its slot. */
export function addressOfAsset (a: Pick<AssetRecordValue, 'owner' | 'kind' | 'slot'>, offset = 0): GlobalAddress {
  return GlobalAddress.from({ node: a.owner, kind: a.kind, index: a.slot, offset })
}

/** The translation entry of a Memory asset for node `self`, or undefined when `self` may not address it. */
export function entryForAsset (a: AssetRecordValue, self: Uint8Array, hasStake: boolean, expiresAt: number): TranslatorEntry | undefined {
  if (a.kind !== ASSET_KINDS.Memory || a.capacity === 0n || a.capacity > 0x1_0000_0000n) return undefined
  const permissions = memPermissions(a, self, hasStake)
  if (permissions === 0) return undefined
  return { address: addressOfAsset(a), peer: a.owner, assetId: a.id, size: Number(a.capacity), permissions, expiresAt }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
const hex = (b: Uint8Array): string => { let s = ''; for (const x of b) s += x.toString(16).padStart(2, '0'); return s }

export class Translator {
  private readonly table: NatMap
  private readonly entries: Array<(TranslatorEntry & { gen: number }) | undefined> = []
  private readonly free: number[] = []
  private readonly byAsset = new Map<string, Set<number>>()
  private gen = 0
  private readonly now: () => number
  private readonly source: TranslationSource | undefined

  constructor (table: NatMap, opts: { now?: () => number, source?: TranslationSource } = {}) {
    this.table = table
    this.now = opts.now ?? Date.now
    this.source = opts.source
    if (this.source !== undefined) {
      const ttl = this.source.ttlMs ?? DEFAULT_TRANSLATION_TTL_MS
      if (!(ttl > 0)) throw new AddressError('source.ttlMs must be positive')
      if (!(this.source.self instanceof Uint8Array) || this.source.self.length !== 32) throw new AddressError('source.self is a 32-byte NodeId')
    }
  }

  get size (): number { return this.table.size }

  /** Adds or replaces the translation of `e.address`'s asset. */
  set (e: TranslatorEntry): void {
    if (e.peer.length !== 32 || e.assetId.length !== 32) throw new AddressError('peer and assetId are 32 bytes')
    if (!Number.isSafeInteger(e.size) || e.size <= 0 || e.size > 0x1_0000_0000) throw new AddressError('size must be 1..2^32 bytes')
    if (!Number.isInteger(e.permissions) || e.permissions < 0 || e.permissions > ALL_MEM_OPS) throw new AddressError('permissions must be MEM_OPS bits')
    const key = e.address.base().bytes
    const old = this.table.get(key)
    if (old !== undefined) this.drop(key, Number(old & 0xffffffffn))
    const idx = this.free.pop() ?? this.entries.length
    const gen = (++this.gen) >>> 0
    this.entries[idx] = { ...e, address: e.address.base(), gen }
    this.table.insert(key, (BigInt(gen) << 32n) | BigInt(idx))
    const a = hex(e.assetId)
    let set = this.byAsset.get(a)
    if (set === undefined) { set = new Set(); this.byAsset.set(a, set) }
    set.add(idx)
  }

  /** The translation of `addr`, or undefined when unknown, expired, not admitted or past the region's end. */
  translate (addr: GlobalAddress): Translation | undefined {
    const v = this.table.get(addr.base().bytes)
    const t = v === undefined ? undefined : this.resolve(Number(v & 0xffffffffn), Number(v >> 32n), addr.offset)
    return t ?? this.fromSource(addr, v !== undefined)
  }

  /** Translates many addresses with one batch lookup in the table (misses go to the source one by one). */
  translateBatch (addrs: readonly GlobalAddress[]): Array<Translation | undefined> {
    const keys = new Uint8Array(addrs.length * 16)
    // the key is the base address: the first 12 bytes (the fresh buffer leaves the offset bytes zero)
    for (let i = 0; i < addrs.length; i++) {
      const b = addrs[i].bytes
      for (let j = 0, o = i * 16; j < 12; j++) keys[o + j] = b[j]
    }
    const { values, found } = this.table.getBatch(keys)
    // each value is gen ‖ idx; read the halves as u32 (little-endian words) instead of BigInt arithmetic
    const w = new Uint32Array(values.buffer, values.byteOffset, values.length * 2)
    const lo = LITTLE_ENDIAN ? 0 : 1
    const out = new Array<Translation | undefined>(addrs.length)
    for (let i = 0; i < addrs.length; i++) {
      const a = addrs[i]
      out[i] = (found[i] === 1 ? this.resolve(w[2 * i + lo], w[2 * i + 1 - lo], a.offset) : undefined) ?? this.fromSource(a, found[i] === 1)
    }
    return out
  }

  private resolve (idx: number, gen: number, offset: number): Translation | undefined {
    const e = this.entries[idx]
    if (e === undefined || e.gen !== gen) return undefined
    if (e.expiresAt <= this.now()) { this.drop(e.address.bytes, idx); return undefined }
    if (offset >= e.size) return undefined
    return { peer: e.peer, assetId: e.assetId, region: e.address, offset, size: e.size, permissions: e.permissions }
  }

  /** A miss (or an expired entry) read from the ledger and cached; `cached` skips a re-read of an entry that just missed on bounds. */
  private fromSource (addr: GlobalAddress, cached: boolean): Translation | undefined {
    const src = this.source
    if (src === undefined) return undefined
    if (cached && this.table.get(addr.base().bytes) !== undefined) return undefined // present and fresh: the offset was past the end
    const a = assetAtAddress(src.state(), addr.node, addr.kind, addr.index)
    if (a === undefined) return undefined
    const e = entryForAsset(a, src.self, src.hasStake(src.self), this.now() + (src.ttlMs ?? DEFAULT_TRANSLATION_TTL_MS))
    if (e === undefined) return undefined
    this.set(e)
    return e.size > addr.offset ? { peer: e.peer, assetId: e.assetId, region: e.address, offset: addr.offset, size: e.size, permissions: e.permissions } : undefined
  }

  /** Drops every translation of the asset; returns how many. */
  invalidate (assetId: Uint8Array): number {
    const set = this.byAsset.get(hex(assetId))
    if (set === undefined) return 0
    let n = 0
    for (const idx of [...set]) {
      const e = this.entries[idx]
      if (e !== undefined) { this.drop(e.address.bytes, idx); n++ }
    }
    return n
  }

  /**
   * Call after each committed block (before serving requests against its
   * state): drops the translations of the assets the block allocated,
   * released, transferred, re-privatised, changed the state of or retired.
   * With a source they are re-read from the ledger at their next use.
   */
  onCommittedBlock (block: { txs: ReadonlyArray<{ kind: string, op: Uint8Array }> }): number {
    let n = 0
    for (const tx of block.txs) if (INVALIDATING_TX_KINDS.has(tx.kind) && tx.op.length >= 32) n += this.invalidate(tx.op.subarray(0, 32))
    return n
  }

  private drop (key: Uint8Array, idx: number): void {
    const e = this.entries[idx]
    this.table.delete(key)
    if (e === undefined) return
    this.entries[idx] = undefined
    this.free.push(idx)
    const a = hex(e.assetId)
    const set = this.byAsset.get(a)
    set?.delete(idx)
    if (set !== undefined && set.size === 0) this.byAsset.delete(a)
  }
}
