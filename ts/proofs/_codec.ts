/**
 * Canonical byte writer/reader for the proof encodings: big-endian fixed
 * integers, u16-length-prefixed byte strings with a bound checked before
 * allocation, every malformed input a DecodeError.
 */
import { DecodeError, InvalidArgumentError } from '../errors.ts'

const utf8 = new TextEncoder()
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export class Writer {
  private buf: Uint8Array
  private len = 0
  constructor (initial = 1024) { this.buf = new Uint8Array(initial) }

  private ensure (n: number): void {
    if (this.len + n <= this.buf.length) return
    let cap = this.buf.length * 2
    while (cap < this.len + n) cap *= 2
    const next = new Uint8Array(cap)
    next.set(this.buf.subarray(0, this.len))
    this.buf = next
  }

  u8 (v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new InvalidArgumentError(`u8 out of range: ${v}`)
    this.ensure(1); this.buf[this.len++] = v; return this
  }

  u16 (v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new InvalidArgumentError(`u16 out of range: ${v}`)
    this.ensure(2); this.buf[this.len++] = v >>> 8; this.buf[this.len++] = v & 0xff; return this
  }

  u32 (v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new InvalidArgumentError(`u32 out of range: ${v}`)
    this.ensure(4)
    this.buf[this.len++] = v >>> 24; this.buf[this.len++] = (v >>> 16) & 0xff
    this.buf[this.len++] = (v >>> 8) & 0xff; this.buf[this.len++] = v & 0xff
    return this
  }

  /** Unsigned 64-bit big-endian, limited to safe integers. */
  u64 (v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new InvalidArgumentError(`u64 out of range: ${v}`)
    this.u32(Math.floor(v / 2 ** 32)); this.u32(v >>> 0); return this
  }

  fixed (b: Uint8Array, n: number, what = 'bytes'): this {
    if (!(b instanceof Uint8Array) || b.length !== n) throw new InvalidArgumentError(`${what} must be ${n} bytes`)
    this.ensure(n); this.buf.set(b, this.len); this.len += n; return this
  }

  /** u16 length ‖ bytes, length ≤ max. */
  varBytes (b: Uint8Array, max: number, what = 'bytes'): this {
    if (!(b instanceof Uint8Array) || b.length > max) throw new InvalidArgumentError(`${what} must be at most ${max} bytes`)
    this.u16(b.length); this.ensure(b.length); this.buf.set(b, this.len); this.len += b.length; return this
  }

  string (s: string, max: number, what = 'string'): this {
    if (typeof s !== 'string') throw new InvalidArgumentError(`${what} must be a string`)
    return this.varBytes(utf8.encode(s), max, what)
  }

  finish (): Uint8Array { return this.buf.slice(0, this.len) }
}

export class Reader {
  private pos = 0
  private readonly b: Uint8Array
  private readonly copy: boolean
  /** With `copy: false` byte fields are zero-copy views into `b` (the caller must not mutate `b` while using them). */
  constructor (b: Uint8Array, copy = true) {
    if (!(b instanceof Uint8Array)) throw new DecodeError('input must be a Uint8Array')
    this.b = b
    this.copy = copy
  }

  get offset (): number { return this.pos }

  private need (n: number, what: string): void {
    if (this.b.length - this.pos < n) throw new DecodeError(`truncated: ${what} needs ${n} bytes, ${this.b.length - this.pos} left`)
  }

  get remaining (): number { return this.b.length - this.pos }

  u8 (what = 'u8'): number { this.need(1, what); return this.b[this.pos++] }

  u16 (what = 'u16'): number {
    this.need(2, what)
    const v = (this.b[this.pos] << 8) | this.b[this.pos + 1]
    this.pos += 2; return v
  }

  u32 (what = 'u32'): number {
    this.need(4, what)
    const p = this.pos
    const v = ((this.b[p] << 24) >>> 0) + ((this.b[p + 1] << 16) | (this.b[p + 2] << 8) | this.b[p + 3])
    this.pos += 4; return v
  }

  u64 (what = 'u64'): number {
    const hi = this.u32(what); const lo = this.u32(what)
    if (hi > 0x1fffff) throw new DecodeError(`${what} above 2^53 - 1`)
    return hi * 2 ** 32 + lo
  }

  fixed (n: number, what = 'bytes'): Uint8Array {
    this.need(n, what)
    const out = this.copy ? this.b.slice(this.pos, this.pos + n) : this.b.subarray(this.pos, this.pos + n)
    this.pos += n; return out
  }

  varBytes (max: number, what = 'bytes'): Uint8Array {
    const n = this.u16(`${what} length`)
    if (n > max) throw new DecodeError(`${what} length ${n} above bound ${max}`)
    return this.fixed(n, what)
  }

  string (max: number, what = 'string'): string {
    const raw = this.varBytes(max, what)
    try { return utf8Strict.decode(raw) } catch (err) { throw new DecodeError(`${what} is not valid UTF-8`, { cause: err }) }
  }

  end (what = 'input'): void {
    if (this.pos !== this.b.length) throw new DecodeError(`${this.b.length - this.pos} trailing bytes after ${what}`)
  }
}
