// The raw SHA-256 exports of both core-wasm builds: one-block compression
// against the reference `compress`, streaming across chunk boundaries, the
// 4-way batch against the scalar batch, and results after memory growth.
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { createHash, randomBytes } from 'node:crypto'
import { instantiateKernelModule, type WasmVariant } from '../../ts/wasm/loader.ts'
import { createWasmKernel } from '../../ts/wasm/wasm-kernel.ts'
import { compress, SHA256_IV } from '../../ts/wasm/reference.ts'

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

for (const variant of ['scalar', 'simd'] as WasmVariant[]) {
  describe(`core-wasm ${variant} sha256 exports`, () => {
    const mod = instantiateKernelModule(variant)
    const ex = mod.exports

    it('sha256_compress equals the reference one-block compression', () => {
      fc.assert(fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.array(fc.nat({ max: 0xffffffff }), { minLength: 8, maxLength: 8 }), (block, words) => {
        const st = mod.heap.scratch(96)
        const dv = mod.heap.dv()
        words.forEach((w, i) => dv.setUint32(st + i * 4, w, true))
        mod.heap.u8().set(block, st + 32)
        ex.sha256_compress(st, st + 32)
        const want = new Uint32Array(words)
        compress(want, block, 0)
        const got = Array.from({ length: 8 }, (_, i) => mod.heap.dv().getUint32(st + i * 4, true))
        expect(got).toEqual(Array.from(want))
      }), { numRuns: 100 })
    })

    it('sha256_init writes the FIPS 180-4 initial hash value', () => {
      const st = mod.heap.scratch(32)
      ex.sha256_init(st)
      expect(Array.from({ length: 8 }, (_, i) => mod.heap.dv().getUint32(st + i * 4, true))).toEqual([...SHA256_IV])
    })

    it('streams any split of a message through init/update/final', () => {
      const data = randomBytes(5000)
      const p = mod.heap.scratch(5200)
      mod.heap.u8().set(data, p + 64)
      for (const blocks of [0, 1, 7, 77, 78]) {
        ex.sha256_init(p)
        ex.sha256_update(p, p + 64, blocks)
        const done = blocks * 64
        const rest = Math.min(63, data.length - done)
        const total = done + rest
        ex.sha256_final(p, p + 64 + done, rest, total, p + 32)
        expect(hex(mod.heap.u8().slice(p + 32, p + 64))).toBe(createHash('sha256').update(data.subarray(0, total)).digest('hex'))
      }
    })

    it('gives the same answers after memory has grown', () => {
      const k = createWasmKernel(mod)
      const before = mod.exports.memory.buffer.byteLength
      const big = randomBytes(3 << 20)
      const huge = k.merkleTree(new Uint8Array(1 << 21).fill(3)) // 65536 leaves → memory grows
      expect(mod.exports.memory.buffer.byteLength).toBeGreaterThan(before)
      expect(huge.length).toBe((2 * 65536 - 1) * 32)
      expect(hex(k.sha256(big))).toBe(createHash('sha256').update(big).digest('hex'))
      expect(hex(k.sha256Batch(big.subarray(0, 640), 64).subarray(0, 32))).toBe(createHash('sha256').update(big.subarray(0, 64)).digest('hex'))
    })
  })
}

describe('4-way batch (SIMD build)', () => {
  const simd = instantiateKernelModule('simd')
  it('sha256_batch_x4 equals the scalar sha256_batch for every size 1..200 and odd counts', () => {
    const ex = simd.exports
    expect(typeof ex.sha256_batch_x4).toBe('function')
    for (let size = 1; size <= 200; size++) {
      const n = 1 + (size % 9)
      const data = randomBytes(size * n)
      const p = simd.heap.scratch(size * n + 2 * 64 * n + 64)
      const o1 = p + Math.ceil(size * n / 64) * 64
      const o2 = o1 + 32 * n
      simd.heap.u8().set(data, p)
      ex.sha256_batch(p, size, n, o1)
      ex.sha256_batch_x4(p, size, n, o2)
      const u8 = simd.heap.u8()
      expect(hex(u8.subarray(o2, o2 + 32 * n)), `size ${size}`).toBe(hex(u8.subarray(o1, o1 + 32 * n)))
      expect(hex(u8.subarray(o1, o1 + 32))).toBe(createHash('sha256').update(data.subarray(0, size)).digest('hex'))
    }
  })
})
