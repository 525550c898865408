/**
 * The mesh as operators run it: 4 (and, in a full run, 7) `hypermesh up`
 * processes on loopback with a generated genesis, each committing its own
 * `node.status` transactions (dev-preset ConsensusProofs) every 100 ms.
 * After a warm-up, for a fixed window: block finality p50/p99 (a block's
 * proposal time to its commit, over every node's commits) and committed tx/s.
 *
 * Baselines measured in the same run:
 *  - finality beside the in-process simulator on an ideal network (same
 *    engine, same signatures, no processes, sockets or timers): the ratio is
 *    what real processes, libp2p, gossipsub and LevelDB cost on top;
 *  - committed tx/s beside the bare FALCON-1024 verify rate: every node
 *    verifies every transaction's proofs (≥ 1 FALCON verify each) and every
 *    vote, so this rate bounds a single node.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { falcon1024 } from '@noble/post-quantum/falcon.js'
import { ProofCache } from '../../ts/ledger/index.ts'
import { Testnet } from '../../node-host/node/testnet.ts'
import { latencyRow, measureRate, median, percentile, rateRow, type BenchOptions, type BenchRow } from './_harness.ts'
import { SimCrypto, simKeyPair } from '../sim/crypto.ts'
import { createSimEnv, prepareN } from '../sim/env.ts'
import { runSimulation } from '../sim/simulator.ts'

async function simFinalityMs (n: number): Promise<number> {
  const env = await createSimEnv({ maxN: n, proofs: true })
  await prepareN(env, n)
  const walls: number[] = []
  for (let r = 0; r < 3; r++) {
    const cryptos = Array.from({ length: n }, () => new SimCrypto())
    const caches = Array.from({ length: n }, () => new ProofCache(env.proofs.verifier))
    const t0 = performance.now()
    const res = await runSimulation(env, { seed: 11 + r, n, ideal: true, byzantine: 0, stopAtHeight: 4, maxTxsPerBlock: 4, cryptoFor: (i) => cryptos[i], proofCacheFor: (i) => caches[i] })
    if (res.violations.length > 0) throw new Error(res.violations.join('; '))
    walls.push((performance.now() - t0) / res.minHonestHeight)
  }
  return median(walls)
}

async function meshRun (n: number, seconds: number, intervalMs: number, opts: BenchOptions): Promise<{ p50: number, p99: number, txPerSec: number, blocksPerSec: number, samples: number }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `hm-bench-${n}-`))
  const tn = await Testnet.create({ nodes: n, dir, txIntervalMs: intervalMs })
  try {
    await tn.startAll()
    await tn.waitFor((s) => s.every((x) => x !== null && x.height >= 3 && x.peers === n - 1), 60_000, 'warm-up')
    const before = await Promise.all(tn.members.map(async (m) => await tn.get<{ samplesMs: number[] }>(m.index, '/api/finality')))
    const s0 = await tn.statuses()
    const t0 = performance.now()
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
    const s1 = await tn.statuses()
    const secs = (performance.now() - t0) / 1000
    const after = await Promise.all(tn.members.map(async (m) => await tn.get<{ samplesMs: number[] }>(m.index, '/api/finality')))
    const samples = after.flatMap((f, i) => (f?.samplesMs ?? []).slice(before[i]?.samplesMs.length ?? 0))
    const tx = (s: Array<Record<string, any> | null>): number => Math.max(...s.map((x) => (x?.txCommitted as number | undefined) ?? 0))
    const h = (s: Array<Record<string, any> | null>): number => Math.min(...s.map((x) => (x?.height as number | undefined) ?? 0))
    const r = {
      p50: percentile(samples, 50),
      p99: percentile(samples, 99),
      txPerSec: (tx(s1) - tx(s0)) / secs,
      blocksPerSec: (h(s1) - h(s0)) / secs,
      samples: samples.length
    }
    opts.log(`node: n=${n}: ${r.blocksPerSec.toFixed(2)} blocks/s, ${r.txPerSec.toFixed(1)} tx/s, finality p50 ${r.p50.toFixed(0)} ms p99 ${r.p99.toFixed(0)} ms over ${r.samples} commits`)
    return r
  } finally {
    await tn.stopAll()
    await rm(dir, { recursive: true, force: true })
  }
}

export async function run (opts: BenchOptions): Promise<BenchRow[]> {
  const key = simKeyPair(0)
  const msg = new Uint8Array(64).fill(7)
  const sig = falcon1024.sign(msg, key.secretKey)
  const verifyRate = await measureRate(() => falcon1024.verify(sig, msg, key.publicKey), 1, { samples: opts.quick ? 3 : 5, ms: opts.quick ? 200 : 400 })
  const rows: BenchRow[] = []
  const seconds = opts.quick ? 12 : 30
  // The 4-validator run is the figure issue 5 asks for: its failure fails the
  // module. The 7-validator and saturation runs are extras: on a machine too
  // loaded for them they are logged as missing instead of losing every row.
  const extra = async <T>(what: string, f: () => Promise<T>): Promise<T | null> => {
    try { return await f() } catch (err) {
      opts.log(`node: ${what} left out: ${(err as Error).message} (1-min load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)`)
      return null
    }
  }
  for (const n of opts.quick ? [4] : [4, 7]) {
    const sim = await simFinalityMs(n)
    const r = n === 4 ? await meshRun(n, seconds, 100, opts) : await extra(`${n}-validator run`, async () => await meshRun(n, seconds, 100, opts))
    if (r === null) continue
    const note = `${n} processes on loopback, ${seconds} s after warm-up, each node sends a status tx every 100 ms; ${r.samples} block commits; ${r.blocksPerSec.toFixed(2)} blocks/s; 1-min load average ${os.loadavg()[0].toFixed(1)}`
    rows.push(latencyRow(`mesh finality p50, ${n} validators (processes)`, r.p50, 'ms', 'simulator, ideal network, same engine and crypto (ms/block)', sim,
      `${note}. Ratio = simulator ms/block ÷ mesh p50: above 1, ${n} real processes finalize a block sooner than one thread running all ${n} engines with no network; below 1 is what processes, libp2p, gossipsub, timers and LevelDB add`))
    rows.push(latencyRow(`mesh finality p99, ${n} validators (processes)`, r.p99, 'ms', 'simulator, ideal network (ms/block)', sim))
    rows.push(rateRow(`mesh committed tx/s, ${n} validators (processes)`, r.txPerSec, 'tx/s', 'falcon1024 verify (one core)', verifyRate,
      `offered load ${n * 10} tx/s (each node makes its next tx only when the last is admitted); dev-preset proofs. Ratio = committed tx/s ÷ one core's FALCON verify rate: every tx costs its maker a signature and every node ≥ 1 verify, and votes cost verifies too, on ${os.cpus().length} shared cores`))
  }
  if (!opts.quick) {
    // Saturation: every node makes transactions back to back (each costs its maker a FALCON signature).
    const r = await extra('saturation run', async () => await meshRun(4, seconds, 5, opts))
    if (r !== null) rows.push(rateRow('mesh committed tx/s at saturation, 4 validators (processes)', r.txPerSec, 'tx/s', 'falcon1024 verify (one core)', verifyRate,
      `every node produces back to back; 4 processes share 2 cores, each verifying every tx and vote; finality p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms`))
  }
  return rows
}
