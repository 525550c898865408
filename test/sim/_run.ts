/** Shared body of the simulator specs: one process-wide environment, a sweep over seeds. */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createSimEnv, prepareN } from './env.ts'
import { runSimulation, type SimOptions, type SimResult } from './simulator.ts'
import type { SimEnv } from './simulator.ts'

/** ts/proofs needs ts/identity; until that module lands the simulator runs without transactions and says so. */
export const PROOFS_AVAILABLE = existsSync(fileURLToPath(new URL('../../ts/identity/index.ts', import.meta.url)))

let envPromise: Promise<SimEnv> | undefined
export function sharedEnv (): Promise<SimEnv> {
  envPromise ??= createSimEnv({ maxN: 10, proofs: PROOFS_AVAILABLE })
  return envPromise
}

export interface SweepSummary { runs: number, failures: Array<{ seed: number, n: number, violations: string[], trace: string[] }>, results: SimResult[] }

export async function sweep (seeds: number[], ns: number[], extra: Partial<SimOptions> = {}): Promise<SweepSummary> {
  const env = await sharedEnv()
  const out: SweepSummary = { runs: 0, failures: [], results: [] }
  for (let i = 0; i < seeds.length; i++) {
    const n = ns[i % ns.length]
    await prepareN(env, n)
    const r = await runSimulation(env, { seed: seeds[i], n, ...extra })
    out.runs++
    out.results.push({ ...r, trace: [] })
    if (r.violations.length > 0) out.failures.push({ seed: seeds[i], n, violations: r.violations, trace: r.trace.slice(-60) })
  }
  return out
}

export function describeFailures (s: SweepSummary): string {
  return s.failures.map((f) => `seed ${f.seed} n=${f.n}: ${f.violations.join('; ')}\n  reproduce: npm run sim -- --seed ${f.seed} --n ${f.n} --trace\n${f.trace.join('\n')}`).join('\n\n')
}
