import { describe, it, expect, afterAll } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { referenceKernel as kernel } from '../../ts/wasm/reference.ts'
import { computeChainInWorker, proveWorkInWorker, runProofJob } from '../../node-host/proofs/worker.ts'
import { openFilePlot } from '../../node-host/proofs/plot-file-store.ts'
import { MemoryPlotStore } from '../../ts/proofs/plot.ts'
import { verifyWork } from '../../ts/proofs/work.ts'
import { WORK_KINDS } from '../../ts/proofs/constants.ts'
import { H, hex } from './_helpers.ts'

const dir = await mkdtemp(join(tmpdir(), 'hm-proof-worker-'))
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

describe('proof worker (worker_threads)', () => {
  it('runs the PoWork search and the PoTime chain off the main thread with progress', async () => {
    const seen: string[] = []
    let kernelName = ''
    const w = await proveWorkInWorker(H('op-1'), WORK_KINDS.Modify, 12, { onProgress: (p) => seen.push(p.phase), onKernel: (k) => { kernelName = k } })
    expect(w).toEqual({ kind: WORK_KINDS.Modify, nonce: 2553 })
    expect(verifyWork(kernel, w, H('op-1'), WORK_KINDS.Modify, 12)).toBe(true)
    expect(seen).toContain('work')
    expect(kernelName).not.toBe('')
    const seed = H('seed')
    expect(hex(await computeChainInWorker(seed, 4096, 16))).toBe(hex(kernel.vdfChain(seed, 4096, 16)))
  })

  it('builds a plot file in a worker', async () => {
    const path = join(dir, 'p.bin')
    const info = await runProofJob({ type: 'plot', path, nodeId: H('node-1'), plotIndex: 0, log2Size: 8 }) as { root: Uint8Array }
    expect(hex(info.root)).toBe(hex(MemoryPlotStore.build(kernel, H('node-1'), 0, 8).info.root))
    const s = await openFilePlot(path); await s.close()
  })

  it('stops on abort with AbortError', async () => {
    const ac = new AbortController()
    const t0 = performance.now()
    const p = proveWorkInWorker(H('op-1'), WORK_KINDS.Genesis, 60, { signal: ac.signal, onProgress: () => ac.abort() })
    await expect(p).rejects.toMatchObject({ name: 'AbortError' })
    expect(performance.now() - t0).toBeLessThan(20_000)
  })
})
