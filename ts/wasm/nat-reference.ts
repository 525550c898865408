/**
 * The NAT table in pure TypeScript: 128-bit keys → 64-bit values, the same
 * algorithm and slot layout as core-wasm/assembly/nat.ts (linear probing,
 * backward-shift delete, MurmurHash3_x86_32, load factor ≤ 3/4, doubling),
 * over a Uint32Array. It defines the results `NatTable` (WASM) must give and
 * is the fallback where WASM is unavailable.
 * @module
 */
import { InvalidArgumentError } from '../errors.ts'

/** Bytes per key. */
export const NAT_KEY_BYTES = 16
/** Bytes per slot in the table (key, value, control word). */
export const NAT_SLOT_BYTES = 32
/** Smallest capacity (slots). */
export const NAT_MIN_CAPACITY = 16
/** Default bound on entries: 2^24 (the table then takes 2^25 slots × 32 B = 1 GiB). */
export const NAT_DEFAULT_MAX_ENTRIES = 1 << 24
/** Largest `maxEntries` accepted: 2^25 (2 GiB of slots). */
export const NAT_MAX_ENTRIES_LIMIT = 1 << 25
/** Seed of the key hash (shared with the WASM kernel). */
export const NAT_SEED = 0x484d0001
const MAX_U64 = (1n << 64n) - 1n

/** The table holds `maxEntries` keys and a new key was inserted. */
export class NatTableFullError extends Error {
  static override readonly name = 'NatTableFullError'
  override readonly name = 'NatTableFullError'
  constructor (message: string, options?: ErrorOptions) { super(message, options) }
}

export interface NatTableOptions {
  /** Entries to size the table for at first (default 16·3/4). It doubles as needed. */
  initialEntries?: number
  /** Most entries the table may hold; inserting a new key beyond throws NatTableFullError. */
  maxEntries?: number
}

export interface NatBatchResult {
  /** Value of each key, 0n where absent. */
  values: BigUint64Array
  /** 1 where the key is present, else 0. */
  found: Uint8Array
  /** Number of keys found. */
  hits: number
}

/** What both NatTable (WASM) and ReferenceNatTable (TS) offer, with identical results. */
export interface NatMap {
  /** Entries held. */
  readonly size: number
  /** Slots allocated (a power of two; size ≤ 3/4 of it). */
  readonly capacity: number
  readonly maxEntries: number
  /** Inserts or replaces; returns true if the key was new. */
  insert (key: Uint8Array, value: bigint): boolean
  /** Inserts `keys.length / 16` entries in order; returns how many keys were new. */
  insertBatch (keys: Uint8Array, values: BigUint64Array): number
  get (key: Uint8Array): bigint | undefined
  has (key: Uint8Array): boolean
  /** Removes the key; returns true if it was present. */
  delete (key: Uint8Array): boolean
  /** Looks up `keys.length / 16` keys at once. `out` arrays are reused when given (length ≥ n). */
  getBatch (keys: Uint8Array, out?: { values?: BigUint64Array, found?: Uint8Array }): NatBatchResult
  /** Every entry (keys are copies), in slot order. */
  entries (): IterableIterator<[Uint8Array, bigint]>
  clear (): void
  /** Frees the table's memory; the table is unusable afterwards. */
  dispose (): void
}

/** Slots needed to hold `entries` at load ≤ 3/4 (a power of two ≥ NAT_MIN_CAPACITY). */
export function natCapacityFor (entries: number): number {
  let cap = NAT_MIN_CAPACITY
  while (entries * 4 > cap * 3) cap *= 2
  return cap
}

/** Checks table options; returns [initial capacity, maxEntries]. */
export function natOptions (opts: NatTableOptions = {}): [number, number] {
  const maxEntries = opts.maxEntries ?? NAT_DEFAULT_MAX_ENTRIES
  if (!Number.isInteger(maxEntries) || maxEntries < 1 || maxEntries > NAT_MAX_ENTRIES_LIMIT) throw new InvalidArgumentError(`maxEntries must be an integer in [1, ${NAT_MAX_ENTRIES_LIMIT}], got ${String(maxEntries)}`)
  const initial = opts.initialEntries ?? 0
  if (!Number.isInteger(initial) || initial < 0 || initial > maxEntries) throw new InvalidArgumentError(`initialEntries must be an integer in [0, maxEntries], got ${String(initial)}`)
  return [natCapacityFor(initial), maxEntries]
}

export function checkKey (key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== NAT_KEY_BYTES) throw new InvalidArgumentError(`key must be a Uint8Array of ${NAT_KEY_BYTES} bytes`)
}

export function checkKeys (keys: Uint8Array): number {
  if (!(keys instanceof Uint8Array) || keys.length % NAT_KEY_BYTES !== 0) throw new InvalidArgumentError(`keys must be a Uint8Array of n × ${NAT_KEY_BYTES} bytes`)
  return keys.length / NAT_KEY_BYTES
}

export function checkValue (value: bigint): void {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_U64) throw new InvalidArgumentError(`value must be a bigint in [0, 2^64-1], got ${String(value)}`)
}

/** Output arrays for a batch of n keys: the caller's when given and big enough. */
export function batchOut (n: number, out?: { values?: BigUint64Array, found?: Uint8Array }): { values: BigUint64Array, found: Uint8Array } {
  const values = out?.values ?? new BigUint64Array(n)
  const found = out?.found ?? new Uint8Array(n)
  if (!(values instanceof BigUint64Array) || values.length < n) throw new InvalidArgumentError(`out.values must be a BigUint64Array of at least ${n}`)
  if (!(found instanceof Uint8Array) || found.length < n) throw new InvalidArgumentError(`out.found must be a Uint8Array of at least ${n}`)
  return { values, found }
}

/** Room for more entries before growing (or before maxEntries). */
export function natRoom (size: number, capacity: number, maxEntries: number): number {
  return Math.min(Math.floor(capacity * 3 / 4), maxEntries) - size
}

function mix (h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51)
  k = (k << 15) | (k >>> 17)
  k = Math.imul(k, 0x1b873593)
  h ^= k
  h = (h << 13) | (h >>> 19)
  return (Math.imul(h, 5) + 0xe6546b64) | 0
}

/** MurmurHash3_x86_32 (seed NAT_SEED) of a key given as four little-endian u32 words. */
export function natHash (w0: number, w1: number, w2: number, w3: number): number {
  let h = mix(NAT_SEED, w0)
  h = mix(h, w1)
  h = mix(h, w2)
  h = mix(h, w3)
  h ^= 16
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

function words (key: Uint8Array, at = 0): [number, number, number, number] {
  const w = (i: number): number => (key[at + i] | (key[at + i + 1] << 8) | (key[at + i + 2] << 16) | (key[at + i + 3] << 24)) >>> 0
  return [w(0), w(4), w(8), w(12)]
}

// Slot = 8 u32 words: key w0..w3, value lo, value hi, hash, occupied flag.
const S = 8

/** The NAT table in TypeScript over a Uint32Array (see module comment). */
export class ReferenceNatTable implements NatMap {
  readonly maxEntries: number
  private t: Uint32Array
  private mask: number
  private count = 0
  private disposed = false

  constructor (opts?: NatTableOptions) {
    const [cap, maxEntries] = natOptions(opts)
    this.maxEntries = maxEntries
    this.t = new Uint32Array(cap * S)
    this.mask = cap - 1
  }

  get size (): number { return this.count }
  get capacity (): number { return this.mask + 1 }

  private live (): void {
    if (this.disposed) throw new InvalidArgumentError('NatTable used after dispose()')
  }

  /** Slot index of the key, or -1. */
  private find (w0: number, w1: number, w2: number, w3: number, h: number): number {
    const t = this.t
    const mask = this.mask
    let i = h & mask
    for (let n = 0; n <= mask; n++) {
      const s = i * S
      if (t[s + 7] === 0) return -1
      if (t[s + 6] === h && t[s] === w0 && t[s + 1] === w1 && t[s + 2] === w2 && t[s + 3] === w3) return i
      i = (i + 1) & mask
    }
    return -1
  }

  private grow (): void {
    const old = this.t
    const cap = (this.mask + 1) * 2
    const t = new Uint32Array(cap * S)
    const mask = cap - 1
    for (let s = 0; s < old.length; s += S) {
      if (old[s + 7] === 0) continue
      let k = old[s + 6] & mask
      while (t[k * S + 7] !== 0) k = (k + 1) & mask
      t.set(old.subarray(s, s + S), k * S)
    }
    this.t = t
    this.mask = mask
  }

  private put (w0: number, w1: number, w2: number, w3: number, lo: number, hi: number): boolean {
    const h = natHash(w0, w1, w2, w3)
    const found = this.find(w0, w1, w2, w3, h)
    if (found >= 0) {
      this.t[found * S + 4] = lo
      this.t[found * S + 5] = hi
      return false
    }
    if (natRoom(this.count, this.capacity, this.maxEntries) <= 0) {
      if (this.count >= this.maxEntries) throw new NatTableFullError(`NAT table full: ${this.maxEntries} entries`)
      this.grow()
    }
    const t = this.t
    const mask = this.mask
    let i = h & mask
    while (t[i * S + 7] !== 0) i = (i + 1) & mask
    const s = i * S
    t[s] = w0; t[s + 1] = w1; t[s + 2] = w2; t[s + 3] = w3
    t[s + 4] = lo; t[s + 5] = hi; t[s + 6] = h; t[s + 7] = 1
    this.count++
    return true
  }

  insert (key: Uint8Array, value: bigint): boolean {
    this.live()
    checkKey(key)
    checkValue(value)
    const [w0, w1, w2, w3] = words(key)
    return this.put(w0, w1, w2, w3, Number(value & 0xffffffffn), Number(value >> 32n))
  }

  insertBatch (keys: Uint8Array, values: BigUint64Array): number {
    this.live()
    const n = checkKeys(keys)
    if (!(values instanceof BigUint64Array) || values.length !== n) throw new InvalidArgumentError(`values must be a BigUint64Array of ${n}`)
    let added = 0
    for (let j = 0; j < n; j++) {
      const [w0, w1, w2, w3] = words(keys, j * 16)
      const v = values[j]
      if (this.put(w0, w1, w2, w3, Number(v & 0xffffffffn), Number(v >> 32n))) added++
    }
    return added
  }

  get (key: Uint8Array): bigint | undefined {
    this.live()
    checkKey(key)
    const [w0, w1, w2, w3] = words(key)
    const i = this.find(w0, w1, w2, w3, natHash(w0, w1, w2, w3))
    if (i < 0) return undefined
    return (BigInt(this.t[i * S + 5]) << 32n) | BigInt(this.t[i * S + 4])
  }

  has (key: Uint8Array): boolean {
    this.live()
    checkKey(key)
    const [w0, w1, w2, w3] = words(key)
    return this.find(w0, w1, w2, w3, natHash(w0, w1, w2, w3)) >= 0
  }

  delete (key: Uint8Array): boolean {
    this.live()
    checkKey(key)
    const [w0, w1, w2, w3] = words(key)
    const i = this.find(w0, w1, w2, w3, natHash(w0, w1, w2, w3))
    if (i < 0) return false
    const t = this.t
    const mask = this.mask
    let hole = i
    let j = (hole + 1) & mask
    for (let n = 0; n < mask; n++) {
      const s = j * S
      if (t[s + 7] === 0) break
      const home = t[s + 6] & mask
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        t.copyWithin(hole * S, s, s + S)
        hole = j
      }
      j = (j + 1) & mask
    }
    t.fill(0, hole * S, hole * S + S)
    this.count--
    return true
  }

  getBatch (keys: Uint8Array, out?: { values?: BigUint64Array, found?: Uint8Array }): NatBatchResult {
    this.live()
    const n = checkKeys(keys)
    const { values, found } = batchOut(n, out)
    // keys as u32 words (little-endian hosts; copy when unaligned)
    const kw = keys.byteOffset % 4 === 0
      ? new Uint32Array(keys.buffer, keys.byteOffset, n * 4)
      : new Uint32Array(keys.slice().buffer, 0, n * 4)
    const v32 = new Uint32Array(values.buffer, values.byteOffset, n * 2)
    const t = this.t
    let hits = 0
    for (let j = 0; j < n; j++) {
      const w0 = kw[j * 4]; const w1 = kw[j * 4 + 1]; const w2 = kw[j * 4 + 2]; const w3 = kw[j * 4 + 3]
      const i = this.find(w0, w1, w2, w3, natHash(w0, w1, w2, w3))
      if (i < 0) {
        v32[j * 2] = 0; v32[j * 2 + 1] = 0; found[j] = 0
      } else {
        v32[j * 2] = t[i * S + 4]; v32[j * 2 + 1] = t[i * S + 5]; found[j] = 1
        hits++
      }
    }
    return { values, found, hits }
  }

  * entries (): IterableIterator<[Uint8Array, bigint]> {
    this.live()
    const t = this.t
    for (let s = 0; s < t.length; s += S) {
      if (t[s + 7] === 0) continue
      const key = new Uint8Array(16)
      const dv = new DataView(key.buffer)
      for (let k = 0; k < 4; k++) dv.setUint32(k * 4, t[s + k], true)
      yield [key, (BigInt(t[s + 5]) << 32n) | BigInt(t[s + 4])]
    }
  }

  clear (): void {
    this.live()
    this.t.fill(0)
    this.count = 0
  }

  dispose (): void {
    this.disposed = true
    this.t = new Uint32Array(0)
  }
}
