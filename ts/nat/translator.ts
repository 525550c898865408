/**
 * Global address → {peer, asset, region offset, permissions}: the NAT of
 * HyperMesh memory. Entries are keyed by the asset's base address (offset 0)
 * in the core-wasm 128-bit table (`NatTable`, or the TypeScript reference);
 * each value is a handle (index ‖ generation) into the entry list, so a stale
 * handle never resolves to a reused slot. Entries expire, and the node
 * invalidates an asset's entries when a committed block releases,
 * transfers, re-privatises or fails it (`onCommittedBlock`).
 */
import type { NatMap } from '../wasm/nat-reference.ts'
import { AddressError, GlobalAddress } from './address.ts'

/** Operations a translation (and a capability) may allow. */
export const MEM_OPS = Object.freeze({ read: 1, write: 2, cas: 4, fadd: 8 } as const)
export const ALL_MEM_OPS = 15

export interface Translation {
  /** Full NodeId of the node that holds the bytes. */
  peer: Uint8Array
  assetId: Uint8Array
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

/** Transaction kinds after which an asset's translations are dropped (their op starts with the asset id; ts/assets ASSET_TX). */
export const INVALIDATING_TX_KINDS: ReadonlySet<string> = new Set(['asset.release', 'asset.transfer', 'asset.privacy', 'asset.state', 'asset.retire'])

const hex = (b: Uint8Array): string => { let s = ''; for (const x of b) s += x.toString(16).padStart(2, '0'); return s }

export class Translator {
  private readonly table: NatMap
  private readonly entries: Array<(TranslatorEntry & { gen: number }) | undefined> = []
  private readonly free: number[] = []
  private readonly byAsset = new Map<string, Set<number>>()
  private gen = 0
  private readonly now: () => number

  constructor (table: NatMap, opts: { now?: () => number } = {}) {
    this.table = table
    this.now = opts.now ?? Date.now
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

  /** The translation of `addr`, or undefined when unknown, expired or past the region's end. */
  translate (addr: GlobalAddress): Translation | undefined {
    const v = this.table.get(addr.base().bytes)
    return v === undefined ? undefined : this.resolve(v, addr.offset)
  }

  /** Translates many addresses with one batch lookup in the table. */
  translateBatch (addrs: readonly GlobalAddress[]): Array<Translation | undefined> {
    const keys = new Uint8Array(addrs.length * 16)
    addrs.forEach((a, i) => { keys.set(a.bytes, i * 16); keys.fill(0, i * 16 + 12, i * 16 + 16) })
    const { values, found } = this.table.getBatch(keys)
    return addrs.map((a, i) => found[i] === 1 ? this.resolve(values[i], a.offset) : undefined)
  }

  private resolve (v: bigint, offset: number): Translation | undefined {
    const idx = Number(v & 0xffffffffn)
    const e = this.entries[idx]
    if (e === undefined || e.gen !== Number(v >> 32n)) return undefined
    if (e.expiresAt <= this.now()) { this.drop(e.address.bytes, idx); return undefined }
    if (offset >= e.size) return undefined
    return { peer: e.peer, assetId: e.assetId, offset, size: e.size, permissions: e.permissions }
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

  /** Call after each committed block: drops the translations of assets the block released, transferred, re-privatised or changed state of. */
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
