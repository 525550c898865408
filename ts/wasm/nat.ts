/**
 * NatTable: the NAT translation table (128-bit keys → 64-bit values) in the
 * core-wasm module's linear memory. The slots live in a region this class
 * allocates from `mod.heap`; keys and results pass through the heap's
 * scratch region. Same API and results as `ReferenceNatTable`.
 *
 * Capacity: a power of two ≥ 16 slots of 32 bytes, load factor ≤ 3/4; the
 * table doubles (rehash in WASM) when an insert needs room, up to
 * `maxEntries` (default 2^24); inserting a new key beyond that throws
 * `NatTableFullError` (updates of existing keys still work).
 *
 * @example
 * ```ts
 * const t = new NatTable(instantiateKernelModule())
 * t.insert(key16, 42n)
 * t.getBatch(keysNx16) // { values, found, hits }
 * t.dispose()
 * ```
 * @module
 */
import type { KernelModule } from './loader.ts'
import {
  NAT_SLOT_BYTES, NatTableFullError, batchOut, checkKey, checkKeys, checkValue, natOptions, natRoom,
  type NatBatchResult, type NatMap, type NatTableOptions
} from './nat-reference.ts'
import { InvalidArgumentError, KernelUnavailableError } from '../errors.ts'

export {
  NatTableFullError, ReferenceNatTable, NAT_KEY_BYTES, NAT_SLOT_BYTES, NAT_MIN_CAPACITY,
  NAT_DEFAULT_MAX_ENTRIES, NAT_MAX_ENTRIES_LIMIT, natCapacityFor, natHash
} from './nat-reference.ts'
export type { NatMap, NatTableOptions, NatBatchResult } from './nat-reference.ts'

/** Keys per WASM call in batch operations (bounds the scratch region to ~1.6 MB). */
const BATCH = 65536

const REQUIRED = ['nat_insert', 'nat_insert_batch', 'nat_get', 'nat_get_batch', 'nat_delete', 'nat_rehash'] as const

export class NatTable implements NatMap {
  readonly maxEntries: number
  private readonly mod: KernelModule
  private tab: number
  private cap: number
  private count = 0
  private disposed = false

  constructor (mod: KernelModule, opts?: NatTableOptions) {
    for (const name of REQUIRED) {
      if (typeof mod.exports[name] !== 'function') throw new KernelUnavailableError(`core-wasm ${mod.variant} module lacks export ${name}`)
    }
    const [cap, maxEntries] = natOptions(opts)
    this.mod = mod
    this.maxEntries = maxEntries
    this.cap = cap
    this.tab = this.allocTable(cap)
  }

  get size (): number { return this.count }
  get capacity (): number { return this.cap }

  private allocTable (cap: number): number {
    const heap = this.mod.heap
    const p = heap.alloc(cap * NAT_SLOT_BYTES)
    heap.u8().fill(0, p, p + cap * NAT_SLOT_BYTES)
    return p
  }

  private live (): void {
    if (this.disposed) throw new InvalidArgumentError('NatTable used after dispose()')
  }

  private grow (): void {
    const cap = this.cap * 2
    const tab = this.allocTable(cap)
    this.mod.exports.nat_rehash(this.tab, this.cap, tab, cap - 1)
    this.mod.heap.release(this.tab)
    this.tab = tab
    this.cap = cap
  }

  /** Writes key (and value) into scratch; returns the scratch address. */
  private stage (key: Uint8Array, value?: bigint): number {
    const heap = this.mod.heap
    const p = heap.scratch(64)
    heap.u8().set(key, p)
    if (value !== undefined) heap.dv().setBigUint64(p + 16, value, true)
    return p
  }

  /** Makes room for one new key (grows or throws NatTableFullError) when the key is absent. */
  private ensureRoomFor (key: Uint8Array): void {
    if (natRoom(this.count, this.cap, this.maxEntries) > 0) return
    const p = this.stage(key)
    if (this.mod.exports.nat_get(this.tab, this.cap - 1, p, p + 32) === 1) return // an update needs no room
    if (this.count >= this.maxEntries) throw new NatTableFullError(`NAT table full: ${this.maxEntries} entries`)
    this.grow()
  }

  insert (key: Uint8Array, value: bigint): boolean {
    this.live()
    checkKey(key)
    checkValue(value)
    this.ensureRoomFor(key)
    const p = this.stage(key, value)
    const r = this.mod.exports.nat_insert(this.tab, this.cap - 1, p)
    if (r < 0) throw new KernelUnavailableError('nat_insert found no empty slot (table invariant broken)')
    this.count += r
    return r === 1
  }

  insertBatch (keys: Uint8Array, values: BigUint64Array): number {
    this.live()
    const n = checkKeys(keys)
    if (!(values instanceof BigUint64Array) || values.length !== n) throw new InvalidArgumentError(`values must be a BigUint64Array of ${n}`)
    const heap = this.mod.heap
    const ex = this.mod.exports
    let added = 0
    let j = 0
    while (j < n) {
      let room = natRoom(this.count, this.cap, this.maxEntries)
      if (room <= 0) {
        // no room: one entry at a time, so the table grows (or throws
        // NatTableFullError) only when a new key needs room, as the reference does
        const k = keys.subarray(j * 16, j * 16 + 16)
        if (this.insert(k, values[j])) added++
        j++
        continue
      }
      room = Math.min(room, n - j, BATCH)
      const p = heap.scratch(room * 24)
      const u8 = heap.u8()
      const dv = heap.dv()
      for (let k = 0; k < room; k++) {
        u8.set(keys.subarray((j + k) * 16, (j + k) * 16 + 16), p + k * 24)
        dv.setBigUint64(p + k * 24 + 16, values[j + k], true)
      }
      const r = ex.nat_insert_batch(this.tab, this.cap - 1, p, room)
      if (r < 0) throw new KernelUnavailableError('nat_insert_batch found no empty slot (table invariant broken)')
      this.count += r
      added += r
      j += room
    }
    return added
  }

  get (key: Uint8Array): bigint | undefined {
    this.live()
    checkKey(key)
    const p = this.stage(key)
    if (this.mod.exports.nat_get(this.tab, this.cap - 1, p, p + 16) !== 1) return undefined
    return this.mod.heap.dv().getBigUint64(p + 16, true)
  }

  has (key: Uint8Array): boolean {
    this.live()
    checkKey(key)
    const p = this.stage(key)
    return this.mod.exports.nat_get(this.tab, this.cap - 1, p, p + 16) === 1
  }

  delete (key: Uint8Array): boolean {
    this.live()
    checkKey(key)
    const p = this.stage(key)
    const r = this.mod.exports.nat_delete(this.tab, this.cap - 1, p)
    this.count -= r
    return r === 1
  }

  getBatch (keys: Uint8Array, out?: { values?: BigUint64Array, found?: Uint8Array }): NatBatchResult {
    this.live()
    const n = checkKeys(keys)
    const { values, found } = batchOut(n, out)
    const heap = this.mod.heap
    const ex = this.mod.exports
    const values8 = new Uint8Array(values.buffer, values.byteOffset, n * 8)
    let hits = 0
    for (let j = 0; j < n; j += BATCH) {
      const m = Math.min(BATCH, n - j)
      const p = heap.scratch(m * 25)
      const vp = p + m * 16
      const fp = vp + m * 8
      const u8 = heap.u8()
      u8.set(keys.subarray(j * 16, (j + m) * 16), p)
      hits += ex.nat_get_batch(this.tab, this.cap - 1, p, m, vp, fp)
      values8.set(u8.subarray(vp, vp + m * 8), j * 8)
      found.set(u8.subarray(fp, fp + m), j)
    }
    return { values, found, hits }
  }

  * entries (): IterableIterator<[Uint8Array, bigint]> {
    this.live()
    for (let i = 0; i < this.cap; i++) {
      // re-take the view each step: the caller may grow memory between yields
      const s = this.tab + i * NAT_SLOT_BYTES
      const dv = this.mod.heap.dv()
      if (dv.getUint32(s + 28, true) === 0) continue
      yield [this.mod.heap.u8().slice(s, s + 16), dv.getBigUint64(s + 16, true)]
    }
  }

  clear (): void {
    this.live()
    this.mod.heap.u8().fill(0, this.tab, this.tab + this.cap * NAT_SLOT_BYTES)
    this.count = 0
  }

  dispose (): void {
    if (this.disposed) return
    this.disposed = true
    this.mod.heap.release(this.tab)
  }
}
