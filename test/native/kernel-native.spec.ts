// The shared kernel suite (test/wasm/kernel.case.ts) on the native addon, on
// each of its paths (SHA-NI, AVX-512 PoW, portable C, where the CPU has them),
// plus cross-path parity on random inputs.
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { kernelSuite } from '../wasm/kernel.case.ts'
import { loadNativeKernel, loadNativeAddon } from '../../node-host/kernel/native-kernel.ts'
import { referenceKernel as ref } from '../../ts/wasm/reference.ts'

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
const { shaNi, avx512f } = loadNativeAddon().cpuFeatures()

kernelSuite(`native default path (${loadNativeKernel({ portable: false }).path})`, () => loadNativeKernel({ portable: false }))
if (shaNi && avx512f) kernelSuite('native SHA-NI without AVX-512', () => loadNativeKernel({ avx512: false }))
if (avx512f) kernelSuite('native AVX-512 PoW with portable C', () => loadNativeKernel({ shaNi: false }))
kernelSuite('native portable C', () => loadNativeKernel({ portable: true }))

describe('native kernel paths', () => {
  const fast = loadNativeKernel({ portable: false })
  const portable = loadNativeKernel({ portable: true })
  const others = [loadNativeKernel({ avx512: false }), loadNativeKernel({ shaNi: false })]

  it('reports which path runs; HYPERMESH_NATIVE_PORTABLE=1 and HYPERMESH_NATIVE_AVX512=0 change it', () => {
    expect(fast.name).toBe('native')
    expect(fast.path).toBe(shaNi ? (avx512f ? 'sha-ni+avx512' : 'sha-ni') : (avx512f ? 'avx512' : 'portable'))
    expect(portable.path).toBe('portable')
    const before = { p: process.env.HYPERMESH_NATIVE_PORTABLE, a: process.env.HYPERMESH_NATIVE_AVX512 }
    try {
      process.env.HYPERMESH_NATIVE_PORTABLE = '1'
      expect(loadNativeKernel().path).toBe('portable')
      delete process.env.HYPERMESH_NATIVE_PORTABLE
      process.env.HYPERMESH_NATIVE_AVX512 = '0'
      expect(loadNativeKernel().path).toBe(shaNi ? 'sha-ni' : 'portable')
    } finally {
      for (const [k, v] of [['HYPERMESH_NATIVE_PORTABLE', before.p], ['HYPERMESH_NATIVE_AVX512', before.a]] as const) {
        if (v === undefined) delete process.env[k]
        else process.env[k] = v
      }
    }
  })

  it('CPU features agree with /proc/cpuinfo', () => {
    const cpu = fast.cpu
    let flags: string[] = []
    try { flags = (readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1] ?? '').trim().split(/\s+/) } catch {}
    expect(typeof cpu.shaNi).toBe('boolean')
    if (flags.length > 0) {
      expect(cpu.sha).toBe(flags.includes('sha_ni'))
      expect(cpu.sse41).toBe(flags.includes('sse4_1'))
      expect(cpu.ssse3).toBe(flags.includes('ssse3'))
      // the kernel lists avx2/avx512f only where the OS enables their state, like our XGETBV check
      expect(cpu.avx2).toBe(flags.includes('avx2'))
      expect(cpu.avx512f).toBe(flags.includes('avx512f'))
    }
  })

  it('both paths agree with node:crypto and each other on random messages', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (d) => {
      const want = createHash('sha256').update(d).digest('hex')
      expect(hex(fast.sha256(d))).toBe(want)
      expect(hex(portable.sha256(d))).toBe(want)
    }), { numRuns: 200 })
  })

  it('PoW: both paths return the same first nonce on random prefixes, odd and even counts', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 140 }), fc.integer({ min: 0, max: 14 }),
      fc.integer({ min: 0, max: 2 ** 45 }), fc.integer({ min: 0, max: 5000 }), (prefix, bits, start, count) => {
        const a = fast.powSearch(prefix, bits, start, count)
        expect(portable.powSearch(prefix, bits, start, count)).toBe(a)
        for (const o of others) expect(o.powSearch(prefix, bits, start, count)).toBe(a)
        if (count <= 1500) expect(ref.powSearch(prefix, bits, start, count)).toBe(a)
      }), { numRuns: 120 })
  })

  it('PoW nonces that straddle the 2^32 boundary (high word changes mid-range)', () => {
    const p = randomBytes(41)
    for (const bits of [1, 3, 6]) {
      const start = 2 ** 32 - 37
      expect(fast.powSearch(p, bits, start, 400)).toBe(ref.powSearch(p, bits, start, 400))
      expect(portable.powSearch(p, bits, start, 400)).toBe(ref.powSearch(p, bits, start, 400))
      for (const o of others) expect(o.powSearch(p, bits, start, 400)).toBe(ref.powSearch(p, bits, start, 400))
    }
  })

  it('chain, segments, plot labels and Merkle trees agree across paths on larger inputs', () => {
    const seed = randomBytes(32)
    const a = fast.vdfChain(seed, 20_000, 8)
    expect(hex(portable.vdfChain(seed, 20_000, 8))).toBe(hex(a))
    expect(hex(ref.vdfSegment(a.subarray(96, 128), 2500))).toBe(hex(a.subarray(128, 160)))
    const labels = fast.plotLabels(seed, 4096)
    expect(hex(portable.plotLabels(seed, 4096))).toBe(hex(labels))
    expect(hex(ref.plotLabels(seed, 300))).toBe(hex(labels.subarray(0, 300 * 32)))
    const tree = fast.merkleTree(labels)
    expect(hex(portable.merkleTree(labels))).toBe(hex(tree))
    expect(hex(ref.merkleTree(labels))).toBe(hex(tree))
    const root = tree.subarray(tree.length - 32)
    for (const i of [0, 1, 777, 4095]) {
      const path = fast.merklePath(tree, 4096, i)
      expect(fast.merkleVerify(labels.subarray(i * 32, i * 32 + 32), i, path, root)).toBe(true)
      expect(portable.merkleVerify(labels.subarray(i * 32, i * 32 + 32), i ^ 2, path, root)).toBe(false)
    }
  })

  it('the raw addon rejects wrong arguments with TypeError/RangeError instead of crashing', () => {
    const addon = loadNativeAddon()
    const out = new Uint8Array(32)
    expect(() => addon.sha256('x' as unknown as Uint8Array, out, 0)).toThrow(TypeError)
    expect(() => addon.sha256(new Uint8Array(1), new Uint8Array(31), 0)).toThrow(RangeError)
    expect(() => addon.sha256(new Uint8Array(1), out, 7)).toThrow(RangeError)
    expect(() => addon.sha256(new Uint8Array(1), out, -1)).toThrow(RangeError)
    expect(() => addon.sha256(new Uint16Array(2) as unknown as Uint8Array, out, 0)).toThrow(TypeError)
    expect(() => addon.powSearch(new Uint8Array(4), 257, 0, 1, 0)).toThrow(RangeError)
    expect(() => addon.powSearch(new Uint8Array(4), 1, 2 ** 53 - 2, 5, 0)).toThrow(RangeError)
    expect(() => addon.vdfChain(new Uint8Array(32), 5, 2, new Uint8Array(64), 0)).toThrow(RangeError)
    expect(() => addon.vdfChain(new Uint8Array(32), 4, 2, new Uint8Array(63), 0)).toThrow(RangeError)
    expect(() => addon.plotLabels(new Uint8Array(32), 4, new Uint8Array(127), 0)).toThrow(RangeError)
    expect(() => addon.merkleTree(new Uint8Array(6 * 32), 4, 0)).toThrow(RangeError)
    expect(() => addon.merkleTree(new Uint8Array(5 * 32), 3, 0)).toThrow(RangeError)
    expect(() => addon.merkleVerify(new Uint8Array(32), 4, new Uint8Array(64), new Uint8Array(32), 0)).toThrow(RangeError)
    expect(() => (addon.sha256 as unknown as () => void)()).toThrow(TypeError)
  })
})
