import { describe, expect, it } from 'vitest'
import { PROOFS_AVAILABLE, describeFailures, sweep } from './_run.ts'

// Seeds 101..200 across n = 4, 7, 10 with f Byzantine validators of mixed strategies,
// random partitions, drops, duplicates, reordering and crash/restart; the other half is in sim-a.spec.ts.
describe('consensus simulator, seeds 101-200', () => {
  it(`no safety violation and liveness after healing${PROOFS_AVAILABLE ? ' (transactions with real ConsensusProofs)' : ' (no transactions: ts/identity missing)'}`, async () => {
    const seeds = Array.from({ length: 100 }, (_, i) => 101 + i)
    const s = await sweep(seeds, [4, 7, 10])
    expect(s.runs).toBe(100)
    expect(s.failures, describeFailures(s)).toEqual([])
    // the runs did real work: blocks at every n, Byzantine strategies exercised
    for (const n of [4, 7, 10]) expect(Math.max(...s.results.filter((r) => r.n === n).map((r) => r.maxHeight))).toBeGreaterThan(2)
    const strategies = new Set(s.results.flatMap((r) => r.byzantine.map((b) => b.strategy)))
    expect(strategies.size).toBe(5)
    expect(s.results.some((r) => r.crashes > 0)).toBe(true)
    if (PROOFS_AVAILABLE) expect(s.results.reduce((a, r) => a + r.txsFinalized, 0)).toBeGreaterThan(0)
  }, 900_000)
})
