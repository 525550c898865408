/**
 * The shared Kernel test suite: any implementation (TS reference, WASM
 * scalar/SIMD, the native addon) runs it with
 * `kernelSuite('label', () => kernel)`. Checks against FIPS 180-4 known
 * answers, node:crypto and the TypeScript reference.
 */
import { describe, it, expect, beforeAll } from 'vitest'
import fc from 'fast-check'
import { createHash, randomBytes } from 'node:crypto'
import type { Kernel } from '../../ts/wasm/kernel.ts'
import { referenceKernel as ref, leadingZeroBits } from '../../ts/wasm/reference.ts'

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
const nodeSha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s)

/** Brute force with node:crypto: the first qualifying nonce in [start, start + count), or -1. */
function brutePow (prefix: Uint8Array, bits: number, start: number, count: number): number {
  const buf = Buffer.alloc(prefix.length + 8)
  buf.set(prefix)
  for (let n = start; n < start + count; n++) {
    buf.writeBigUInt64BE(BigInt(n), prefix.length)
    if (leadingZeroBits(createHash('sha256').update(buf).digest()) >= bits) return n
  }
  return -1
}

/** Returns what `fn` throws as [constructor name, message], or null. */
function thrown (fn: () => unknown): [string, string] | null {
  try { fn() } catch (err) { return [(err as Error).constructor.name, (err as Error).message] }
  return null
}

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 })

export function kernelSuite (label: string, getKernel: () => Kernel | Promise<Kernel>): void {
  describe(`kernel: ${label}`, () => {
    let k: Kernel
    beforeAll(async () => { k = await getKernel() })

    describe('sha256', () => {
      it('matches the FIPS 180-4 known answers', () => {
        expect(hex(k.sha256(ascii('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
        expect(hex(k.sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
        expect(hex(k.sha256(ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))))
          .toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1')
        expect(hex(k.sha256(ascii('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu'))))
          .toBe('cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1')
        expect(hex(k.sha256(new Uint8Array(1_000_000).fill(0x61))))
          .toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0')
      })

      it('agrees with node:crypto on random inputs of every length 0..1024', () => {
        const buf = randomBytes(1024)
        for (let len = 0; len <= 1024; len++) {
          const d = buf.subarray(0, len)
          expect(hex(k.sha256(d)), `length ${len}`).toBe(nodeSha(d))
        }
      })

      it('agrees with node:crypto on large inputs (1 MiB, 5 MiB + 3, odd offsets)', () => {
        for (const len of [1 << 20, 5 * (1 << 20) + 3, 256 * 1024 + 1, 256 * 1024 - 1]) {
          const d = randomBytes(len)
          expect(hex(k.sha256(d)), `length ${len}`).toBe(nodeSha(d))
        }
        const big = randomBytes(70_001)
        const view = big.subarray(13, 70_000)
        expect(hex(k.sha256(view))).toBe(nodeSha(view))
      })

      it('does not modify its input', () => {
        const d = randomBytes(300)
        const copy = Uint8Array.from(d)
        k.sha256(d)
        expect(hex(d)).toBe(hex(copy))
      })

      it('sha256Batch hashes each message like node:crypto', () => {
        fc.assert(fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 11 }), fc.integer(), (size, n, seed) => {
          const data = new Uint8Array(size * n).map((_, i) => (i * 131 + seed) & 0xff)
          const out = k.sha256Batch(data, size)
          expect(out.length).toBe(n * 32)
          for (let i = 0; i < n; i++) {
            expect(hex(out.subarray(i * 32, i * 32 + 32))).toBe(nodeSha(data.subarray(i * size, (i + 1) * size)))
          }
        }), { numRuns: 60 })
        const many = randomBytes(64 * 1000)
        const out = k.sha256Batch(many, 64)
        for (const i of [0, 1, 2, 3, 4, 997, 998, 999]) expect(hex(out.subarray(i * 32, i * 32 + 32))).toBe(nodeSha(many.subarray(i * 64, i * 64 + 64)))
      })
    })

    describe('powSearch', () => {
      it('returns the first qualifying nonce (brute force with node:crypto), for every tail layout', () => {
        // prefix lengths 0..130 cover: nonce aligned and unaligned, one and two tail blocks, several whole blocks
        for (let len = 0; len <= 130; len++) {
          const prefix = new Uint8Array(len).map((_, i) => (i * 29 + len * 7) & 0xff)
          const bits = 4 + (len % 5)
          const start = len % 4 === 0 ? 2 ** 32 - 21 : (len * 7919) % 100_000
          const count = 300 + (len % 7)
          expect(k.powSearch(prefix, bits, start, count), `prefix length ${len}`).toBe(brutePow(prefix, bits, start, count))
        }
      })

      it('agrees with the reference on random prefixes, difficulties and ranges', () => {
        fc.assert(fc.property(
          fc.uint8Array({ maxLength: 150 }), fc.integer({ min: 0, max: 10 }),
          fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), fc.constant(2 ** 32 - 5), fc.constant(2 ** 53 - 300)),
          fc.integer({ min: 0, max: 257 }),
          (prefix, bits, start, count) => {
            expect(k.powSearch(prefix, bits, start, count)).toBe(ref.powSearch(prefix, bits, start, count))
          }), { numRuns: 40 })
      })

      it('handles bits 0, high difficulty, empty ranges and the top of the nonce space', () => {
        const p = ascii('hypermesh pow')
        expect(k.powSearch(p, 0, 12345, 10)).toBe(12345)
        expect(k.powSearch(p, 0, 5, 0)).toBe(-1)
        expect(k.powSearch(p, 256, 0, 1000)).toBe(-1)
        expect(k.powSearch(p, 40, 0, 2000)).toBe(-1)
        expect(k.powSearch(p, 1, 2 ** 53 - 3, 2)).toBe(brutePow(p, 1, 2 ** 53 - 3, 2))
        // a found nonce really qualifies, and nothing before it does
        const n = k.powSearch(p, 12, 0, 1 << 20)
        expect(n).toBe(brutePow(p, 12, 0, n + 1))
      })
    })

    describe('vdf', () => {
      it('checkpoints match the reference chain and vdfSegment recomputes each one', () => {
        fc.assert(fc.property(bytes32, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 40 }), (seed, kk, per) => {
          const steps = kk * per
          const cps = k.vdfChain(seed, steps, kk)
          expect(hex(cps)).toBe(hex(ref.vdfChain(seed, steps, kk)))
          let prev: Uint8Array = seed
          for (let j = 0; j < kk; j++) {
            const cp = cps.subarray(j * 32, j * 32 + 32)
            expect(hex(k.vdfSegment(prev, per))).toBe(hex(cp))
            prev = cp
          }
        }), { numRuns: 30 })
      })

      it('is the iterated node:crypto hash', () => {
        const seed = createHash('sha256').update('potime').digest()
        let x: Uint8Array = seed
        for (let i = 0; i < 1000; i++) x = createHash('sha256').update(x).digest()
        expect(hex(k.vdfSegment(seed, 1000))).toBe(hex(x))
        expect(hex(k.vdfSegment(seed, 0))).toBe(hex(seed))
        expect(hex(k.vdfChain(seed, 1000, 1))).toBe(hex(x))
      })
    })

    describe('plot and Merkle', () => {
      it('plotLabels agrees with the reference', () => {
        fc.assert(fc.property(bytes32, fc.integer({ min: 1, max: 70 }), (seed, n) => {
          expect(hex(k.plotLabels(seed, n))).toBe(hex(ref.plotLabels(seed, n)))
        }), { numRuns: 25 })
      })

      it('merkleTree and merklePath agree with the reference', () => {
        fc.assert(fc.property(fc.integer({ min: 0, max: 7 }), fc.integer(), (log, salt) => {
          const n = 1 << log
          const leaves = new Uint8Array(n * 32).map((_, i) => (i * 97 + salt) & 0xff)
          const tree = k.merkleTree(leaves)
          expect(hex(tree)).toBe(hex(ref.merkleTree(leaves)))
          const index = Math.abs(salt) % n
          expect(hex(k.merklePath(tree, n, index))).toBe(hex(ref.merklePath(tree, n, index)))
        }), { numRuns: 30 })
      })

      it('every path verifies; a flipped bit in leaf, path or root, or a wrong index, fails', () => {
        const n = 32
        const leaves = randomBytes(n * 32)
        const tree = k.merkleTree(leaves)
        const root = tree.subarray(tree.length - 32)
        for (let i = 0; i < n; i++) {
          const leaf = leaves.subarray(i * 32, i * 32 + 32)
          const path = k.merklePath(tree, n, i)
          expect(k.merkleVerify(leaf, i, path, root)).toBe(true)
          const bit = (i * 37) % 256
          const flip = (b: Uint8Array, at: number): Uint8Array => { const c = Uint8Array.from(b); c[at >> 3] ^= 1 << (at & 7); return c }
          expect(k.merkleVerify(flip(leaf, bit), i, path, root)).toBe(false)
          expect(k.merkleVerify(leaf, i, flip(path, (i * 53) % (path.length * 8)), root)).toBe(false)
          expect(k.merkleVerify(leaf, i, path, flip(root, bit))).toBe(false)
          expect(k.merkleVerify(leaf, i ^ 1, path, root)).toBe(false)
          expect(k.merkleVerify(leaf, (i + 5) % n, path, root)).toBe(false)
        }
        // a single-leaf tree: the leaf is the root, the path is empty
        const one = randomBytes(32)
        const t1 = k.merkleTree(one)
        expect(hex(t1)).toBe(hex(one))
        expect(k.merkleVerify(one, 0, new Uint8Array(0), one)).toBe(true)
      })
    })

    describe('argument errors', () => {
      const seed = new Uint8Array(32)
      const tree4 = new Uint8Array(7 * 32)
      const cases: Array<[string, (kk: Kernel) => unknown]> = [
        ['sha256 non-bytes', (kk) => kk.sha256('abc' as unknown as Uint8Array)],
        ['sha256Batch size 0', (kk) => kk.sha256Batch(new Uint8Array(4), 0)],
        ['sha256Batch ragged', (kk) => kk.sha256Batch(new Uint8Array(5), 2)],
        ['sha256Batch fractional size', (kk) => kk.sha256Batch(new Uint8Array(4), 1.5)],
        ['powSearch bits 257', (kk) => kk.powSearch(seed, 257, 0, 1)],
        ['powSearch bits -1', (kk) => kk.powSearch(seed, -1, 0, 1)],
        ['powSearch negative start', (kk) => kk.powSearch(seed, 1, -1, 1)],
        ['powSearch past 2^53', (kk) => kk.powSearch(seed, 1, 2 ** 53 - 2, 5)],
        ['powSearch NaN count', (kk) => kk.powSearch(seed, 1, 0, Number.NaN)],
        ['powSearch prefix not bytes', (kk) => kk.powSearch([1, 2] as unknown as Uint8Array, 1, 0, 1)],
        ['vdfChain short seed', (kk) => kk.vdfChain(new Uint8Array(31), 4, 2)],
        ['vdfChain steps not multiple of k', (kk) => kk.vdfChain(seed, 5, 2)],
        ['vdfChain k 0', (kk) => kk.vdfChain(seed, 4, 0)],
        ['vdfSegment negative', (kk) => kk.vdfSegment(seed, -1)],
        ['vdfSegment fractional', (kk) => kk.vdfSegment(seed, 1.5)],
        ['vdfSegment long start', (kk) => kk.vdfSegment(new Uint8Array(33), 1)],
        ['plotLabels n 0', (kk) => kk.plotLabels(seed, 0)],
        ['plotLabels short seed', (kk) => kk.plotLabels(new Uint8Array(8), 4)],
        ['merkleTree 3 leaves', (kk) => kk.merkleTree(new Uint8Array(96))],
        ['merkleTree empty', (kk) => kk.merkleTree(new Uint8Array(0))],
        ['merkleTree ragged', (kk) => kk.merkleTree(new Uint8Array(33))],
        ['merklePath n not power of two', (kk) => kk.merklePath(tree4, 3, 0)],
        ['merklePath wrong tree size', (kk) => kk.merklePath(new Uint8Array(6 * 32), 4, 0)],
        ['merklePath index out of range', (kk) => kk.merklePath(tree4, 4, 4)],
        ['merkleVerify ragged path', (kk) => kk.merkleVerify(seed, 0, new Uint8Array(33), seed)],
        ['merkleVerify index too large', (kk) => kk.merkleVerify(seed, 4, new Uint8Array(64), seed)],
        ['merkleVerify short root', (kk) => kk.merkleVerify(seed, 0, new Uint8Array(64), new Uint8Array(31))],
        ['merkleVerify path too long', (kk) => kk.merkleVerify(seed, 0, new Uint8Array(33 * 32), seed)]
      ]
      for (const [name, call] of cases) {
        it(`${name}: same error as the reference`, () => {
          const want = thrown(() => call(ref))
          expect(want).not.toBeNull()
          expect(thrown(() => call(k))).toEqual(want)
        })
      }
    })
  })
}
