import { describe, it, expect } from 'vitest'
import { testKernel } from './_helpers.ts'
import { computeChain, sampleSegments, timeSeed, verifyChain } from '../../ts/proofs/time.ts'
import { H, hex, prng, withinBinomial, binom } from './_helpers.ts'

const kernel = await testKernel()

const opHash = H('op-1')
const anchor = H('block-1')

describe('PoTime chain', () => {
  it('known answers (checked independently with node:crypto)', async () => {
    const seed = timeSeed(kernel, opHash, anchor)
    expect(hex(seed)).toBe('29e7e5c6063103f2b079e0b3c55d4de7dee338ba51cbeebf27fd2a30625d0fcc')
    const cps = await computeChain(kernel, seed, 256, 16)
    expect(hex(cps.subarray(15 * 32))).toBe('95d5d8a529334ab6142ee9859dda938652b1ef74a5df1dc5c07af0fb6cbabdd4')
    expect(sampleSegments(kernel, seed, cps, 4)).toEqual([6, 2, 11, 13])
    expect(verifyChain(kernel, seed, cps, { steps: 256, checkpoints: 16, samples: 4 })).toBe(true)
  })

  it('chunked computation equals kernel.vdfChain (both chunking paths) and aborts', async () => {
    const seed = timeSeed(kernel, opHash, anchor)
    const ref = kernel.vdfChain(seed, 512, 8)
    expect(hex(await computeChain(kernel, seed, 512, 8, { chunkSteps: 128 }))).toBe(hex(ref))
    expect(hex(await computeChain(kernel, seed, 512, 8, { chunkSteps: 10 }))).toBe(hex(ref))
    const ac = new AbortController()
    await expect(computeChain(kernel, seed, 4096, 8, { chunkSteps: 16, signal: ac.signal, onProgress: (p) => { if (p.done >= 64) ac.abort() } }))
      .rejects.toMatchObject({ name: 'AbortError' })
  })

  it('samples are distinct, in range, and the verifier checks only those', async () => {
    const seed = timeSeed(kernel, opHash, anchor)
    const cps = await computeChain(kernel, seed, 64, 64)
    const s = sampleSegments(kernel, seed, cps, 64)
    expect(new Set(s).size).toBe(64)
    expect(Math.min(...s)).toBe(0); expect(Math.max(...s)).toBe(63)
  })

  it('a chain with ONE faked segment is rejected with probability s/k (1000 trials, binomial 4σ)', async () => {
    const k = 16; const s = 4; const steps = 64
    const rnd = prng(7)
    const trials = 1000
    let rejected = 0
    for (let t = 0; t < trials; t++) {
      const seed = timeSeed(kernel, H(`op-${t}`), anchor)
      // The cheater skips segment j: claims a random checkpoint j, then continues honestly from it.
      const j = rnd.int(k)
      const seg = steps / k
      const cps = new Uint8Array(k * 32)
      let x = seed
      for (let i = 0; i < k; i++) {
        x = i === j ? rnd.bytes(32) : kernel.vdfSegment(x, seg)
        cps.set(x, i * 32)
      }
      if (!verifyChain(kernel, seed, cps, { steps, checkpoints: k, samples: s })) rejected++
    }
    const predicted = 1 - binom(k - 1, s) / binom(k, s) // = s/k = 0.25
    const check = withinBinomial(rejected, trials, predicted)
    expect(check.ok, `rejected ${rejected}/${trials}, predicted ${predicted} → [${check.lo.toFixed(0)}, ${check.hi.toFixed(0)}]`).toBe(true)
  })

  it('a chain with f = 4 faked segments escapes with C(k-f,s)/C(k,s) (1000 trials)', async () => {
    const k = 16; const s = 4; const steps = 64; const f = 4
    const rnd = prng(11)
    const trials = 1000
    let escaped = 0
    for (let t = 0; t < trials; t++) {
      const seed = timeSeed(kernel, H(`op-f-${t}`), anchor)
      const fake = new Set<number>()
      while (fake.size < f) fake.add(rnd.int(k))
      const cps = new Uint8Array(k * 32)
      let x = seed
      for (let i = 0; i < k; i++) {
        x = fake.has(i) ? rnd.bytes(32) : kernel.vdfSegment(x, steps / k)
        cps.set(x, i * 32)
      }
      if (verifyChain(kernel, seed, cps, { steps, checkpoints: k, samples: s })) escaped++
    }
    const predicted = binom(k - f, s) / binom(k, s) // 495/1820 ≈ 0.272
    const check = withinBinomial(escaped, trials, predicted)
    expect(check.ok, `escaped ${escaped}/${trials}, predicted ${predicted.toFixed(3)}`).toBe(true)
  })
})
