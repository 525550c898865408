/**
 * Fixed-width integers (big-endian, plus little-endian variants), bool and
 * canonical unsigned LEB128 varints.
 */
import { createCoder, type Coder, type Reader, type Writer } from './coder.ts'
import { MAX_UVARINT, MAX_UVARINT64 } from './constants.ts'

function uint (name: string, bytes: 1 | 2 | 4, le: boolean): Coder<number> {
  const max = bytes === 4 ? 0xffffffff : (1 << (8 * bytes)) - 1
  return createCoder<number>({
    name,
    minBytes: bytes,
    fixedBytes: bytes,
    write (w: Writer, v: number): void {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw w.invalid(name, `expected an integer in [0, ${max}], got ${String(v)}`)
      const dv = w.reserve(bytes)
      if (bytes === 1) dv.setUint8(w.pos, v)
      else if (bytes === 2) dv.setUint16(w.pos, v, le)
      else dv.setUint32(w.pos, v, le)
      w.pos += bytes
    },
    read (r: Reader): number {
      const p = r.need(bytes, name)
      const dv = r.dv()
      return bytes === 1 ? dv.getUint8(p) : bytes === 2 ? dv.getUint16(p, le) : dv.getUint32(p, le)
    }
  })
}

function int (name: string, bytes: 4, le: boolean): Coder<number> {
  return createCoder<number>({
    name,
    minBytes: bytes,
    fixedBytes: bytes,
    write (w: Writer, v: number): void {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw w.invalid(name, `expected an integer in [-2^31, 2^31-1], got ${String(v)}`)
      w.reserve(4).setInt32(w.pos, v, le)
      w.pos += 4
    },
    read (r: Reader): number {
      return r.dv().getInt32(r.need(4, name), le)
    }
  })
}

function big64 (name: string, signed: boolean, le: boolean): Coder<bigint> {
  const lo = signed ? -(1n << 63n) : 0n
  const hi = signed ? (1n << 63n) - 1n : (1n << 64n) - 1n
  return createCoder<bigint>({
    name,
    minBytes: 8,
    fixedBytes: 8,
    write (w: Writer, v: bigint): void {
      if (typeof v !== 'bigint' || v < lo || v > hi) throw w.invalid(name, `expected a bigint in [${lo}, ${hi}], got ${String(v)}`)
      const dv = w.reserve(8)
      if (signed) dv.setBigInt64(w.pos, v, le)
      else dv.setBigUint64(w.pos, v, le)
      w.pos += 8
    },
    read (r: Reader): bigint {
      const p = r.need(8, name)
      return signed ? r.dv().getBigInt64(p, le) : r.dv().getBigUint64(p, le)
    }
  })
}

export const u8: Coder<number> = uint('u8', 1, false)
export const u16: Coder<number> = uint('u16', 2, false)
export const u32: Coder<number> = uint('u32', 4, false)
export const u16le: Coder<number> = uint('u16le', 2, true)
export const u32le: Coder<number> = uint('u32le', 4, true)
export const i32: Coder<number> = int('i32', 4, false)
export const i32le: Coder<number> = int('i32le', 4, true)
/** Unsigned 64-bit big-endian, as a bigint. */
export const u64: Coder<bigint> = big64('u64', false, false)
export const u64le: Coder<bigint> = big64('u64le', false, true)
/** Signed 64-bit two's complement big-endian, as a bigint. */
export const i64: Coder<bigint> = big64('i64', true, false)
export const i64le: Coder<bigint> = big64('i64le', true, true)

/** One byte, 0 or 1; any other byte is rejected. */
export const bool: Coder<boolean> = createCoder<boolean>({
  name: 'bool',
  minBytes: 1,
  fixedBytes: 1,
  write (w: Writer, v: boolean): void {
    if (typeof v !== 'boolean') throw w.invalid('bool', `expected a boolean, got ${typeof v}`)
    w.u8(v ? 1 : 0)
  },
  read (r: Reader): boolean {
    const b = r.u8('bool')
    if (b > 1) throw r.fail('bool', `invalid byte ${b} (only 0 or 1)`)
    return b === 1
  }
})

/** Appends `v` (a safe non-negative integer, already checked) as LEB128. */
export function writeUvarint (w: Writer, v: number): void {
  while (v >= 0x80) {
    w.u8((v % 0x80) | 0x80)
    v = Math.floor(v / 0x80)
  }
  w.u8(v)
}

/** Reads a canonical LEB128 number ≤ 2^53-1; `what` names it in errors. */
export function readUvarint (r: Reader, what = 'uvarint'): number {
  let b = r.u8(what)
  if (b < 0x80) return b
  let v = b & 0x7f
  let mul = 0x80
  for (let i = 1; ; i++) {
    b = r.u8(what)
    if (i === 7 && b > 0x0f) throw r.fail(what, 'value exceeds 2^53-1')
    v += (b & 0x7f) * mul
    if (b < 0x80) {
      if (b === 0) throw r.fail(what, 'non-minimal encoding')
      return v
    }
    mul *= 0x80
  }
}

/** Byte length of the LEB128 encoding of `v`. */
export function uvarintLength (v: number): number {
  let n = 1
  while (v >= 0x80) { v = Math.floor(v / 0x80); n++ }
  return n
}

/** Unsigned LEB128 (canonical: minimal bytes only), as a number in [0, 2^53-1]. */
export const uvarint: Coder<number> = createCoder<number>({
  name: 'uvarint',
  minBytes: 1,
  write (w: Writer, v: number): void {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_UVARINT) throw w.invalid('uvarint', `expected an integer in [0, 2^53-1], got ${String(v)}`)
    writeUvarint(w, v)
  },
  read: (r: Reader): number => readUvarint(r)
})

/** Unsigned LEB128 (canonical), as a bigint in [0, 2^64-1]. */
export const uvarint64: Coder<bigint> = createCoder<bigint>({
  name: 'uvarint64',
  minBytes: 1,
  write (w: Writer, v: bigint): void {
    if (typeof v !== 'bigint' || v < 0n || v > MAX_UVARINT64) throw w.invalid('uvarint64', `expected a bigint in [0, 2^64-1], got ${String(v)}`)
    if (v <= BigInt(MAX_UVARINT)) { writeUvarint(w, Number(v)); return }
    while (v >= 0x80n) {
      w.u8(Number(v & 0x7fn) | 0x80)
      v >>= 7n
    }
    w.u8(Number(v))
  },
  read (r: Reader): bigint {
    let v = 0n
    for (let i = 0; ; i++) {
      const b = r.u8('uvarint64')
      if (i === 9 && b > 1) throw r.fail('uvarint64', 'value exceeds 2^64-1')
      v |= BigInt(b & 0x7f) << BigInt(7 * i)
      if (b < 0x80) {
        if (b === 0 && i > 0) throw r.fail('uvarint64', 'non-minimal encoding')
        return v
      }
    }
  }
})
