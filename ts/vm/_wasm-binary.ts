/**
 * Minimal WebAssembly binary reader/writer helpers for the metering rewriter:
 * LEB128 and section framing. Every read is bounds-checked and throws
 * JobModuleError; nothing is allocated from an unchecked length.
 */
import { JobModuleError } from './errors.ts'

export class BinReader {
  readonly b: Uint8Array
  pos: number
  readonly end: number
  constructor (b: Uint8Array, pos = 0, end = b.length) {
    this.b = b
    this.pos = pos
    this.end = end
  }

  fail (what: string): JobModuleError {
    return new JobModuleError(`invalid WASM module: ${what} at byte ${this.pos}`)
  }

  byte (): number {
    if (this.pos >= this.end) throw this.fail('unexpected end')
    return this.b[this.pos++]
  }

  take (n: number): Uint8Array {
    if (n < 0 || n > this.end - this.pos) throw this.fail(`length ${n} runs past the end`)
    const v = this.b.subarray(this.pos, this.pos + n)
    this.pos += n
    return v
  }

  /** Unsigned LEB128 up to 32 bits. */
  u32 (): number {
    let v = 0
    let shift = 0
    for (let i = 0; i < 5; i++) {
      const b = this.byte()
      v += (b & 0x7f) * 2 ** shift
      if ((b & 0x80) === 0) {
        if (v > 0xffffffff) throw this.fail('u32 out of range')
        return v
      }
      shift += 7
    }
    throw this.fail('u32 LEB128 too long')
  }

  /** Unsigned LEB128 up to 64 bits (skipped, value not needed). */
  skipU64 (): void { this.skipLeb(10) }
  /** Signed LEB128 of at most `maxBytes` bytes (s32: 5, s33: 5, s64: 10). */
  skipLeb (maxBytes: number): void {
    for (let i = 0; i < maxBytes; i++) {
      if ((this.byte() & 0x80) === 0) return
    }
    throw this.fail('LEB128 too long')
  }

  /** A count that each item needs at least `minItemBytes` for: bounded by the bytes left. */
  count (minItemBytes = 1): number {
    const n = this.u32()
    if (n * minItemBytes > this.end - this.pos) throw this.fail(`count ${n} exceeds the bytes left`)
    return n
  }

  name (): string {
    const n = this.count()
    const b = this.take(n)
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(b)
    } catch {
      throw this.fail('a name is not valid UTF-8')
    }
  }
}

export class BinWriter {
  private buf = new Uint8Array(256)
  len = 0

  private room (n: number): void {
    if (this.len + n <= this.buf.length) return
    let cap = this.buf.length * 2
    while (cap < this.len + n) cap *= 2
    const nb = new Uint8Array(cap)
    nb.set(this.buf.subarray(0, this.len))
    this.buf = nb
  }

  byte (v: number): void { this.room(1); this.buf[this.len++] = v }
  bytes (v: Uint8Array): void { this.room(v.length); this.buf.set(v, this.len); this.len += v.length }
  u32 (v: number): void {
    do {
      let b = v & 0x7f
      v = Math.floor(v / 128)
      if (v !== 0) b |= 0x80
      this.byte(b)
    } while (v !== 0)
  }

  /** Signed LEB128 of a bigint. */
  s64 (v: bigint): void {
    for (;;) {
      const b = Number(v & 0x7fn)
      v >>= 7n
      if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) { this.byte(b); return }
      this.byte(b | 0x80)
    }
  }

  s32 (v: number): void { this.s64(BigInt(v)) }
  name (s: string): void { const b = new TextEncoder().encode(s); this.u32(b.length); this.bytes(b) }
  /** A length-prefixed sub-encoding. */
  vec (inner: BinWriter): void { this.u32(inner.len); this.bytes(inner.finish()) }
  finish (): Uint8Array { return this.buf.subarray(0, this.len) }
}

export interface Section { id: number, body: Uint8Array }

/** Splits a module into sections, checking the header, order and sizes. */
export function readSections (bytes: Uint8Array): Section[] {
  const r = new BinReader(bytes)
  const header = r.take(8)
  const want = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]
  for (let i = 0; i < 8; i++) if (header[i] !== want[i]) throw new JobModuleError('not a WASM module (bad magic or version)')
  const out: Section[] = []
  const seen = new Set<number>()
  while (r.pos < r.end) {
    const id = r.byte()
    const size = r.u32()
    const body = r.take(size)
    if (id !== 0) {
      if (id > 12) throw new JobModuleError(`WASM section id ${id} is not supported in jobs`)
      if (seen.has(id)) throw new JobModuleError(`duplicate WASM section ${id}`)
      seen.add(id)
    }
    out.push({ id, body })
  }
  return out
}

/** Canonical position of a (non-custom) section id in the module. */
export function sectionOrder (id: number): number {
  // datacount (12) sits between element (9) and code (10).
  return id === 12 ? 9.5 : id
}
