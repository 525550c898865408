// powSolve: chunked, resumable, abortable PoW over any Kernel.
import { describe, it, expect } from 'vitest'
import { instantiateKernelModule } from '../../ts/wasm/loader.ts'
import { createWasmKernel } from '../../ts/wasm/wasm-kernel.ts'
import { referenceKernel } from '../../ts/wasm/reference.ts'
import { powSolve, type PowProgress } from '../../ts/wasm/pow.ts'

const prefix = new TextEncoder().encode('hypermesh/powSolve')

describe('powSolve', () => {
  const simd = createWasmKernel(instantiateKernelModule('simd'))

  it('finds the same nonce as one big powSearch, through many small chunks', async () => {
    const want = simd.powSearch(prefix, 14, 0, 1 << 24)
    expect(want).toBeGreaterThan(0)
    const progress: PowProgress[] = []
    const got = await powSolve(simd, prefix, 14, { chunk: 1000, onProgress: (p) => progress.push(p) })
    expect(got).toBe(want)
    expect(progress.length).toBe(Math.floor(want / 1000) + 1)
    expect(progress.at(-1)).toEqual({ tried: want + 1, next: want + 1 })
    for (let i = 1; i < progress.length; i++) expect(progress[i].next).toBeGreaterThan(progress[i - 1].next)
  })

  it('resumes from a given start and agrees with the reference kernel', async () => {
    const first = await powSolve(referenceKernel, prefix, 6, { chunk: 50 })
    expect(first).toBe(referenceKernel.powSearch(prefix, 6, 0, 100_000))
    const second = await powSolve(simd, prefix, 6, { start: first + 1 })
    expect(second).toBe(referenceKernel.powSearch(prefix, 6, first + 1, 100_000))
  })

  it('returns -1 when the range is exhausted', async () => {
    expect(await powSolve(simd, prefix, 64, { count: 5000, chunk: 999 })).toBe(-1)
  })

  it('throws AbortError between chunks when the signal fires', async () => {
    const ac = new AbortController()
    let calls = 0
    const p = powSolve(simd, prefix, 200, {
      chunk: 256,
      signal: ac.signal,
      onProgress: () => { if (++calls === 3) ac.abort(new Error('stop')) }
    })
    await expect(p).rejects.toMatchObject({ name: 'AbortError' })
    expect(calls).toBe(3)
    const pre = new AbortController(); pre.abort()
    await expect(powSolve(simd, prefix, 1, { signal: pre.signal })).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('yields to the event loop between chunks', async () => {
    let ticks = 0
    const timer = setInterval(() => { ticks++ }, 1)
    try {
      await powSolve(simd, prefix, 200, { count: 2_000_000, sliceMs: 2 })
    } finally { clearInterval(timer) }
    expect(ticks).toBeGreaterThan(0)
  })

  it('rejects bad arguments like powSearch does', async () => {
    await expect(powSolve(simd, prefix, 300)).rejects.toThrow(RangeError)
    await expect(powSolve(simd, prefix, 1, { start: -1 })).rejects.toThrow(RangeError)
    await expect(powSolve(simd, prefix, 1, { chunk: 0 })).rejects.toThrow(RangeError)
    await expect(powSolve(simd, 'x' as unknown as Uint8Array, 1)).rejects.toThrow(TypeError)
  })
})
