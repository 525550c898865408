// Known-answer encodings and strict decoding of every ts/wire coder.
import { describe, expect, it } from 'vitest'
import {
  u8, u16, u32, u16le, u32le, i32, u64, u64le, i64, bool, uvarint, uvarint64, bytes, varBytes, utf8,
  struct, tuple, vector, array, option, enumeration, tagged, literal, magic, transform, sortedMap,
  encodeCanonical, decodeCanonical, hashCanonical, createCoder, type Coder
} from '../../ts/wire/index.ts'
import { createHash } from 'node:crypto'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))

function expectDecodeError (c: Coder<unknown>, h: string, msg?: RegExp): void {
  let err: unknown
  try { c.decode(unhex(h)) } catch (e) { err = e }
  expect((err as Error)?.name, `decode ${h}`).toBe('DecodeError')
  if (msg !== undefined) expect((err as Error).message).toMatch(msg)
}

function expectInvalid (fn: () => unknown): void {
  expect(fn).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
}

describe('fixed-width integers', () => {
  it('encode big-endian and little-endian known answers', () => {
    expect(hex(u8.encode(0xab))).toBe('ab')
    expect(hex(u16.encode(0x1234))).toBe('1234')
    expect(hex(u16le.encode(0x1234))).toBe('3412')
    expect(hex(u32.encode(0xdeadbeef))).toBe('deadbeef')
    expect(hex(u32le.encode(0xdeadbeef))).toBe('efbeadde')
    expect(hex(i32.encode(-2))).toBe('fffffffe')
    expect(hex(u64.encode(0x0102030405060708n))).toBe('0102030405060708')
    expect(hex(u64le.encode(0x0102030405060708n))).toBe('0807060504030201')
    expect(hex(u64.encode((1n << 64n) - 1n))).toBe('ffffffffffffffff')
    expect(hex(i64.encode(-1n))).toBe('ffffffffffffffff')
    expect(u32.decode(unhex('deadbeef'))).toBe(0xdeadbeef)
    expect(u64le.decode(unhex('0807060504030201'))).toBe(0x0102030405060708n)
    expect(i64.decode(unhex('8000000000000000'))).toBe(-(1n << 63n))
  })
  it('reject out-of-range values on encode', () => {
    expectInvalid(() => u8.encode(256))
    expectInvalid(() => u8.encode(-1))
    expectInvalid(() => u16.encode(1.5))
    expectInvalid(() => u32.encode(2 ** 32))
    expectInvalid(() => u32.encode(Number.NaN))
    expectInvalid(() => u64.encode(1n << 64n))
    expectInvalid(() => u64.encode(-1n))
    expectInvalid(() => u64.encode(5 as unknown as bigint))
    expectInvalid(() => i64.encode(1n << 63n))
    expectInvalid(() => i32.encode(2 ** 31))
  })
  it('reject truncated and trailing bytes', () => {
    expectDecodeError(u32, 'aabbcc', /u32: truncated/)
    expectDecodeError(u32, 'aabbccddee', /1 trailing byte/)
    expectDecodeError(u64, '', /truncated/)
  })
})

describe('bool', () => {
  it('is one byte 0 or 1 only', () => {
    expect(hex(bool.encode(true))).toBe('01')
    expect(bool.decode(unhex('00'))).toBe(false)
    expectDecodeError(bool, '02', /bool: invalid byte 2/)
    expectDecodeError(bool, 'ff')
    expectInvalid(() => bool.encode(1 as unknown as boolean))
  })
})

describe('uvarint (canonical LEB128)', () => {
  const cases: Array<[number, string]> = [
    [0, '00'], [1, '01'], [127, '7f'], [128, '8001'], [300, 'ac02'], [16383, 'ff7f'], [16384, '808001'],
    [2 ** 32, '8080808010'], [Number.MAX_SAFE_INTEGER, 'ffffffffffffff0f']
  ]
  it('known answers both ways', () => {
    for (const [v, h] of cases) {
      expect(hex(uvarint.encode(v)), String(v)).toBe(h)
      expect(uvarint.decode(unhex(h))).toBe(v)
      expect(hex(uvarint64.encode(BigInt(v)))).toBe(h)
      expect(uvarint64.decode(unhex(h))).toBe(BigInt(v))
    }
    expect(hex(uvarint64.encode((1n << 64n) - 1n))).toBe('ffffffffffffffffff01')
    expect(uvarint64.decode(unhex('ffffffffffffffffff01'))).toBe((1n << 64n) - 1n)
    expect(uvarint64.decode(unhex('80'.repeat(9) + '01'))).toBe(1n << 63n)
  })
  it('rejects non-minimal encodings', () => {
    expectDecodeError(uvarint, '8000', /non-minimal/)
    expectDecodeError(uvarint, 'ff00', /non-minimal/)
    expectDecodeError(uvarint, '818000', /non-minimal/)
    expectDecodeError(uvarint64, '8000', /non-minimal/)
    expectDecodeError(uvarint64, 'ffffffffffffffffff00', /non-minimal/)
  })
  it('rejects values beyond the form\'s range', () => {
    expectDecodeError(uvarint, '8080808080808010', /2\^53-1/) // 2^53
    expectDecodeError(uvarint, 'ffffffffffffffff01', /2\^53-1/)
    expectDecodeError(uvarint64, 'ffffffffffffffffff02', /2\^64-1/)
    expectDecodeError(uvarint64, 'ffffffffffffffffff8001', /2\^64-1/)
    expectInvalid(() => uvarint.encode(2 ** 53))
    expectInvalid(() => uvarint.encode(-1))
    expectInvalid(() => uvarint64.encode(1n << 64n))
  })
  it('rejects truncation', () => {
    expectDecodeError(uvarint, '', /truncated/)
    expectDecodeError(uvarint, '80', /truncated/)
    expectDecodeError(uvarint64, 'ffff', /truncated/)
  })
})

describe('byte strings', () => {
  it('bytes(n) is exactly n bytes and decodes zero-copy', () => {
    const c = bytes(4)
    expect(hex(c.encode(unhex('01020304')))).toBe('01020304')
    const input = unhex('01020304')
    const out = c.decode(input)
    expect(out.buffer).toBe(input.buffer)
    expectInvalid(() => c.encode(unhex('0102')))
    expectDecodeError(c, '010203', /bytes\(4\): truncated/)
  })
  it('varBytes checks the bound and the bytes present before slicing', () => {
    const c = varBytes(300)
    expect(hex(c.encode(unhex('aabb')))).toBe('02aabb')
    const big = new Uint8Array(200).fill(7)
    expect(hex(c.encode(big).subarray(0, 3))).toBe('c80107')
    expect(c.decode(c.encode(big))).toEqual(big)
    expectInvalid(() => c.encode(new Uint8Array(301)))
    expectDecodeError(c, 'ad02' + '00'.repeat(301), /length 301 exceeds the bound 300/)
    expectDecodeError(c, '03aabb', /truncated: length 3, 2 byte/)
    // a prefix claiming 2^40 bytes fails on the length, before any allocation
    expectDecodeError(varBytes(2 ** 50), '8080808080200102', /truncated: length 1099511627776/)
    expectDecodeError(c, '8080808080200102', /exceeds the bound 300/)
  })
  it('utf8 round-trips text and rejects invalid UTF-8', () => {
    const c = utf8(16)
    expect(hex(c.encode('hé'))).toBe('0368c3a9')
    expect(c.decode(unhex('0368c3a9'))).toBe('hé')
    expect(c.decode(c.encode('\uFEFFa'))).toBe('\uFEFFa') // BOM kept: round trip is exact
    expect(c.decode(c.encode('😀'))).toBe('😀')
    expectDecodeError(c, '01ff', /invalid UTF-8/)
    expectDecodeError(c, '02c3', /truncated/)
    expectDecodeError(c, '02c328', /invalid UTF-8/)
    expectDecodeError(c, '03eda080', /invalid UTF-8/) // encoded surrogate
    expectDecodeError(c, '02c0af', /invalid UTF-8/) // overlong
    expectInvalid(() => c.encode('x'.repeat(17)))
    expectInvalid(() => c.encode('é'.repeat(9)))
    expectInvalid(() => c.encode('a\uD800b'))
  })
})

describe('composites', () => {
  const Kind = { Cpu: 0, Gpu: 1, Memory: 7 } as const
  const Msg = tagged({
    ping: [0, struct({ seq: u32 })],
    data: [3, struct({ kind: enumeration(Kind), body: varBytes(64), note: option(utf8(8)) })]
  } as const)
  const Hello = struct({
    version: literal(u8, 1),
    height: u64,
    name: utf8(32),
    keys: vector(bytes(2), 4),
    pair: tuple([u8, bool] as const),
    msg: Msg
  })
  const value = {
    version: 1 as const,
    height: 258n,
    name: 'n1',
    keys: [unhex('aaaa'), unhex('bbbb')],
    pair: [9, true] as [number, boolean],
    msg: { type: 'data' as const, value: { kind: 7 as const, body: unhex('ff'), note: 'x' } }
  }
  const expected = '01' + '0000000000000102' + '026e31' + '02aaaabbbb' + '0901' + '03' + '07' + '01ff' + '010178'

  it('struct fields in declaration order, byte-exact', () => {
    const b = Hello.encode(value)
    expect(hex(b)).toBe(expected)
    expect(Hello.decode(b)).toEqual(value)
    expect(hex(encodeCanonical(Hello, value))).toBe(expected)
    expect(decodeCanonical(Hello, b)).toEqual(value)
  })
  it('hashCanonical is SHA-256 of the canonical bytes', () => {
    expect(hex(hashCanonical(Hello, value))).toBe(createHash('sha256').update(unhex(expected)).digest('hex'))
  })
  it('names the field path in decode errors', () => {
    const bad = (i: number, b: string): string => expected.slice(0, i * 2) + b + expected.slice(i * 2 + 2)
    expectDecodeError(Hello, bad(0, '02'), /^version: literal\(1\): expected 1, got 2/)
    expectDecodeError(Hello, expected.slice(0, 30), /^keys: vector\(bytes\(2\), 4\): truncated: 2 items need at least 4 bytes/)
    expectDecodeError(vector(varBytes(4), 3), '0201aa02bb', /^1: varBytes\(4\): truncated: length 2, 1 byte/)
    expectDecodeError(Hello, bad(18, '02'), /^pair\.1: bool: invalid byte 2/)
    expectDecodeError(Hello, bad(19, '02'), /^msg: tagged: unknown tag 2/)
    expectDecodeError(Hello, bad(20, '02'), /^msg\.data\.kind: enum: unknown value 2/)
    expectDecodeError(Hello, bad(23, '02'), /^msg\.data\.note: option\(utf8\(8\)\): invalid presence byte 2/)
    expectDecodeError(Hello, expected + '00', /1 trailing byte/)
    expectDecodeError(Hello, '01' + '0000000000000102' + '026e31' + '05', /keys: vector\(bytes\(2\), 4\): count 5 exceeds the bound 4/)
    expectDecodeError(Hello, '01' + '0000000000000102' + '026e31' + '03aaaa', /keys: .*3 items need at least 6 bytes/)
  })
  it('names the field path in encode errors', () => {
    expect(() => Hello.encode({ ...value, keys: [unhex('aa')] })).toThrow(/^keys\.0: bytes\(2\): expected 2 bytes/)
    expect(() => Hello.encode({ ...value, msg: { type: 'nope' } as never })).toThrow(/msg: tagged: unknown variant nope/)
    expect(() => Hello.encode({ ...value, version: 2 as 1 })).toThrow(/version: literal\(1\)/)
    expect(() => Hello.encode({ ...value, msg: { type: 'data', value: { ...value.msg.value, kind: 3 as 0 } } })).toThrow(/msg\.data\.kind: enum: 3 is not one of/)
    expectInvalid(() => Hello.encode(null as never))
  })
  it('option encodes absence as 0 and presence as 1', () => {
    const c = option(u16)
    expect(hex(c.encode(undefined))).toBe('00')
    expect(hex(c.encode(5))).toBe('010005')
    expect(c.decode(unhex('00'))).toBeUndefined()
  })
  it('array has no count prefix; vector has one', () => {
    expect(hex(array(u8, 3).encode([1, 2, 3]))).toBe('010203')
    expect(hex(vector(u8, 3).encode([1, 2, 3]))).toBe('03010203')
    expectInvalid(() => array(u8, 3).encode([1, 2]))
    expectInvalid(() => vector(u8, 2).encode([1, 2, 3]))
    expect(array(u16, 4).fixedBytes).toBe(8)
    expectDecodeError(array(u16, 4), '000100020003', /truncated/)
  })
  it('a vector count claiming 2^40 items fails before allocating', () => {
    expectDecodeError(vector(u8, 2 ** 50), '808080808020' + '00', /2\^?|1099511627776 items need/)
  })
  it('magic checks its prefix', () => {
    const c = magic(unhex('484d'), u8)
    expect(hex(c.encode(5))).toBe('484d05')
    expectDecodeError(c, '484e05', /wrong magic/)
    expectDecodeError(c, '48', /truncated/)
  })
  it('tagged and enumeration reject duplicate or unencodable tags at construction', () => {
    expectInvalid(() => tagged({ a: [1, u8], b: [1, u8] }))
    expectInvalid(() => enumeration({ a: 256 }))
    expectInvalid(() => enumeration({ a: 1, b: 1 }))
    expect(hex(enumeration({ big: 300 } as const, uvarint).encode(300))).toBe('ac02')
  })
  it('transform maps values and turns rejections into DecodeError', () => {
    const even = transform<number, number>(u8, (v) => v * 2, (t) => { if (t % 2 !== 0) throw new Error('odd'); return t / 2 }, 'even')
    expect(hex(even.encode(3))).toBe('06')
    expect(even.decode(unhex('06'))).toBe(3)
    expectDecodeError(even, '07', /even: odd/)
  })
  it('canonical helpers catch non-injective transforms', () => {
    // decodes any u8 but always encodes 0: the bytes 05 are not canonical
    const lossy = transform<number, number>(u8, () => 0, (t) => t)
    // encodes v as v but decodes t as t + 1: no value has a stable encoding
    const shifted = transform<number, number>(u8, (v) => v, (t) => t + 1)
    expect(() => encodeCanonical(shifted, 5)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(() => decodeCanonical(lossy, unhex('05'))).toThrow(expect.objectContaining({ name: 'DecodeError' }))
    expect(decodeCanonical(lossy, unhex('00'))).toBe(0)
  })
  it('decode rejects non-Uint8Array input with a typed error', () => {
    expectInvalid(() => u8.decode('01' as unknown as Uint8Array))
  })
  it('createCoder builds custom coders that compose', () => {
    const rgb = createCoder<[number, number, number]>({
      name: 'rgb',
      minBytes: 3,
      fixedBytes: 3,
      write: (w, v) => { for (const x of v) u8.write(w, x) },
      read: (r) => [u8.read(r), u8.read(r), u8.read(r)]
    })
    const c = vector(rgb, 2)
    expect(hex(c.encode([[1, 2, 3], [4, 5, 6]]))).toBe('02010203040506')
    expect(c.decode(unhex('01090807'))).toEqual([[9, 8, 7]])
  })
  it('sortedMap sorts by encoded key, and decode rejects unsorted or duplicate keys', () => {
    const c = sortedMap(utf8(8), u16, 4)
    const m = new Map([['b', 2], ['a', 1], ['ab', 3]])
    const b = c.encode(m)
    // ordered by the key's encoding, length prefix included: 'b' (01 62) before 'ab' (02 61 62)
    expect(hex(b)).toBe('03' + '01610001' + '01620002' + '0261620003')
    expect([...c.decode(b)]).toEqual([['a', 1], ['b', 2], ['ab', 3]])
    expect(hex(c.encode(new Map([['ab', 3], ['b', 2], ['a', 1]])))).toBe(hex(b)) // insertion order does not matter
    expectDecodeError(c, '02' + '01620002' + '01610001', /not in strictly increasing order/)
    expectDecodeError(c, '02' + '01610001' + '01610002', /not in strictly increasing order/)
    expectDecodeError(c, '05', /count 5 exceeds the bound 4/)
    expectDecodeError(c, '04' + '0161', /4 entries need at least 12 bytes/)
    expectInvalid(() => c.encode(new Map([['a', 1], ['b', 2], ['c', 3], ['d', 4], ['e', 5]])))
    expectInvalid(() => c.encode(new Map([['a', 70000]])))
  })
})
