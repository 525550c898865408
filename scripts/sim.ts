#!/usr/bin/env node
// Seeded consensus simulator (issue 4).
//   npm run sim -- --seeds 200 [--n 4,7,10] [--start 1] [--json]
//   npm run sim -- --seed 17 --n 7 --trace        (reproduce one seed with its full trace)
// Seed i of a sweep runs with n = ns[i % ns.length] and seed value start + i.
import { createSimEnv, prepareN } from '../test/sim/env.ts'
import { runSimulation, type SimResult } from '../test/sim/simulator.ts'
import { PROOFS_AVAILABLE } from '../test/sim/_run.ts'

function arg (name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`)

if (flag('help') || flag('h') || process.argv.includes('-h')) {
  console.log(`usage: npm run sim -- [--seeds N] [--start S] [--n 4,7,10] [--json] [--progress]
       npm run sim -- --seed S --n N --trace

Seeded deterministic simulator of the Tendermint engine: virtual time, real
FALCON-1024 signatures and real ConsensusProofs, a network that delays, drops,
duplicates, reorders and partitions, crashes with restart from the store, and
up to f Byzantine validators with mixed strategies. Safety is checked after
every step, liveness after the network heals.

  --seeds N      how many seeds to run (default 20)
  --start S      first seed value (default 1); seed i uses n = ns[i % ns.length]
  --n LIST       validator counts, comma-separated, each 1..10 (default 4,7,10)
  --seed S       run one seed (reproduce a failure); with --trace prints its trace
  --json         print one JSON summary {runs, violations, maxHeight, ...} on stdout
  --progress     progress lines on stderr even with --json

Exit status: 0 when no violation, 1 when any seed violated safety or liveness.`)
  process.exit(0)
}
const json = flag('json')
const trace = flag('trace')
const ns = (arg('n') ?? '4,7,10').split(',').map(Number)
if (ns.some((n) => !Number.isInteger(n) || n < 1 || n > 10)) { console.error('--n takes a comma list of validator counts in 1..10'); process.exit(2) }
const one = arg('seed')
const seeds = one !== undefined ? 1 : Number(arg('seeds') ?? 20)
const start = one !== undefined ? Number(one) : Number(arg('start') ?? 1)
if (!Number.isSafeInteger(seeds) || seeds < 1 || !Number.isSafeInteger(start)) { console.error('--seeds / --seed / --start take integers'); process.exit(2) }
const progress = (line: string): void => { if (!json || flag('progress')) process.stderr.write(line + '\n') }

const t0 = performance.now()
const env = await createSimEnv({ maxN: Math.max(...ns), proofs: PROOFS_AVAILABLE })
if (!PROOFS_AVAILABLE) process.stderr.write('note: ts/identity is missing, so ts/proofs cannot load: running without transactions\n')
progress(`environment ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
const summary = {
  proofs: PROOFS_AVAILABLE,
  runs: 0,
  violations: 0,
  failures: [] as Array<{ seed: number, n: number, byzantine: SimResult['byzantine'], violations: string[], trace: string[] }>,
  maxHeight: 0,
  blocksFinalized: 0,
  txsFinalized: 0,
  livenessMsAfterHeal: { max: 0, mean: 0 },
  byN: {} as Record<string, { runs: number, violations: number, meanHeight: number, crashes: number, syncs: number, snapshots: number }>,
  strategies: {} as Record<string, number>,
  wallSeconds: 0,
  signatures: { signed: 0, verified: 0 }
}
let liveSum = 0
for (let i = 0; i < seeds; i++) {
  const seed = start + i
  const n = one !== undefined ? ns[0] : ns[i % ns.length]
  await prepareN(env, n)
  const r = await runSimulation(env, { seed, n, trace })
  summary.runs++
  const b = (summary.byN[n] ??= { runs: 0, violations: 0, meanHeight: 0, crashes: 0, syncs: 0, snapshots: 0 })
  b.runs++; b.meanHeight += (r.minHonestHeight - b.meanHeight) / b.runs; b.crashes += r.crashes; b.syncs += r.syncs; b.snapshots += r.snapshots
  summary.maxHeight = Math.max(summary.maxHeight, r.maxHeight)
  summary.blocksFinalized += r.maxHeight
  summary.txsFinalized += r.txsFinalized
  for (const z of r.byzantine) summary.strategies[z.strategy] = (summary.strategies[z.strategy] ?? 0) + 1
  if (r.livenessReachedAt !== null) { liveSum += r.livenessReachedAt; summary.livenessMsAfterHeal.max = Math.max(summary.livenessMsAfterHeal.max, r.livenessReachedAt) }
  if (r.violations.length > 0) {
    summary.violations += r.violations.length; b.violations += r.violations.length
    summary.failures.push({ seed, n, byzantine: r.byzantine, violations: r.violations, trace: r.trace.slice(-120) })
    progress(`FAIL seed ${seed} n=${n} byzantine=${JSON.stringify(r.byzantine)}\n  ${r.violations.join('\n  ')}\n  reproduce: npm run sim -- --seed ${seed} --n ${n} --trace`)
    if (!json) process.stderr.write(r.trace.slice(-120).join('\n') + '\n')
  } else if (trace) {
    process.stderr.write(r.trace.join('\n') + '\n')
  }
  if (!json || flag('progress')) {
    if ((i + 1) % 10 === 0 || i + 1 === seeds || r.violations.length > 0) {
      progress(`${i + 1}/${seeds} seeds, ${summary.violations} violations, ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    }
  }
}
summary.livenessMsAfterHeal.mean = summary.runs > 0 ? Math.round(liveSum / summary.runs) : 0
summary.wallSeconds = Number(((performance.now() - t0) / 1000).toFixed(1))
summary.signatures = { signed: env.crypto.counters.signs, verified: env.crypto.counters.verifies }
if (json) process.stdout.write(JSON.stringify(summary) + '\n')
else {
  const { failures, ...rest } = summary
  console.log(JSON.stringify(rest, null, 2))
}
process.exitCode = summary.violations > 0 ? 1 : 0
