/**
 * Deterministic ledger state: string keys (printable ASCII) -> bytes, with
 * copy-on-write overlays for speculative block execution and a stateRoot
 * commitment (RFC 6962 Merkle root over the key-sorted entries, each leaf
 * = uvarint(len key) ‖ key ‖ uvarint(len value) ‖ value).
 */
import { DecodeError, InvalidArgumentError } from '../errors.ts'
import { Reader, Writer } from './_codec.ts'
import { merkleRootOfLeafHashes, merkleLeafHash } from './hash.ts'
import { MAX_SNAPSHOT_ENTRIES, MAX_STATE_KEY_BYTES, MAX_STATE_VALUE_BYTES } from './constants.ts'

export type StateEntry = readonly [key: string, value: Uint8Array]

/** Read access every state holder offers. */
export interface StateReader {
  get: (key: string) => Uint8Array | undefined
}

/** What a transaction handler may do to state. */
export interface StateAccess extends StateReader {
  set: (key: string, value: Uint8Array) => void
  delete: (key: string) => void
}

export function checkKey (key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_STATE_KEY_BYTES || !/^[\x21-\x7e]+$/.test(key)) {
    throw new InvalidArgumentError(`state key must be 1..${MAX_STATE_KEY_BYTES} printable ASCII characters`)
  }
}

function leafOf (key: string, value: Uint8Array): Uint8Array {
  const w = new Writer(key.length + value.length + 8)
  w.string(key, MAX_STATE_KEY_BYTES).varBytes(value, MAX_STATE_VALUE_BYTES)
  return w.finish()
}

/** Committed state: a map plus a cached per-entry leaf hash for cheap roots. */
export class LedgerState implements StateReader {
  private readonly map = new Map<string, Uint8Array>()
  private readonly leafHashes = new Map<string, Uint8Array>()
  private rootCache: Uint8Array | undefined

  static fromEntries (entries: Iterable<StateEntry>): LedgerState {
    const s = new LedgerState()
    for (const [k, v] of entries) s.put(k, v)
    return s
  }

  get size (): number { return this.map.size }
  keys (): IterableIterator<string> { return this.map.keys() }
  get (key: string): Uint8Array | undefined { return this.map.get(key) }

  /** Applies writes (value null = delete). */
  apply (writes: Iterable<readonly [string, Uint8Array | null]>): void {
    for (const [k, v] of writes) {
      if (v === null) { this.map.delete(k); this.leafHashes.delete(k) } else this.put(k, v)
    }
    this.rootCache = undefined
  }

  private put (key: string, value: Uint8Array): void {
    checkKey(key)
    if (value.length > MAX_STATE_VALUE_BYTES) throw new InvalidArgumentError('state value too large')
    this.map.set(key, value)
    this.leafHashes.delete(key)
    this.rootCache = undefined
  }

  leafHash (key: string): Uint8Array | undefined {
    const v = this.map.get(key)
    if (v === undefined) return undefined
    let h = this.leafHashes.get(key)
    if (h === undefined) { h = merkleLeafHash(leafOf(key, v)); this.leafHashes.set(key, h) }
    return h
  }

  /** Key-sorted entries (byte order == code unit order for ASCII keys). */
  entries (): StateEntry[] {
    return [...this.map.entries()].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
  }

  root (): Uint8Array {
    if (this.rootCache === undefined) {
      const keys = [...this.map.keys()].sort()
      this.rootCache = merkleRootOfLeafHashes(keys.map((k) => this.leafHash(k) as Uint8Array))
    }
    return this.rootCache
  }
}

/** Speculative writes over a base state; `root()` is the root the state would have after `apply(writes())`. */
export class StateOverlay implements StateAccess {
  private readonly base: LedgerState
  private readonly writes = new Map<string, Uint8Array | null>()
  constructor (base: LedgerState) { this.base = base }

  get (key: string): Uint8Array | undefined {
    if (this.writes.has(key)) return this.writes.get(key) ?? undefined
    return this.base.get(key)
  }

  set (key: string, value: Uint8Array): void {
    checkKey(key)
    if (!(value instanceof Uint8Array) || value.length > MAX_STATE_VALUE_BYTES) throw new InvalidArgumentError('state value must be bytes within bound')
    this.writes.set(key, value.slice())
  }

  delete (key: string): void { checkKey(key); this.writes.set(key, null) }

  /** A nested overlay's writes, for all-or-nothing transaction execution. */
  merge (child: StateOverlay): void { for (const [k, v] of child.writes) this.writes.set(k, v) }

  child (): StateOverlay {
    const c = new StateOverlay(this.base)
    for (const [k, v] of this.writes) c.writes.set(k, v)
    return c
  }

  writeList (): Array<readonly [string, Uint8Array | null]> {
    return [...this.writes.entries()].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
  }

  root (): Uint8Array {
    const keys = new Set(this.base.keys())
    for (const [k, v] of this.writes) { if (v === null) keys.delete(k); else keys.add(k) }
    const sorted = [...keys].sort()
    return merkleRootOfLeafHashes(sorted.map((k) => {
      if (this.writes.has(k)) return merkleLeafHash(leafOf(k, this.writes.get(k) as Uint8Array))
      return this.base.leafHash(k) as Uint8Array
    }))
  }
}

/** Root of a plain entry list (used to check a snapshot before installing it). */
export function stateRootOf (entries: readonly StateEntry[]): Uint8Array {
  return LedgerState.fromEntries(entries).root()
}

export function encodeStateEntries (entries: readonly StateEntry[]): Uint8Array {
  const w = new Writer(1024)
  w.uvarint(entries.length)
  for (const [k, v] of entries) w.string(k, MAX_STATE_KEY_BYTES).varBytes(v, MAX_STATE_VALUE_BYTES)
  return w.finish()
}

export function readStateEntries (r: Reader): StateEntry[] {
  const n = r.count(MAX_SNAPSHOT_ENTRIES)
  const out: StateEntry[] = []
  let prev = ''
  for (let i = 0; i < n; i++) {
    const k = r.string(MAX_STATE_KEY_BYTES)
    try { checkKey(k) } catch (err) { throw new DecodeError(`state entry ${i}: bad key`, { cause: err }) }
    if (i > 0 && !(k > prev)) throw new DecodeError('state entries not strictly sorted')
    prev = k
    out.push([k, r.varBytes(MAX_STATE_VALUE_BYTES)])
  }
  return out
}

export function decodeStateEntries (bytes: Uint8Array): StateEntry[] {
  const r = new Reader(bytes, 'state entries'); const e = readStateEntries(r); r.end(); return e
}
