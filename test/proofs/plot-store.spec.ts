import 'fake-indexeddb/auto'
import { describe, it, expect, afterAll } from 'vitest'
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { testKernel } from './_helpers.ts'
import { MemoryPlotStore, readOpening } from '../../ts/proofs/plot.ts'
import type { PlotStore } from '../../ts/proofs/plot.ts'
import { proveSpace, verifySpace } from '../../ts/proofs/space.ts'
import { createFilePlot, openFilePlot, PLOT_HEADER_BYTES } from '../../node-host/proofs/plot-file-store.ts'
import { createIdbPlot, openIdbPlot } from '../../browser-host/src/proofs/idb-plot-store.ts'
import { H, hex } from './_helpers.ts'

const kernel = await testKernel()

const nodeId = H('node-1')
const log2 = 13 // 8 192 labels: the IndexedDB store spans several chunks
const reference = MemoryPlotStore.build(kernel, nodeId, 1, log2)
const dir = await mkdtemp(join(tmpdir(), 'hm-plot-'))
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

/** One suite for every PlotStore implementation: build, reopen, same nodes as the in-memory tree, proofs verify. */
function plotStoreCase (name: string, create: () => Promise<PlotStore>, reopen: () => Promise<PlotStore>): void {
  describe(`PlotStore: ${name}`, () => {
    it('builds a plot whose root and nodes equal the in-memory tree, and reopens it', async () => {
      const created = await create()
      expect(hex(created.info.root)).toBe(hex(reference.info.root))
      await created.close()
      const s = await reopen()
      expect(s.info).toEqual(reference.info)
      const idx = [0, 1, 4095, 4096, 8191, 8192, 16382]
      const got = await s.readNodes(idx)
      const want = await reference.readNodes(idx)
      expect(got.map(hex)).toEqual(want.map(hex))
      for (const leaf of [3, 5000]) {
        const a = await readOpening(s, leaf)
        expect(kernel.merkleVerify(a.label, leaf, a.path, s.info.root)).toBe(true)
      }
      const op = H('op-store'); const anchor = H('block-1')
      const p = await proveSpace(kernel, s, op, anchor, 4, { zone: 'z', address: new Uint8Array(4) })
      expect(verifySpace(kernel, p, op, anchor, nodeId, { log2Size: log2, root: reference.info.root }, 4, log2)).toBe(true)
      await expect(s.readNodes([16383])).rejects.toMatchObject({ name: 'InvalidArgumentError' })
      await s.close()
    })
  })
}

const file = join(dir, 'plot-1.bin')
plotStoreCase('file', async () => await createFilePlot(file, kernel, nodeId, 1, log2), async () => await openFilePlot(file))
plotStoreCase('memory', async () => reference, async () => reference)
plotStoreCase('IndexedDB', async () => await createIdbPlot(kernel, nodeId, 1, log2, { dbName: 'plots-test' }),
  async () => (await openIdbPlot(nodeId, 1, { dbName: 'plots-test' }))!)

describe('plot file corruption', () => {
  it('names the file and refuses a bad header, a truncated file or a root mismatch', async () => {
    const f = join(dir, 'small.bin')
    await (await createFilePlot(f, kernel, nodeId, 0, 4)).close()
    const good = await readFile(f)
    const bad1 = Buffer.from(good); bad1[20] ^= 1
    await writeFile(f, bad1)
    await expect(openFilePlot(f)).rejects.toMatchObject({ name: 'DecodeError', message: expect.stringContaining(f) })
    await writeFile(f, good.subarray(0, good.length - 1))
    await expect(openFilePlot(f)).rejects.toMatchObject({ name: 'DecodeError' })
    const bad3 = Buffer.from(good); bad3[bad3.length - 1] ^= 1
    await writeFile(f, bad3)
    await expect(openFilePlot(f)).rejects.toMatchObject({ name: 'DecodeError', message: expect.stringContaining('root') })
    expect(good.length).toBe(PLOT_HEADER_BYTES + 31 * 32)
  })

  it('openIdbPlot gives undefined for an unknown plot', async () => {
    expect(await openIdbPlot(nodeId, 99, { dbName: 'plots-test' })).toBeUndefined()
  })
})
