/**
 * Durable storage behind a TransparencyLog, and its in-memory
 * implementation. Hosts implement LogStorage on their own durable medium
 * (node-host: LevelDB with fsync; browser-host: IndexedDB) — ts/ never
 * imports a host.
 * @module
 */
import { InvalidArgumentError } from '../../errors.ts'
import { LogStorageError } from './errors.ts'

/**
 * The contract a log relies on:
 *  - `append(start, entries)` stores entries at indices start..start+n-1,
 *    where `start` equals the stored size; it is atomic (all or none) and
 *    resolves only once the entries survive a process crash or power loss
 *    (fsync or equivalent). It rejects if `start` is not the stored size.
 *    Calls are never concurrent: the log waits for one before the next.
 *  - `size()` is the number of durably stored entries (after a restart,
 *    every acknowledged entry and nothing else).
 *  - `read(start, end)` returns entries [start, end) (end ≤ size), as stored.
 */
export interface LogStorage {
  size: () => Promise<number>
  append: (start: number, entries: readonly Uint8Array[]) => Promise<void>
  read: (start: number, end: number) => Promise<Uint8Array[]>
}

/** LogStorage in memory: durable for the life of the object only (tests, browsers, ephemeral logs). */
export class MemoryLogStorage implements LogStorage {
  readonly #entries: Uint8Array[] = []

  async size (): Promise<number> { return this.#entries.length }

  async append (start: number, entries: readonly Uint8Array[]): Promise<void> {
    if (start !== this.#entries.length) throw new LogStorageError(`append at ${start} but storage holds ${this.#entries.length} entries`)
    for (const e of entries) this.#entries.push(e.slice())
  }

  async read (start: number, end: number): Promise<Uint8Array[]> {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > this.#entries.length) {
      throw new InvalidArgumentError(`read [${start}, ${end}) outside 0..${this.#entries.length}`)
    }
    return this.#entries.slice(start, end).map((e) => e.slice())
  }
}
