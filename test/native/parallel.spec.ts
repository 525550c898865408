// The worker pool: parallel PoW returns exactly the serial first nonce,
// parallel PoTime verification accepts a true chain and rejects a tampered
// one, both report progress and stop on abort, and no thread outlives a call.
import { describe, it, expect } from 'vitest'
import { createHash, randomBytes } from 'node:crypto'
import { KernelPool, liveWorkerCount, parallelPowSearch, parallelVdfVerify } from '../../node-host/kernel/parallel.ts'
import { loadNativeKernel } from '../../node-host/kernel/native-kernel.ts'
import { leadingZeroBits } from '../../ts/wasm/reference.ts'

const k = loadNativeKernel()

function brute (prefix: Uint8Array, bits: number, start: number, count: number): number {
  const buf = Buffer.alloc(prefix.length + 8)
  buf.set(prefix)
  for (let n = start; n < start + count; n++) {
    buf.writeBigUInt64BE(BigInt(n), prefix.length)
    if (leadingZeroBits(createHash('sha256').update(buf).digest()) >= bits) return n
  }
  return -1
}

describe('parallelPowSearch', () => {
  it('returns the first qualifying nonce even when later chunks finish first (small chunks, 2 threads)', async () => {
    const pool = new KernelPool({ threads: 2 })
    try {
      for (let i = 0; i < 12; i++) {
        const prefix = randomBytes(30 + i * 3)
        const bits = 6 + (i % 5)
        const want = k.powSearch(prefix, bits, 1000, 200_000)
        expect(await parallelPowSearch(prefix, bits, { start: 1000, count: 200_000, chunk: 37 + i, pool })).toBe(want)
      }
      const p = randomBytes(41)
      expect(await parallelPowSearch(p, 5, { start: 77, count: 5000, chunk: 13, pool })).toBe(brute(p, 5, 77, 5000))
    } finally {
      await pool.close()
    }
    expect(liveWorkerCount()).toBe(0)
  })

  it('gives -1 on an exhausted range, respects start and count, and reports resumable progress', async () => {
    const prefix = randomBytes(41)
    const seen: Array<{ tried: number, next: number }> = []
    const r = await parallelPowSearch(prefix, 256, { start: 2 ** 32 - 5000, count: 100_000, chunk: 7000, threads: 2, onProgress: (p) => seen.push(p) })
    expect(r).toBe(-1)
    expect(seen.at(-1)).toEqual({ tried: 100_000, next: 2 ** 32 - 5000 + 100_000 })
    for (let i = 1; i < seen.length; i++) expect(seen[i].tried).toBeGreaterThanOrEqual(seen[i - 1].tried)
    expect(liveWorkerCount()).toBe(0)
    expect(await parallelPowSearch(prefix, 0, { start: 9, count: 0, threads: 2 })).toBe(-1)
    expect(await parallelPowSearch(prefix, 0, { start: 9, count: 3, threads: 2 })).toBe(9)
  })

  it('stops on abort with AbortError and terminates its workers', async () => {
    const ac = new AbortController()
    let progressed = 0
    const run = parallelPowSearch(randomBytes(41), 256, { signal: ac.signal, threads: 2, chunk: 1 << 16, onProgress: () => { if (++progressed === 3) ac.abort() } })
    await expect(run).rejects.toMatchObject({ name: 'AbortError' })
    expect(progressed).toBeGreaterThanOrEqual(3)
    expect(liveWorkerCount()).toBe(0)
    const pre = new AbortController()
    pre.abort()
    await expect(parallelPowSearch(randomBytes(8), 1, { signal: pre.signal })).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('checks its arguments like powSearch', async () => {
    await expect(parallelPowSearch(new Uint8Array(4), 257)).rejects.toThrow(RangeError)
    await expect(parallelPowSearch(new Uint8Array(4), 1, { start: 2 ** 53 })).rejects.toThrow(RangeError)
    await expect(parallelPowSearch('x' as unknown as Uint8Array, 1)).rejects.toThrow(TypeError)
    await expect(parallelPowSearch(new Uint8Array(4), 1, { chunk: 0 })).rejects.toThrow(RangeError)
  })

  it('workers can run another kernel (WASM SIMD) and agree', async () => {
    const prefix = randomBytes(41)
    const want = k.powSearch(prefix, 9, 0, 1 << 20)
    const pool = new KernelPool({ threads: 2, kernel: 'simd' })
    try {
      expect(pool.kernelName).toBe('simd')
      expect(await parallelPowSearch(prefix, 9, { count: 1 << 20, chunk: 500, pool })).toBe(want)
    } finally {
      await pool.close()
    }
    expect(liveWorkerCount()).toBe(0)
  })
})

describe('parallelVdfVerify', () => {
  const seed = randomBytes(32)
  const steps = 64 * 1000
  const kk = 64
  const cps = k.vdfChain(seed, steps, kk)

  it('accepts the true chain on any segment choice (segment 0 starts from the seed)', async () => {
        const seen: number[] = []
    expect(await parallelVdfVerify(seed, cps, steps, kk, [0, 5, 5, 17, 63], { threads: 2, slice: 300, onProgress: (p) => { seen.push(p.done); expect(p.total).toBe(4000) } })).toBe(true)
    expect(seen.at(-1)).toBe(4000)
    expect(await parallelVdfVerify(seed, cps, steps, kk, Array.from({ length: kk }, (_, i) => i), { threads: 2 })).toBe(true)
    expect(await parallelVdfVerify(seed, cps, steps, kk, [])).toBe(true)
    expect(liveWorkerCount()).toBe(0)
  })

  it('rejects a tampered checkpoint on the segments that end or start there, and a wrong seed', async () => {
    const bad = Uint8Array.from(cps)
    bad[10 * 32 + 7] ^= 0x10
    expect(await parallelVdfVerify(seed, bad, steps, kk, [10], { threads: 2 })).toBe(false)
    expect(await parallelVdfVerify(seed, bad, steps, kk, [11], { threads: 2 })).toBe(false)
    expect(await parallelVdfVerify(seed, bad, steps, kk, [9, 12, 40], { threads: 2 })).toBe(true)
    const otherSeed = Uint8Array.from(seed)
    otherSeed[0] ^= 1
    expect(await parallelVdfVerify(otherSeed, cps, steps, kk, [0], { threads: 2 })).toBe(false)
  })

  it('stops on abort and checks its arguments', async () => {
        const big = 4 * 2 ** 22
    const bigCps = new Uint8Array(4 * 32) // never finishes in time: aborted after the first progress report
    const ac = new AbortController()
    const run = parallelVdfVerify(seed, bigCps, big, 4, [0, 1, 2, 3], { threads: 2, slice: 1 << 16, signal: ac.signal, onProgress: () => { ac.abort() } })
    await expect(run).rejects.toMatchObject({ name: 'AbortError' })
    expect(liveWorkerCount()).toBe(0)
    await expect(parallelVdfVerify(seed, cps, steps, kk, [64])).rejects.toThrow(RangeError)
    await expect(parallelVdfVerify(seed, cps.subarray(32), steps, kk, [1])).rejects.toThrow(RangeError)
    await expect(parallelVdfVerify(seed, cps, steps + 1, kk, [1])).rejects.toThrow(RangeError)
  })
})
