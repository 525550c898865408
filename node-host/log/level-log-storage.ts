/**
 * LogStorage (ts/trustchain/log) on LevelDB: entries under `e<u64be index>`
 * and the size under `n`, written together in one batch with `sync: true`,
 * so an append is all-or-nothing and survives a crash or power loss before
 * the log acknowledges it.
 */
import { ClassicLevel } from 'classic-level'
import { LogStorageError, type LogStorage } from '../../ts/trustchain/log/index.ts'
import { InvalidArgumentError } from '../../ts/errors.ts'

const SIZE_KEY = Buffer.from('n')
const MAX_ENTRY_BYTES = 65_535 // a tlog-tiles entry bundle frames each entry with a u16 length

function entryKey (i: number): Buffer {
  const k = Buffer.alloc(9); k[0] = 0x65; k.writeBigUInt64BE(BigInt(i), 1); return k
}

export class LevelLogStorage implements LogStorage {
  private readonly db: ClassicLevel<Buffer, Buffer>
  private stored: number

  private constructor (db: ClassicLevel<Buffer, Buffer>, size: number) { this.db = db; this.stored = size }

  static async open (location: string): Promise<LevelLogStorage> {
    const db = new ClassicLevel<Buffer, Buffer>(location, { keyEncoding: 'buffer', valueEncoding: 'buffer' })
    await db.open()
    const v = await db.get(SIZE_KEY)
    let size = 0
    if (v !== undefined) {
      if (v.length !== 8) { await db.close(); throw new LogStorageError(`log storage ${location}: size record is ${v.length} bytes`) }
      size = Number(v.readBigUInt64BE(0))
    }
    return new LevelLogStorage(db, size)
  }

  async size (): Promise<number> { return this.stored }

  async append (start: number, entries: readonly Uint8Array[]): Promise<void> {
    if (start !== this.stored) throw new LogStorageError(`append at ${start} but storage holds ${this.stored} entries`)
    const ops: Array<{ type: 'put', key: Buffer, value: Buffer }> = []
    entries.forEach((e, i) => {
      if (e.length > MAX_ENTRY_BYTES) throw new LogStorageError(`entry of ${e.length} bytes over ${MAX_ENTRY_BYTES}`)
      ops.push({ type: 'put', key: entryKey(start + i), value: Buffer.from(e) })
    })
    const n = Buffer.alloc(8); n.writeBigUInt64BE(BigInt(start + entries.length))
    ops.push({ type: 'put', key: SIZE_KEY, value: n })
    try { await this.db.batch(ops, { sync: true }) } catch (err) { throw new LogStorageError(`log append failed: ${(err as Error).message}`, { cause: err }) }
    this.stored = start + entries.length
  }

  async read (start: number, end: number): Promise<Uint8Array[]> {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > this.stored) throw new InvalidArgumentError(`read [${start}, ${end}) outside 0..${this.stored}`)
    const vals = await this.db.getMany(Array.from({ length: end - start }, (_, i) => entryKey(start + i)))
    return vals.map((v, i) => {
      if (v === undefined) throw new LogStorageError(`log entry ${start + i} is missing`)
      return new Uint8Array(v)
    })
  }

  async close (): Promise<void> { await this.db.close() }
}
