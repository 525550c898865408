// Packers (WASM scalar, WASM SIMD, TS reference): CRC32C known answers,
// record packing byte-exact and in parity, checksummed frames, and fast-check
// fuzzing of the frame decoders (typed errors, no allocation past the bound).
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { instantiateKernelModule, type KernelModule } from '../../ts/wasm/loader.ts'
import {
  createWasmPacker, referencePacker, recordLayout, PACK_FRAME_HEADER_BYTES,
  type Column, type Packer, type RecordLayout
} from '../../ts/wasm/pack.ts'

const modules: Record<string, KernelModule> = {
  scalar: instantiateKernelModule('scalar'),
  simd: instantiateKernelModule('simd')
}
const packers: Packer[] = [createWasmPacker(modules.scalar), createWasmPacker(modules.simd), referencePacker]
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))
const decodeErr = expect.objectContaining({ name: 'DecodeError' })
const invalid = expect.objectContaining({ name: 'InvalidArgumentError' })

function randomColumns (layout: RecordLayout, count: number, seed: number): Column[] {
  let x = seed >>> 0 || 1
  const next = (): number => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x }
  return layout.widths.map((w) => {
    if (w === 1) return Uint8Array.from({ length: count }, () => next() & 0xff)
    if (w === 2) return Uint16Array.from({ length: count }, () => next() & 0xffff)
    if (w === 4) return Uint32Array.from({ length: count }, () => next())
    return BigUint64Array.from({ length: count }, () => (BigInt(next()) << 32n) | BigInt(next()))
  })
}

for (const p of packers) {
  describe(`packer: ${p.name}`, () => {
    it('CRC32C known answers (RFC 3720 B.4, "123456789")', () => {
      expect(p.crc32c(new Uint8Array(32))).toBe(0x8a9136aa)
      expect(p.crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43)
      expect(p.crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e)
      expect(p.crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c)
      expect(p.crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283)
      expect(p.crc32c(new Uint8Array(0))).toBe(0)
    })
    it('CRC32C continues across pieces, also past the 1 MiB chunking', () => {
      const data = Uint8Array.from({ length: 3 * 1024 * 1024 + 13 }, (_, i) => (i * 131 + (i >> 9)) & 0xff)
      const whole = p.crc32c(data)
      expect(whole).toBe(referencePacker.crc32c(data))
      expect(p.crc32c(data.subarray(1000), p.crc32c(data.subarray(0, 1000)))).toBe(whole)
      expect(() => p.crc32c(data, -1)).toThrow(invalid)
    })
    it('packs records row-major little-endian, byte-exact', () => {
      const layout = recordLayout([1, 2, 4, 8])
      expect(layout.stride).toBe(15)
      expect(layout.offsets).toEqual([0, 1, 3, 7])
      const cols: Column[] = [Uint8Array.of(0xaa, 1), Uint16Array.of(0x1234, 2), Uint32Array.of(0xdeadbeef, 3), BigUint64Array.of(0x0102030405060708n, 4n)]
      const rows = p.packRecords(layout, cols)
      expect(hex(rows)).toBe('aa3412efbeadde0807060504030201' + '01020003000000' + '0400000000000000')
      expect(p.unpackRecords(layout, rows)).toEqual(cols)
      // into a caller's buffer at an odd offset: a view of exactly the rows
      const buf = new Uint8Array(40).fill(0x55)
      const view = p.packRecords(layout, cols, buf.subarray(3))
      expect(view.byteOffset).toBe(3)
      expect(hex(view)).toBe(hex(rows))
      expect(buf[3 + 30]).toBe(0x55)
      expect(() => p.packRecords(layout, cols, new Uint8Array(29))).toThrow(invalid)
    })
    it('packs signed columns as two\'s complement', () => {
      const layout = recordLayout([2, 8])
      const rows = p.packRecords(layout, [Int16Array.of(-2), BigInt64Array.of(-1n)])
      expect(hex(rows)).toBe('feff' + 'ff'.repeat(8))
    })
    it('rejects bad layouts, columns and row lengths', () => {
      expect(() => recordLayout([3])).toThrow(invalid)
      expect(() => recordLayout([])).toThrow(invalid)
      const layout = recordLayout([4, 2])
      expect(() => p.packRecords(layout, [Uint32Array.of(1)])).toThrow(invalid)
      expect(() => p.packRecords(layout, [Uint32Array.of(1), Uint32Array.of(1)])).toThrow(invalid)
      expect(() => p.packRecords(layout, [Uint32Array.of(1, 2), Uint16Array.of(1)])).toThrow(invalid)
      expect(() => p.unpackRecords(layout, new Uint8Array(7))).toThrow(decodeErr)
      expect(p.packRecords(layout, [new Uint32Array(0), new Uint16Array(0)])).toEqual(new Uint8Array(0))
    })
    it('frames: [len LE][crc32c LE][payload], known answer and round trip', () => {
      const f = p.encodeFrame(new TextEncoder().encode('123456789'))
      expect(hex(f)).toBe('09000000' + '839206e3' + hex(new TextEncoder().encode('123456789')))
      expect(hex(p.decodeFrame(f))).toBe(hex(new TextEncoder().encode('123456789')))
      expect(hex(p.encodeFrame(new Uint8Array(0)))).toBe('0000000000000000')
      expect(p.decodeFrame(unhex('0000000000000000'))).toEqual(new Uint8Array(0))
    })
    it('frames: tampering, truncation, trailing bytes and oversize are DecodeErrors', () => {
      const f = p.encodeFrame(Uint8Array.from({ length: 100 }, (_, i) => i))
      for (let i = 0; i < f.length; i += 7) {
        const t = f.slice()
        t[i] ^= 0x10
        expect(() => p.decodeFrame(t), `flip byte ${i}`).toThrow(decodeErr)
      }
      expect(() => p.decodeFrame(f.subarray(0, 5))).toThrow(/truncated header/)
      expect(() => p.decodeFrame(f.subarray(0, 50))).toThrow(/truncated payload/)
      expect(() => p.decodeFrame(new Uint8Array([...f, 0]))).toThrow(/1 trailing byte/)
      expect(() => p.decodeFrame(f, 99)).toThrow(/100 exceeds the bound 99/)
      expect(() => p.decodeFrame(f, -1)).toThrow(invalid)
    })
    it('a header claiming 2 GiB fails on the bound, before anything is copied', () => {
      const claim = unhex('f7ffff7f' + '00000000' + 'aa')
      expect(() => p.decodeFrame(claim)).toThrow(/exceeds the bound/)
      const max = 0x7fffffff - 8
      expect(() => p.decodeFrame(claim, max)).toThrow(/truncated payload/)
      expect(p.scanFrames(claim, max)).toEqual({ frames: [], consumed: 0 })
    })
    it('scanFrames returns the complete frames and the bytes they took', () => {
      const a = p.encodeFrame(unhex('0102'))
      const b = p.encodeFrame(unhex('030405'))
      const all = new Uint8Array([...a, ...b, ...b.subarray(0, 9)])
      const r = p.scanFrames(all)
      expect(r.consumed).toBe(a.length + b.length)
      expect(r.frames.map(hex)).toEqual(['0102', '030405'])
      const bad = all.slice()
      bad[a.length + 9] ^= 1
      expect(() => p.scanFrames(bad)).toThrow(/CRC32C mismatch \(frame at byte 10\)/)
    })
  })
}

describe('packer parity (fast-check)', () => {
  const widthArb = fc.constantFrom<1 | 2 | 4 | 8>(1, 2, 4, 8)
  it('random layouts and records: identical bytes on every packer, and unpack inverts pack', () => {
    fc.assert(fc.property(fc.array(widthArb, { minLength: 1, maxLength: 9 }), fc.nat(300), fc.integer(), (widths, count, seed) => {
      const layout = recordLayout(widths)
      const cols = randomColumns(layout, count, seed)
      const ref = referencePacker.packRecords(layout, cols)
      for (const p of packers) {
        const rows = p.packRecords(layout, cols)
        expect(hex(rows)).toBe(hex(ref))
        expect(p.unpackRecords(layout, rows)).toEqual(cols)
      }
    }), { numRuns: 150 })
  })
  it('large batches cross the 512 KiB chunking identically', () => {
    const layout = recordLayout([8, 4, 2, 1, 8, 1])
    const cols = randomColumns(layout, 100_003, 7)
    const ref = referencePacker.packRecords(layout, cols)
    for (const p of packers.slice(0, 2)) {
      expect(Buffer.from(p.packRecords(layout, cols)).equals(ref)).toBe(true)
      expect(p.unpackRecords(layout, ref)).toEqual(cols)
    }
  })
  it('CRC32C of random data agrees with the reference', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(0xffffffff), (data, start) => {
      const want = referencePacker.crc32c(data, start)
      for (const p of packers) expect(p.crc32c(data, start)).toBe(want)
    }), { numRuns: 300 })
  })
})

describe('frame decoders under fuzzing (fast-check)', () => {
  const outcome = (fn: () => Uint8Array): string => {
    try {
      return 'ok:' + hex(fn())
    } catch (e) {
      expect((e as Error).name, (e as Error).message).toBe('DecodeError')
      return 'err:' + (e as Error).message
    }
  }
  it('random bytes: the same payload or the same DecodeError on every packer', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(80), (bytes, max) => {
      const results = packers.map((p) => outcome(() => p.decodeFrame(bytes, max)))
      expect(new Set(results).size).toBe(1)
      if (results[0].startsWith('ok:')) expect(hex(referencePacker.encodeFrame(referencePacker.decodeFrame(bytes, max)))).toBe(hex(bytes))
    }), { numRuns: 500 })
  })
  it('valid frames with random headers and truncation: typed errors, nothing copied past the bound', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(0xffffffff), fc.nat(), fc.boolean(), (payload, claimed, cut, truncate) => {
      const f = referencePacker.encodeFrame(payload)
      if (!truncate) new DataView(f.buffer).setUint32(0, claimed, true)
      const input = truncate ? f.subarray(0, cut % (f.length + 1)) : f
      const before = modules.scalar.heap.allocatedBytes
      const results = packers.map((p) => outcome(() => p.decodeFrame(input, 1 << 20)))
      expect(new Set(results).size).toBe(1)
      // the WASM heap grew by no more than the input (the scratch region is at least 64 KiB)
      expect(modules.scalar.heap.allocatedBytes - before).toBeLessThanOrEqual(Math.max(64 * 1024, input.length + 64))
      const scans = packers.map((p) => { try { return JSON.stringify(p.scanFrames(input, 1 << 20), (_, v) => v instanceof Uint8Array ? hex(v) : v) } catch (e) { expect((e as Error).name).toBe('DecodeError'); return 'err:' + (e as Error).message } })
      expect(new Set(scans).size).toBe(1)
    }), { numRuns: 300 })
  })
  it('concatenated frames split anywhere: scanFrames yields them in order', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 6 }), fc.nat(), (payloads, cut) => {
      const stream = Buffer.concat(payloads.map((x) => referencePacker.encodeFrame(x)))
      const at = cut % (stream.length + 1)
      for (const p of packers) {
        const first = p.scanFrames(new Uint8Array(stream.subarray(0, at)))
        const second = p.scanFrames(new Uint8Array(stream.subarray(first.consumed)))
        expect(second.consumed).toBe(stream.length - first.consumed)
        expect([...first.frames, ...second.frames].map(hex)).toEqual(payloads.map(hex))
      }
    }), { numRuns: 200 })
  })
  it('frame length fields are bounds-checked before the payload is read', () => {
    expect(PACK_FRAME_HEADER_BYTES).toBe(8)
    const f = unhex('ffffffff' + '00000000')
    for (const p of packers) expect(() => p.decodeFrame(f, 1000)).toThrow(/4294967295 exceeds the bound 1000/)
  })
})
