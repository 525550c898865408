import { describe, it, expect } from 'vitest'
import { testKernel } from './_helpers.ts'
import { proveWork, verifyWork, workPrefix } from '../../ts/proofs/work.ts'
import { WORK_KINDS } from '../../ts/proofs/constants.ts'
import { H, hex } from './_helpers.ts'

const kernel = await testKernel()

const opHash = H('op-1')

describe('PoWork', () => {
  it('finds the known first nonce (checked independently with node:crypto)', async () => {
    // node:crypto search over H(("hypermesh/powork/v1" ‖ opHash ‖ 0x01 ‖ zeros)[64] ‖ u64be(n)), 12 bits → first n = 2553
    const w = await proveWork(kernel, opHash, WORK_KINDS.Modify, 12)
    expect(w).toEqual({ kind: WORK_KINDS.Modify, nonce: 2553 })
    expect(workPrefix(opHash, WORK_KINDS.Modify).length).toBe(64)
    expect(hex(H(workPrefix(opHash, WORK_KINDS.Modify), Uint8Array.of(0, 0, 0, 0, 0, 0, 0x09, 0xf9)))).toBe('000d4270a3ed7841300098eac70f3af85159dfe3f9a06c032590d881fbd819cb')
    expect(verifyWork(kernel, w, opHash, WORK_KINDS.Modify, 12)).toBe(true)
  })

  it('rejects every earlier nonce, another op, another kind, a higher difficulty', async () => {
    const w = await proveWork(kernel, opHash, WORK_KINDS.Modify, 12)
    for (let n = 0; n < w.nonce; n++) expect(verifyWork(kernel, { ...w, nonce: n }, opHash, WORK_KINDS.Modify, 12)).toBe(false)
    expect(verifyWork(kernel, w, H('op-2'), WORK_KINDS.Modify, 12)).toBe(false)
    expect(verifyWork(kernel, w, opHash, WORK_KINDS.Delete, 12)).toBe(false)
    expect(verifyWork(kernel, { ...w, kind: WORK_KINDS.Delete }, opHash, WORK_KINDS.Delete, 12)).toBe(false)
    expect(verifyWork(kernel, w, opHash, WORK_KINDS.Modify, 20)).toBe(false)
    expect(verifyWork(kernel, { ...w, nonce: -1 }, opHash, WORK_KINDS.Modify, 12)).toBe(false)
  })

  it('reports progress in chunks and stops with AbortError', async () => {
    const seen: number[] = []
    await proveWork(kernel, opHash, WORK_KINDS.Modify, 12, { chunk: 64, onProgress: (p) => seen.push(p.done) })
    expect(seen.length).toBeGreaterThan(3)
    const ac = new AbortController()
    ac.abort()
    await expect(proveWork(kernel, opHash, WORK_KINDS.Genesis, 40, { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' })
    const ac2 = new AbortController()
    const p = proveWork(kernel, opHash, WORK_KINDS.Genesis, 40, { signal: ac2.signal, chunk: 256, onProgress: (x) => { if (x.done > 2048) ac2.abort() } })
    await expect(p).rejects.toMatchObject({ name: 'AbortError' })
  })
})

describe('PoWork on all cores (node-host parallelPowSearch)', () => {
  it('finds the same first nonce as the in-thread search, and aborts', async () => {
    const { parallelNonceSearch } = await import('../../node-host/proofs/parallel-work.ts')
    const search = await parallelNonceSearch(2)
    if (search === undefined) throw new Error('node-host/kernel/parallel.ts did not load')
    const w = await proveWork(kernel, opHash, WORK_KINDS.Modify, 12, { search })
    expect(w).toEqual({ kind: WORK_KINDS.Modify, nonce: 2553 })
    const again = await proveWork(kernel, H('op-par'), WORK_KINDS.Storage, 14, { search })
    expect(again.nonce).toBe((await proveWork(kernel, H('op-par'), WORK_KINDS.Storage, 14)).nonce)
    const ac = new AbortController()
    setTimeout(() => ac.abort(), 50)
    await expect(proveWork(kernel, opHash, WORK_KINDS.Genesis, 60, { search, signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' })
  })
})
