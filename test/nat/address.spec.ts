import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import net from 'node:net'
import { AddressError, GlobalAddress, MAX_OFFSET, formatIPv6, parseIPv6 } from '../../ts/nat/index.ts'

const node = Uint8Array.from([0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f])
const arbAddress = fc.record({
  node: fc.uint8Array({ minLength: 6, maxLength: 6 }),
  kind: fc.integer({ min: 0, max: 15 }),
  index: fc.integer({ min: 0, max: 0xfff }),
  offset: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: MAX_OFFSET }))
}).map((p) => GlobalAddress.from(p))

/** Every RFC 4291 spelling of 16 bytes: full or compressed at any zero run, with leading zeros, mixed case, or a dotted IPv4 tail. */
const arbSpelling = (b: Uint8Array): fc.Arbitrary<string> => fc.record({
  pad: fc.boolean(), upper: fc.boolean(), v4: fc.boolean(), cut: fc.nat()
}).map(({ pad, upper, v4, cut }) => {
  const words = Array.from({ length: 8 }, (_, i) => (b[2 * i] << 8) | b[2 * i + 1])
  const n = v4 ? 6 : 8
  let groups = words.slice(0, n).map((w) => pad ? w.toString(16).padStart(4, '0') : w.toString(16))
  // compress one run of zero groups (if any) chosen by `cut`
  const runs: Array<[number, number]> = []
  for (let i = 0; i < n; i++) if (words[i] === 0) { let j = i; while (j < n && words[j] === 0) j++; runs.push([i, j]); i = j }
  let text: string
  const tail = v4 ? `${b[12]}.${b[13]}.${b[14]}.${b[15]}` : ''
  if (runs.length > 0 && cut % 3 !== 0) {
    const [i, j] = runs[cut % runs.length]
    const s = i + (cut % (j - i)); const e = j
    groups = [...groups.slice(0, s), '\u0000', ...groups.slice(e)]
    text = groups.join(':').replace(/:?\u0000:?/, '::')
    if (v4) text = text.endsWith('::') ? text + tail : text + ':' + tail
  } else {
    text = groups.join(':') + (v4 ? ':' + tail : '')
  }
  return upper ? text.toUpperCase() : text
})

describe('GlobalAddress text (property tests)', () => {
  it('format∘parse is the identity on addresses, and parse reads every valid spelling of one', () => {
    fc.assert(fc.property(arbAddress.chain((a) => fc.tuple(fc.constant(a), arbSpelling(a.bytes))), ([a, spelling]) => {
      expect(GlobalAddress.parse(a.toString()).equals(a)).toBe(true)
      expect(GlobalAddress.parse(a.toUrl()).equals(a)).toBe(true)
      expect(net.isIPv6(spelling)).toBe(true)
      const p = GlobalAddress.parse(spelling)
      expect(p.equals(a)).toBe(true)
      expect(p.toString()).toBe(a.toString()) // canonical output whatever the input spelling
      expect(GlobalAddress.parse(`hypermesh://[${spelling}]/x`).equals(a)).toBe(true)
    }), { numRuns: 3000 })
  })

  it('parseIPv6 accepts exactly what node:net accepts (zone ids aside) and throws only AddressError', () => {
    const alphabet = fc.constantFrom(...'0123456789abcdefABCDEF::::....'.split(''), '%', 'g', ' ', '::')
    const near = fc.array(alphabet, { maxLength: 46 }).map((cs) => cs.join(''))
    fc.assert(fc.property(fc.oneof(near, fc.string({ maxLength: 60 })), (s) => {
      let ok: boolean
      try { parseIPv6(s); ok = true } catch (err) {
        expect(err).toBeInstanceOf(AddressError)
        ok = false
      }
      expect(ok).toBe(net.isIPv6(s) && !s.includes('%'))
    }), { numRuns: 20_000 })
  })

  it('GlobalAddress.parse throws only AddressError on random text and URLs', () => {
    const url = fc.tuple(fc.constantFrom('hypermesh://', 'HYPERMESH://', 'http://', ''), fc.string({ maxLength: 60 }), fc.string({ maxLength: 10 }))
      .map(([s, a, p]) => s + a + p)
    fc.assert(fc.property(fc.oneof(url, fc.string({ maxLength: 100 })), (s) => {
      try {
        const a = GlobalAddress.parse(s)
        expect([...a.bytes.subarray(0, 4)]).toEqual([0xfd, 0x48, 0x4d, 0x00])
      } catch (err) { expect(err).toBeInstanceOf(AddressError) }
    }), { numRuns: 5000 })
    for (const v of [undefined, null, 42, {}, 'x'.repeat(5000)]) expect(() => GlobalAddress.parse(v as string)).toThrow(AddressError)
  })

  it('formatIPv6 matches node:net\'s canonical text for any 16 bytes outside the IPv4-mapped ranges', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 8 }), (b, zeros) => {
      for (const z of zeros) { b[2 * z] = 0; b[2 * z + 1] = 0 }
      b[0] |= 0x20 // ::/96 and ::ffff:0:0/96 print as dotted IPv4 in node:net
      const text = formatIPv6(b)
      expect(new net.SocketAddress({ address: text, family: 'ipv6' }).address).toBe(text)
      expect(parseIPv6(text)).toEqual(b)
    }), { numRuns: 2000 })
  })
})

describe('GlobalAddress text (examples)', () => {
  const a = GlobalAddress.from({ node, kind: 2, index: 5, offset: 0x01020304 })

  it('reads the dotted IPv4 tail form and writes RFC 5952 text', () => {
    expect(a.toString()).toBe('fd48:4d00:1a2b:3c4d:5e6f:2005:102:304')
    expect(GlobalAddress.parse('fd48:4d00:1a2b:3c4d:5e6f:2005:1.2.3.4').equals(a)).toBe(true)
    expect(GlobalAddress.parse('fd48:4d00::0.0.0.1').toString()).toBe('fd48:4d00::1')
    expect(GlobalAddress.parse('FD48:4D00:0:0:0:0:0:0').toString()).toBe('fd48:4d00::')
    // RFC 5952 §4.2.3: the first of two equal longest zero runs is compressed
    expect(GlobalAddress.from({ node: Uint8Array.from([0, 0, 0, 0, 1, 0]), kind: 1, index: 0, offset: 0 }).toString()).toBe('fd48:4d00::100:1000:0:0')
    // the longest run wins over an earlier shorter one
    expect(GlobalAddress.from({ node: Uint8Array.from([0, 0, 0, 0, 1, 0]), kind: 0, index: 0, offset: 0 }).toString()).toBe('fd48:4d00:0:0:100::')
    expect(GlobalAddress.from({ node: Uint8Array.from([0, 0, 0, 1, 0, 0]), kind: 0, index: 0, offset: 0 }).toString()).toBe('fd48:4d00:0:1::')
    // RFC 5952 §4.2.2: a single zero group is not compressed
    expect(GlobalAddress.from({ node: Uint8Array.from([0, 1, 0, 0, 0, 1]), kind: 1, index: 1, offset: 1 }).toString()).toBe('fd48:4d00:1:0:1:1001:0:1')
  })

  it('reads hypermesh:// URLs with and without brackets and a path; parseUrl returns the path', () => {
    expect(GlobalAddress.parseUrl('hypermesh://fd48:4d00:1a2b:3c4d:5e6f:2005:102:304/blocks/7')).toEqual({ address: a, path: '/blocks/7' })
    expect(GlobalAddress.parseUrl('hypermesh://[fd48:4d00:1a2b:3c4d:5e6f:2005:1.2.3.4]/a%20b').path).toBe('/a%20b')
    expect(GlobalAddress.parseUrl(a.toUrl()).path).toBe('')
    expect(a.toUrl('/x')).toBe('hypermesh://fd48:4d00:1a2b:3c4d:5e6f:2005:102:304/x')
    expect(() => a.toUrl('x')).toThrow(AddressError)
    const refusals: Array<[string, RegExp]> = [
      ['hypermesh://[fd48:4d00::1]:80', /after the address/],
      ['hypermesh://fd48:4d00::1?q=1', /IPv6|query/],
      ['hypermesh://[fd48:4d00::1]/x?q', /no query or fragment/],
      ['hypermesh://[fd48:4d00::1]/a b', /path holds characters/],
      ['hypermesh://[fd48:4d00::1]/%zz', /path holds characters/],
      ['http://[fd48:4d00::1]', /only URL scheme/],
      ['hypermesh://', /empty/],
      ['fe80::1', /not in the HyperMesh range/],
      ['fd48:4d01::1', /not in the HyperMesh range/],
      ['fd48:4d00::1%eth0', /zone ids/],
      ['fd48:4d00::01.2.3.4', /four decimal octets/],
      ['fd48:4d00::1.2.3', /four decimal octets/],
      ['1.2.3.4', /must follow IPv6 groups/],
      ['fd48:4d00:1:2:3:4:5:6:1.2.3.4', /groups/]
    ]
    for (const [bad, why] of refusals) expect(() => GlobalAddress.parse(bad), bad).toThrow(why)
  })

  it('arithmetic: add checks overflow both ways; fromBytes and from refuse out-of-range parts', () => {
    expect(a.add(-0x01020304).offset).toBe(0)
    expect(a.add(MAX_OFFSET - 0x01020304).offset).toBe(MAX_OFFSET)
    expect(() => a.add(MAX_OFFSET)).toThrow(/leaves the asset/)
    expect(() => a.add(0.5)).toThrow(AddressError)
    expect(() => a.add(Number.MAX_SAFE_INTEGER + 2)).toThrow(AddressError)
    expect(a.add(8).base().equals(a.base())).toBe(true)
    expect(() => GlobalAddress.fromBytes(new Uint8Array(15))).toThrow(/16 bytes/)
    expect(() => GlobalAddress.from({ node, kind: 16, index: 0, offset: 0 })).toThrow(/kind/)
    expect(() => GlobalAddress.from({ node, kind: 0, index: 4096, offset: 0 })).toThrow(/slot index/)
    expect(() => GlobalAddress.from({ node, kind: 0, index: 0, offset: -1 })).toThrow(/offset/)
    expect(() => GlobalAddress.from({ node: node.subarray(0, 5), kind: 0, index: 0, offset: 0 })).toThrow(/node/)
  })
})
