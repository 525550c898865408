/**
 * The `Coder<T>` shape every codec in ts/wire has, and the streaming
 * `Reader` / `Writer` that let coders compose without intermediate copies.
 *
 * A coder's `decode` consumes the whole input and rejects trailing bytes;
 * `read` consumes one value from a `Reader` and leaves the rest. Decoded
 * byte fields are zero-copy `subarray` views of the input.
 */
import { DecodeError, InvalidArgumentError } from '../errors.ts'

export interface Coder<T> {
  /** Short description for error messages, e.g. `u32` or `varBytes(1024)`. */
  readonly name: string
  /** Fewest bytes any encoding takes; bounds counts before allocating. */
  readonly minBytes: number
  /** Length of every encoding when it is fixed, else undefined. */
  readonly fixedBytes: number | undefined
  /** The one canonical encoding of `v`. Throws InvalidArgumentError for values out of range. */
  encode (v: T): Uint8Array
  /** The value whose encoding is exactly `b`. Throws DecodeError (naming the field) otherwise. */
  decode (b: Uint8Array): T
  /** Appends the encoding of `v`. */
  write (w: Writer, v: T): void
  /** Reads one value, advancing the reader. */
  read (r: Reader): T
}

/** The value type of a coder. */
export type CoderType<C> = C extends Coder<infer T> ? T : never

/** What `createCoder` needs: the streaming halves and the size facts. */
export interface CoderSpec<T> {
  name: string
  minBytes: number
  fixedBytes?: number
  write: (w: Writer, v: T) => void
  read: (r: Reader) => T
}

/** Builds a full Coder from its streaming halves. */
export function createCoder<T> (spec: CoderSpec<T>): Coder<T> {
  const { name, minBytes, write, read } = spec
  const fixedBytes = spec.fixedBytes
  return Object.freeze({
    name,
    minBytes,
    fixedBytes,
    write,
    read,
    encode (v: T): Uint8Array {
      const w = new Writer(fixedBytes ?? 64)
      write(w, v)
      return w.finish()
    },
    decode (b: Uint8Array): T {
      const r = new Reader(b)
      const v = read(r)
      if (r.remaining !== 0) throw r.fail(name, `${r.remaining} trailing byte(s)`)
      return v
    }
  })
}

/** Growable output buffer. */
export class Writer {
  private buf: Uint8Array
  private view: DataView
  /** Bytes written so far. */
  pos = 0
  /** Field names from the root to the value being written (for error messages). */
  readonly path: string[] = []

  constructor (initialBytes = 64) {
    this.buf = new Uint8Array(Math.max(8, initialBytes))
    this.view = new DataView(this.buf.buffer)
  }

  /** Makes room for `n` more bytes and returns the DataView to write them with. */
  reserve (n: number): DataView {
    const need = this.pos + n
    if (need > this.buf.length) {
      let size = this.buf.length * 2
      while (size < need) size *= 2
      const next = new Uint8Array(size)
      next.set(this.buf.subarray(0, this.pos))
      this.buf = next
      this.view = new DataView(next.buffer)
    }
    return this.view
  }

  u8 (v: number): void {
    this.reserve(1)
    this.buf[this.pos++] = v
  }

  bytes (b: Uint8Array): void {
    this.reserve(b.length)
    this.buf.set(b, this.pos)
    this.pos += b.length
  }

  /** The bytes written: the buffer itself when it is exactly full, else a copy. */
  finish (): Uint8Array {
    return this.pos === this.buf.length ? this.buf : this.buf.slice(0, this.pos)
  }

  /** An InvalidArgumentError naming the field being written. */
  invalid (what: string, msg: string): InvalidArgumentError {
    const at = this.path.length > 0 ? this.path.join('.') + ': ' : ''
    return new InvalidArgumentError(`${at}${what}: ${msg}`)
  }
}

/** Cursor over input bytes; every read checks bounds first. */
export class Reader {
  readonly bytes: Uint8Array
  pos = 0
  /** Field names from the root to the value being read (for error messages). */
  readonly path: string[] = []
  private view: DataView | undefined

  constructor (bytes: Uint8Array) {
    if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('bytes must be a Uint8Array')
    this.bytes = bytes
  }

  get remaining (): number {
    return this.bytes.length - this.pos
  }

  /** A DataView over the input (created on first use). */
  dv (): DataView {
    this.view ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength)
    return this.view
  }

  /** Throws unless `n` more bytes are available; returns the current position. */
  need (n: number, what: string): number {
    if (n > this.bytes.length - this.pos) throw this.fail(what, `truncated: needs ${n} byte(s), ${this.remaining} left`)
    const p = this.pos
    this.pos = p + n
    return p
  }

  u8 (what: string): number {
    if (this.pos >= this.bytes.length) throw this.fail(what, 'truncated: needs 1 byte, 0 left')
    return this.bytes[this.pos++]
  }

  /** The next `n` bytes as a view (no copy). */
  take (n: number, what: string): Uint8Array {
    const p = this.need(n, what)
    return this.bytes.subarray(p, p + n)
  }

  /** A DecodeError naming the field and the byte offset. */
  fail (what: string, msg: string): DecodeError {
    const at = this.path.length > 0 ? this.path.join('.') + ': ' : ''
    return new DecodeError(`${at}${what}: ${msg} (at byte ${this.pos})`)
  }
}
