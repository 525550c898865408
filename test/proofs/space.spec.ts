import { describe, it, expect } from 'vitest'
import { testKernel } from './_helpers.ts'
import { MemoryPlotStore, plotSeed, pathNodeIndices, levelStart, readOpening } from '../../ts/proofs/plot.ts'
import type { PlotStore } from '../../ts/proofs/plot.ts'
import { plotParentOf, proveSpace, spaceChallenges, verifySpace } from '../../ts/proofs/space.ts'
import { plotParent } from '../../ts/wasm/reference.ts'
import fc from 'fast-check'
import { H, hex, prng, withinBinomial } from './_helpers.ts'

const kernel = await testKernel()

const opHash = H('op-1')
const anchor = H('block-1')
const nodeId = H('node-1')
const position = { zone: 'eu-west', address: Uint8Array.from({ length: 16 }, (_, i) => 0xfd + i) }

/** A prover that kept only some leaf pairs: reading a forgotten leaf fails. */
class ForgetfulStore implements PlotStore {
  readonly info: PlotStore['info']
  private readonly inner: MemoryPlotStore
  private readonly keptPairs: Set<number>
  constructor (inner: MemoryPlotStore, keptPairs: Set<number>) { this.inner = inner; this.info = inner.info; this.keptPairs = keptPairs }
  async readNodes (indices: readonly number[]): Promise<Uint8Array[]> {
    const n = 2 ** this.info.log2Size
    for (const i of indices) if (i < n && !this.keptPairs.has(i >> 1)) throw new Error(`leaf ${i} not stored`)
    return await this.inner.readNodes(indices)
  }
  async close (): Promise<void> {}
}

describe('PoSpace', () => {
  const plot = MemoryPlotStore.build(kernel, nodeId, 2, 4)

  it('known answers: seed, root and challenges (checked independently with node:crypto)', () => {
    expect(hex(plotSeed(kernel, nodeId, 2, 4))).toBe('2aff97c6019cd71f8e0d002fcc86261ab8254e0cdebc9751fad819af7eef4047')
    expect(hex(plot.info.root)).toBe('93b657f6773a903dc3fdfb8535dfc3b66412982aec88f40a827d98ab287c18d7')
    expect(spaceChallenges(kernel, opHash, anchor, 4, 4)).toEqual([13, 7, 1, 11])
  })

  it('p(i) without BigInt equals the reference plotParent (fast-check, i up to 2^37)', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.integer({ min: 1, max: 2 ** 37 }), (b, i) => {
      expect(plotParentOf(b, i)).toBe(plotParent(b, i))
    }), { numRuns: 5000 })
    expect(plotParentOf(new Uint8Array(8).fill(0xff), 2 ** 27 - 1)).toBe(plotParent(new Uint8Array(8).fill(0xff), 2 ** 27 - 1))
  })

  it('tree layout helpers agree with kernel.merklePath', async () => {
    const big = MemoryPlotStore.build(kernel, nodeId, 0, 6)
    expect(levelStart(6, 1)).toBe(64); expect(levelStart(6, 6)).toBe(126)
    for (const leaf of [0, 1, 17, 62, 63]) {
      const { label, path } = await readOpening(big, leaf)
      expect(hex(path)).toBe(hex(kernel.merklePath(big.tree, 64, leaf)))
      expect(pathNodeIndices(6, leaf).length).toBe(6)
      expect(kernel.merkleVerify(label, leaf, path, big.info.root)).toBe(true)
    }
  })

  it('proves and verifies; the labelling relation and every path are checked', async () => {
    const p = await proveSpace(kernel, plot, opHash, anchor, 4, position)
    const reg = { log2Size: 4, root: plot.info.root }
    expect(p.openings.length).toBe(4)
    expect(verifySpace(kernel, p, opHash, anchor, nodeId, reg, 4, 4)).toBe(true)
    // another operation, another anchor, another node, another root, wrong counts or sizes
    expect(verifySpace(kernel, p, H('op-2'), anchor, nodeId, reg, 4, 4)).toBe(false)
    expect(verifySpace(kernel, p, opHash, H('block-2'), nodeId, reg, 4, 4)).toBe(false)
    expect(verifySpace(kernel, p, opHash, anchor, H('node-2'), reg, 4, 4)).toBe(false)
    expect(verifySpace(kernel, p, opHash, anchor, nodeId, { log2Size: 4, root: H('x') }, 4, 4)).toBe(false)
    expect(verifySpace(kernel, p, opHash, anchor, nodeId, { log2Size: 5, root: plot.info.root }, 4, 4)).toBe(false)
    expect(verifySpace(kernel, p, opHash, anchor, nodeId, reg, 3, 4)).toBe(false)
    expect(verifySpace(kernel, p, opHash, anchor, nodeId, reg, 4, 5)).toBe(false)
    expect(verifySpace(kernel, { ...p, plotIndex: 3 }, opHash, anchor, nodeId, reg, 4, 4)).toBe(false)
    // one bit of any opening field
    for (let j = 0; j < 4; j++) {
      for (const f of ['label', 'labelPath', 'prevLabel', 'prevPath', 'parentLabel', 'parentPath'] as const) {
        const openings = p.openings.map((o) => ({ ...o }))
        const v = openings[j][f].slice(); v[v.length - 1] ^= 1; openings[j][f] = v
        expect(verifySpace(kernel, { ...p, openings }, opHash, anchor, nodeId, reg, 4, 4), `${f}[${j}]`).toBe(false)
      }
    }
  })

  it('a committed tree over cheap leaves (no labelling) is rejected', async () => {
    // leaves H(i): a valid Merkle tree, but the labelling relation fails at every challenge
    const leaves = new Uint8Array(16 * 32)
    for (let i = 0; i < 16; i++) leaves.set(H(`cheap-${i}`), i * 32)
    const tree = kernel.merkleTree(leaves)
    const fake = new MemoryPlotStore({ nodeId, plotIndex: 2, log2Size: 4, root: tree.slice(tree.length - 32) }, tree)
    const p = await proveSpace(kernel, fake, opHash, anchor, 4, position)
    expect(verifySpace(kernel, p, opHash, anchor, nodeId, { log2Size: 4, root: fake.info.root }, 4, 4)).toBe(false)
  })

  it('a prover storing half its plot answers ≈ ½q² + ½q³ = 3/16 of challenges (2000 trials, binomial 4σ)', async () => {
    const log2 = 12; const n = 2 ** log2
    const full = MemoryPlotStore.build(kernel, nodeId, 0, log2)
    const rnd = prng(3)
    const pairs = Array.from({ length: n / 2 }, (_, i) => i)
    for (let i = pairs.length - 1; i > 0; i--) { const j = rnd.int(i + 1); [pairs[i], pairs[j]] = [pairs[j], pairs[i]] }
    const half = new ForgetfulStore(full, new Set(pairs.slice(0, n / 4)))
    const reg = { log2Size: log2, root: full.info.root }
    const trials = 2000
    let passed = 0
    for (let t = 0; t < trials; t++) {
      const op = H(`half-${t}`)
      try {
        const p = await proveSpace(kernel, half, op, anchor, 1, position)
        expect(verifySpace(kernel, p, op, anchor, nodeId, reg, 1, log2)).toBe(true)
        passed++
      } catch (err) {
        expect((err as Error).message).toMatch(/not stored/)
      }
    }
    const q = 0.5
    const predicted = 0.5 * q ** 2 + 0.5 * q ** 3
    const check = withinBinomial(passed, trials, predicted)
    expect(check.ok, `passed ${passed}/${trials}, predicted ${predicted} → [${check.lo.toFixed(0)}, ${check.hi.toFixed(0)}]`).toBe(true)

    // whole proofs with 2 challenges pass with ≈ (3/16)^2
    let whole = 0
    for (let t = 0; t < trials; t++) {
      try { await proveSpace(kernel, half, H(`half2-${t}`), anchor, 2, position); whole++ } catch {}
    }
    const check2 = withinBinomial(whole, trials, predicted ** 2)
    expect(check2.ok, `whole ${whole}/${trials}, predicted ${predicted ** 2}`).toBe(true)
  })
})
