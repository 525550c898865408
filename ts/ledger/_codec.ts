/**
 * Minimal canonical byte writer/reader used by the ledger and consensus
 * codecs. Big-endian fixed-width integers, unsigned LEB128 varints (minimal
 * encoding enforced), length-prefixed byte strings with a bound checked
 * BEFORE any allocation. Every malformed input throws DecodeError.
 */
import { DecodeError, InvalidArgumentError } from '../errors.ts'

const MAX_SAFE = Number.MAX_SAFE_INTEGER

export class Writer {
  private buf: Uint8Array
  private len = 0
  constructor (initial = 256) { this.buf = new Uint8Array(initial) }

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
    const hi = Math.floor(v / 0x100000000)
    this.u32(hi); this.u32(v - hi * 0x100000000)
    return this
  }

  /** Unsigned LEB128 of a safe integer. */
  uvarint (v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new InvalidArgumentError(`uvarint out of range: ${v}`)
    this.ensure(8)
    while (v >= 0x80) { this.buf[this.len++] = (v % 0x80) | 0x80; v = Math.floor(v / 0x80) }
    this.buf[this.len++] = v
    return this
  }

  /** Exactly `n` bytes (no length prefix). */
  fixed (b: Uint8Array, n: number): this {
    if (!(b instanceof Uint8Array) || b.length !== n) throw new InvalidArgumentError(`expected ${n} bytes, got ${b?.length}`)
    this.ensure(n); this.buf.set(b, this.len); this.len += n; return this
  }

  /** uvarint length prefix + bytes, at most `max` bytes. */
  varBytes (b: Uint8Array, max: number): this {
    if (!(b instanceof Uint8Array) || b.length > max) throw new InvalidArgumentError(`byte string longer than ${max}`)
    this.uvarint(b.length); this.ensure(b.length); this.buf.set(b, this.len); this.len += b.length; return this
  }

  /** UTF-8 string with a byte bound. */
  string (s: string, max: number): this { return this.varBytes(new TextEncoder().encode(s), max) }

  finish (): Uint8Array { return this.buf.slice(0, this.len) }
}

export class Reader {
  private off = 0
  private readonly buf: Uint8Array
  private readonly what: string
  constructor (buf: Uint8Array, what: string) {
    if (!(buf instanceof Uint8Array)) throw new DecodeError(`${what}: input is not a Uint8Array`)
    this.buf = buf; this.what = what
  }

  get remaining (): number { return this.buf.length - this.off }

  private need (n: number): void {
    if (this.off + n > this.buf.length) throw new DecodeError(`${this.what}: truncated at byte ${this.off} (need ${n})`)
  }

  u8 (): number { this.need(1); return this.buf[this.off++] }

  u32 (): number {
    this.need(4)
    const b = this.buf; const o = this.off; this.off += 4
    return ((b[o] << 24) >>> 0) + (b[o + 1] << 16) + (b[o + 2] << 8) + b[o + 3]
  }

  u64 (): number {
    const hi = this.u32(); const lo = this.u32()
    const v = hi * 0x100000000 + lo
    if (hi > 0x1fffff) throw new DecodeError(`${this.what}: u64 above 2^53`)
    return v
  }

  uvarint (): number {
    let v = 0; let mul = 1
    for (let i = 0; ; i++) {
      if (i >= 8) throw new DecodeError(`${this.what}: varint too long`)
      const b = this.u8()
      v += (b & 0x7f) * mul
      if (v > MAX_SAFE) throw new DecodeError(`${this.what}: varint above 2^53`)
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) throw new DecodeError(`${this.what}: non-minimal varint`)
        return v
      }
      mul *= 0x80
    }
  }

  fixed (n: number): Uint8Array {
    this.need(n)
    const out = this.buf.slice(this.off, this.off + n); this.off += n; return out
  }

  varBytes (max: number): Uint8Array {
    const n = this.uvarint()
    if (n > max) throw new DecodeError(`${this.what}: length ${n} over bound ${max}`)
    return this.fixed(n)
  }

  string (max: number): string {
    const b = this.varBytes(max)
    try { return new TextDecoder('utf-8', { fatal: true }).decode(b) } catch (err) {
      throw new DecodeError(`${this.what}: invalid UTF-8`, { cause: err })
    }
  }

  /** Count prefix for a vector, bounded before anything is allocated. */
  count (max: number): number {
    const n = this.uvarint()
    if (n > max) throw new DecodeError(`${this.what}: count ${n} over bound ${max}`)
    return n
  }

  bool (): boolean {
    const b = this.u8()
    if (b > 1) throw new DecodeError(`${this.what}: bad boolean ${b}`)
    return b === 1
  }

  end (): void {
    if (this.off !== this.buf.length) throw new DecodeError(`${this.what}: ${this.buf.length - this.off} trailing bytes`)
  }
}
