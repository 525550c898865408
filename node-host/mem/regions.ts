/**
 * Real memory regions for Memory assets: each region is an ArrayBuffer the
 * node allocates (zero-filled) and serves over the mem protocol. A total
 * budget bounds what peers can make this node allocate. Words for
 * compare-and-swap and fetch-add are 8-byte aligned little-endian u64; the
 * node's event loop runs each operation to completion, so they are atomic
 * with respect to every other request.
 */
import { MEM_ERRORS, MemError } from './protocol.ts'

export const DEFAULT_MEM_BUDGET = 1024 * 1024 * 1024
const U64 = (1n << 64n) - 1n

export interface Region { asset: Uint8Array, bytes: Uint8Array, view: DataView }

const hex = (b: Uint8Array): string => { let s = ''; for (const x of b) s += x.toString(16).padStart(2, '0'); return s }

export class RegionStore {
  private readonly regions = new Map<string, Region>()
  private used = 0
  readonly budget: number

  constructor (budget = DEFAULT_MEM_BUDGET) { this.budget = budget }

  get bytesAllocated (): number { return this.used }
  get count (): number { return this.regions.size }

  /** Allocates `size` zeroed bytes for `asset`. */
  allocate (asset: Uint8Array, size: number): Region {
    if (!Number.isSafeInteger(size) || size <= 0 || size > 0x1_0000_0000) throw new MemError(MEM_ERRORS.tooLarge, 'region size must be 1 byte .. 4 GiB')
    if (this.used + size > this.budget) throw new MemError(MEM_ERRORS.tooLarge, `region of ${size} bytes exceeds this node's memory budget (${this.budget - this.used} bytes left)`)
    const k = hex(asset)
    if (this.regions.has(k)) throw new MemError(MEM_ERRORS.malformed, 'region exists')
    const buf = new ArrayBuffer(size)
    const r: Region = { asset: Uint8Array.from(asset), bytes: new Uint8Array(buf), view: new DataView(buf) }
    this.regions.set(k, r)
    this.used += size
    return r
  }

  get (asset: Uint8Array): Region | undefined { return this.regions.get(hex(asset)) }

  /** Frees the region's bytes; true if it existed. */
  free (asset: Uint8Array): boolean {
    const k = hex(asset)
    const r = this.regions.get(k)
    if (r === undefined) return false
    this.regions.delete(k)
    this.used -= r.bytes.length
    return true
  }

  static checkRange (r: Region, offset: bigint, length: number): number {
    if (offset < 0n || length < 0 || offset + BigInt(length) > BigInt(r.bytes.length)) {
      throw new MemError(MEM_ERRORS.bounds, `bytes [${offset}, ${offset + BigInt(length)}) are outside the region of ${r.bytes.length} bytes`)
    }
    return Number(offset)
  }

  static word (r: Region, offset: bigint): number {
    if (offset % 8n !== 0n) throw new MemError(MEM_ERRORS.alignment, `word at ${offset} is not 8-byte aligned`)
    return RegionStore.checkRange(r, offset, 8)
  }

  /** A view of the bytes (no copy). */
  static read (r: Region, offset: bigint, length: number): Uint8Array {
    const o = RegionStore.checkRange(r, offset, length)
    return r.bytes.subarray(o, o + length)
  }

  static write (r: Region, offset: bigint, data: Uint8Array): void {
    const o = RegionStore.checkRange(r, offset, data.length)
    r.bytes.set(data, o)
  }

  static cas (r: Region, offset: bigint, expected: bigint, desired: bigint): { value: bigint, swapped: boolean } {
    const o = RegionStore.word(r, offset)
    const value = r.view.getBigUint64(o, true)
    if (value === expected) { r.view.setBigUint64(o, desired & U64, true); return { value, swapped: true } }
    return { value, swapped: false }
  }

  static fadd (r: Region, offset: bigint, delta: bigint): bigint {
    const o = RegionStore.word(r, offset)
    const value = r.view.getBigUint64(o, true)
    r.view.setBigUint64(o, (value + delta) & U64, true)
    return value
  }
}
