/**
 * Consensus throughput from the simulator with real crypto and zero network
 * delay: blocks/s, transactions/s with full proof verification (each node
 * verifies every signature and every transaction's proofs itself: per-node
 * caches), and finality latency as wall-clock ms per block, at n = 4 and 7.
 * Baseline: the bare FALCON-1024 verify rate measured in the same run.
 */
import { falcon1024 } from '@noble/post-quantum/falcon.js'
import { ProofCache } from '../../ts/ledger/index.ts'
import { latencyRow, measureRate, median, rateRow, type BenchOptions, type BenchRow } from './_harness.ts'
import { SimCrypto, simKeyPair } from '../sim/crypto.ts'
import { createSimEnv, prepareN } from '../sim/env.ts'
import { runSimulation } from '../sim/simulator.ts'
import { PROOFS_AVAILABLE } from '../sim/_run.ts'

export async function run (opts: BenchOptions): Promise<BenchRow[]> {
  const key = simKeyPair(0)
  const msg = new Uint8Array(64).fill(7)
  const sig = falcon1024.sign(msg, key.secretKey)
  const verifyRate = await measureRate(() => falcon1024.verify(sig, msg, key.publicKey), 1, { samples: opts.quick ? 3 : 5, ms: opts.quick ? 200 : 400 })
  opts.log(`falcon1024 verify: ${verifyRate.toFixed(0)}/s`)
  const env = await createSimEnv({ maxN: 7, proofs: PROOFS_AVAILABLE })
  const rows: BenchRow[] = []
  const heights = opts.quick ? 4 : 6
  const reps = opts.quick ? 1 : 3
  for (const n of [4, 7]) {
    await prepareN(env, n)
    const wall: number[] = []; let txs = 0; let blocks = 0
    for (let r = 0; r < reps; r++) {
      const cryptos = Array.from({ length: n }, () => new SimCrypto())
      const caches = Array.from({ length: n }, () => new ProofCache(env.proofs.verifier))
      const t0 = performance.now()
      const res = await runSimulation(env, {
        seed: 1 + r, n, ideal: true, byzantine: 0, stopAtHeight: heights, maxTxsPerBlock: 4,
        cryptoFor: (i) => cryptos[i], proofCacheFor: (i) => caches[i]
      })
      wall.push(performance.now() - t0)
      if (res.violations.length > 0) throw new Error(`bench run failed: ${res.violations.join('; ')}`)
      txs = res.txsFinalized / Math.max(1, n); blocks = res.minHonestHeight
    }
    const ms = median(wall)
    const perBlock = ms / blocks
    const note = `n=${n}, ${blocks} blocks, ${txs} txs${PROOFS_AVAILABLE ? ' (dev-preset ConsensusProofs)' : ' (no txs: ts/identity missing)'}, zero network delay, all n nodes on one thread, ${2 * n + 1} FALCON signatures per block`
    opts.log(`n=${n}: ${ms.toFixed(0)} ms for ${blocks} blocks`)
    rows.push(rateRow(`consensus blocks/s n=${n}`, 1000 / perBlock, 'blocks/s', 'falcon1024 verify', verifyRate, note))
    if (PROOFS_AVAILABLE) rows.push(rateRow(`consensus tx/s n=${n} (full proof verification)`, txs / (ms / 1000), 'tx/s', 'falcon1024 verify', verifyRate, note))
    rows.push(latencyRow(`finality latency n=${n}`, perBlock, 'ms/block', 'one falcon1024 verify', 1000 / verifyRate, note))
  }
  return rows
}
