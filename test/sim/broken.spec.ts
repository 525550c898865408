import { describe, expect, it } from 'vitest'
import { describeFailures, sharedEnv, sweep } from './_run.ts'
import { prepareN } from './env.ts'
import { runSimulation } from './simulator.ts'

describe('the simulator can fail', () => {
  it('catches a deliberately broken engine (quorum 2f instead of 2f+1) within a bounded search', async () => {
    const seeds = Array.from({ length: 60 }, (_, i) => 1 + i)
    const s = await sweep(seeds, [4], { unsafe: { quorumTwoF: true } })
    const safety = s.failures.filter((f) => f.violations.some((v) => v.startsWith('SAFETY')))
    expect(safety.length, 'expected at least one SAFETY violation').toBeGreaterThan(0)
    // and the same seeds are clean with the real quorum
    const ok = await sweep(safety.map((f) => f.seed), [4])
    expect(ok.failures, describeFailures(ok)).toEqual([])
  }, 600_000)

  it('a seed reproduces exactly (same trace, same heights)', async () => {
    const env = await sharedEnv()
    await prepareN(env, 7)
    const a = await runSimulation(env, { seed: 4242, n: 7, trace: true })
    const b = await runSimulation(env, { seed: 4242, n: 7, trace: true })
    expect(b.trace).toEqual(a.trace)
    expect(b.maxHeight).toBe(a.maxHeight)
    expect(a.trace.length).toBeGreaterThan(100)
  }, 300_000)
})
