// fast-check on every ts/wire decoder: random bytes either decode to a value
// whose encoding is exactly those bytes (canonical) or throw DecodeError;
// every strict prefix and every extension of a valid encoding is rejected;
// random values round-trip byte-exactly.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  u8, u16, u32, u16le, u32le, i32, i32le, u64, u64le, i64, i64le, bool, uvarint, uvarint64,
  bytes, varBytes, utf8, struct, tuple, vector, array, option, enumeration, tagged, literal, magic, sortedMap,
  type Coder
} from '../../ts/wire/index.ts'

const Kind = { Cpu: 0, Gpu: 1, Memory: 4, Storage: 9 } as const
const Inner = struct({ id: u16, tags: vector(utf8(12), 3), flag: option(bool) })
const Msg = tagged({ a: [0, u32], b: [1, Inner], c: [200, tuple([i64, bytes(3)] as const)] } as const)
const Big = struct({
  magicVersion: magic(new Uint8Array([0x48, 0x4d]), literal(u8, 2)),
  kind: enumeration(Kind),
  n: uvarint,
  n64: uvarint64,
  blob: varBytes(40),
  list: vector(Msg, 4),
  fixed: array(u32le, 2),
  opt: option(varBytes(5))
})

const arbInner = fc.record({
  id: fc.integer({ min: 0, max: 0xffff }),
  tags: fc.array(fc.string({ unit: 'binary', maxLength: 3 }), { maxLength: 3 }),
  flag: fc.option(fc.boolean(), { nil: undefined })
})
const arbMsg = fc.oneof(
  fc.record({ type: fc.constant('a' as const), value: fc.integer({ min: 0, max: 0xffffffff }) }),
  fc.record({ type: fc.constant('b' as const), value: arbInner }),
  fc.record({ type: fc.constant('c' as const), value: fc.tuple(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), fc.uint8Array({ minLength: 3, maxLength: 3 })) })
)
const arbBig = fc.record({
  magicVersion: fc.constant(2 as const),
  kind: fc.constantFrom(...Object.values(Kind)),
  n: fc.oneof(fc.nat(300), fc.maxSafeNat()),
  n64: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  blob: fc.uint8Array({ maxLength: 40 }),
  list: fc.array(arbMsg, { maxLength: 4 }),
  fixed: fc.tuple(fc.nat(0xffffffff), fc.nat(0xffffffff)).map((t) => [t[0], t[1]]),
  opt: fc.option(fc.uint8Array({ maxLength: 5 }), { nil: undefined })
})

const coders: Array<[string, Coder<any>]> = [ // eslint-disable-line @typescript-eslint/no-explicit-any
  ['u8', u8], ['u16', u16], ['u32', u32], ['u16le', u16le], ['u32le', u32le], ['i32', i32], ['i32le', i32le],
  ['u64', u64], ['u64le', u64le], ['i64', i64], ['i64le', i64le], ['bool', bool], ['uvarint', uvarint],
  ['uvarint64', uvarint64], ['bytes(5)', bytes(5)], ['varBytes(20)', varBytes(20)], ['utf8(20)', utf8(20)],
  ['vector', vector(u16, 5)], ['array', array(bool, 3)], ['option', option(uvarint)],
  ['enumeration', enumeration(Kind)], ['tagged', Msg], ['struct', Inner], ['big', Big],
  ['sortedMap', sortedMap(uvarint, bool, 6)], ['sortedMap utf8', sortedMap(utf8(3), option(u8), 4)]
]

/** Decoding either fails with DecodeError or yields a value that re-encodes to exactly the input. */
function checkBytes (c: Coder<unknown>, b: Uint8Array): void {
  let v: unknown
  try {
    v = c.decode(b)
  } catch (e) {
    expect((e as Error).name, (e as Error).message).toBe('DecodeError')
    return
  }
  expect(Buffer.from(c.encode(v)).equals(b)).toBe(true)
}

describe('wire decoders under fuzzing', () => {
  for (const [name, c] of coders) {
    it(`${name}: random bytes → canonical value or DecodeError`, () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 48 }), (b) => checkBytes(c, b)), { numRuns: 400 })
    })
  }

  it('big struct: random values round-trip byte-exactly; prefixes and extensions are rejected', () => {
    fc.assert(fc.property(arbBig, fc.nat(), fc.integer({ min: 0, max: 255 }), (v, cut, extra) => {
      const b = Big.encode(v)
      expect(Big.encode(Big.decode(b))).toEqual(b)
      expect(Big.decode(b)).toEqual(v)
      const prefix = b.subarray(0, cut % b.length)
      expect(() => Big.decode(prefix)).toThrow(expect.objectContaining({ name: 'DecodeError' }))
      const longer = new Uint8Array(b.length + 1)
      longer.set(b)
      longer[b.length] = extra
      expect(() => Big.decode(longer)).toThrow(expect.objectContaining({ name: 'DecodeError' }))
    }), { numRuns: 300 })
  })

  it('big struct: mutated valid encodings → canonical value or DecodeError', () => {
    fc.assert(fc.property(arbBig, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }), (v, muts) => {
      const b = Big.encode(v).slice()
      for (const [i, x] of muts) b[i % b.length] = x
      checkBytes(Big, b)
    }), { numRuns: 400 })
  })

  it('sortedMap: random maps round-trip byte-exactly, independent of insertion order', () => {
    const c = sortedMap(utf8(12), u32, 8)
    fc.assert(fc.property(fc.uniqueArray(fc.tuple(fc.string({ unit: 'binary', maxLength: 3 }), fc.nat(0xffffffff)), { selector: (e) => e[0], maxLength: 8 }), (entries) => {
      const b = c.encode(new Map(entries))
      expect(c.encode(new Map([...entries].reverse()))).toEqual(b)
      expect(new Map([...c.decode(b)])).toEqual(new Map(entries))
      expect(c.encode(c.decode(b))).toEqual(b)
    }), { numRuns: 200 })
  })

  it('length prefixes near 2^53 fail on bounds, without allocating', () => {
    fc.assert(fc.property(fc.bigInt({ min: 1n << 20n, max: (1n << 53n) - 1n }), fc.uint8Array({ maxLength: 8 }), (len, tail) => {
      const prefix = uvarint64.encode(len)
      const b = new Uint8Array([...prefix, ...tail])
      for (const c of [varBytes(2 ** 52), utf8(2 ** 52), vector(u8, 2 ** 52), vector(u64, 2 ** 40)] as Array<Coder<unknown>>) {
        expect(() => c.decode(b)).toThrow(expect.objectContaining({ name: 'DecodeError' }))
      }
    }), { numRuns: 200 })
  })
})
