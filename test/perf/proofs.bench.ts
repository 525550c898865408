/**
 * Proofs benchmark: kernel hash rates for the two hot loops, proof
 * generation time per preset beside the time predicted from those rates,
 * and verifyConsensusProof throughput beside the bare FALCON-1024 verify
 * rate measured in the same run (issue 3 target with `test`: ≥ 0.75×).
 * Runs on the fastest kernel node-host can load (native > WASM > ts).
 */
import { createHash } from 'node:crypto'
import { falcon1024 } from '@noble/post-quantum/falcon.js'
import type { BenchOptions, BenchRow } from './_harness.ts'
import { median, rateRow, latencyRow } from './_harness.ts'
import { proofsKernel } from '../../node-host/proofs/kernel.ts'
import { generateKeyPair, nodeIdOf } from '../../ts/identity/index.ts'
import { createConsensusProof, verifyConsensusProof } from '../../ts/proofs/bundle.ts'
import { encodeConsensusProof } from '../../ts/proofs/encoding.ts'
import { MemoryPlotStore } from '../../ts/proofs/plot.ts'
import { PRESETS } from '../../ts/proofs/params.ts'
import type { PresetName } from '../../ts/proofs/params.ts'
import { WORK_KINDS } from '../../ts/proofs/constants.ts'
import { workPrefix } from '../../ts/proofs/work.ts'
import type { OperationRef, VerifierContext } from '../../ts/proofs/types.ts'

const sha = (s: string): Uint8Array => new Uint8Array(createHash('sha256').update(s).digest())

/**
 * Rates of a and b measured in many short alternating rounds, so that load
 * from other processes on a shared machine hits both alike; medians.
 */
function alternate (a: () => unknown, b: () => unknown, rounds: number, ms: number): [number, number] {
  const ra: number[] = []; const rb: number[] = []
  const rate = (f: () => unknown): number => {
    let n = 0; const t0 = performance.now(); let t = t0
    while (t - t0 < ms) { f(); n++; t = performance.now() }
    return n / ((t - t0) / 1000)
  }
  rate(a); rate(b)
  for (let i = 0; i < rounds; i++) { ra.push(rate(a)); rb.push(rate(b)) }
  return [median(ra), median(rb)]
}

export async function run (opts: BenchOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  const kernel = await proofsKernel()
  opts.log(`kernel: ${kernel.name}`)

  // Kernel rates for the two hot loops, beside node:crypto.
  const prefix = workPrefix(sha('bench-op'), WORK_KINDS.Modify) // one block: midstate + 1 compression per nonce
  const powN = opts.quick ? 1 << 18 : 1 << 21
  kernel.powSearch(prefix, 256, 0, 1 << 14)
  let t = performance.now(); kernel.powSearch(prefix, 256, 0, powN); const powRate = powN / ((performance.now() - t) / 1000)
  const buf = Buffer.alloc(72); buf.set(prefix); let nodePow = 0; t = performance.now()
  for (let n = 0; n < 200_000; n++) { buf.writeUInt32BE(n, 68); createHash('sha256').update(buf).digest(); nodePow++ }
  const nodePowRate = nodePow / ((performance.now() - t) / 1000)
  rows.push(rateRow(`PoW nonces/s (${kernel.name})`, powRate, 'nonces/s', 'node:crypto per nonce', nodePowRate))
  const chainN = opts.quick ? 1 << 20 : 1 << 23
  kernel.vdfSegment(sha('w'), 1 << 14)
  t = performance.now(); kernel.vdfSegment(sha('c'), chainN); const chainRate = chainN / ((performance.now() - t) / 1000)
  let x: Buffer = Buffer.from(sha('c')); t = performance.now()
  for (let i = 0; i < 200_000; i++) x = createHash('sha256').update(x).digest()
  const nodeChainRate = 200_000 / ((performance.now() - t) / 1000)
  rows.push(rateRow(`PoTime chain steps/s (${kernel.name})`, chainRate, 'steps/s', 'node:crypto chain', nodeChainRate))

  // Identity and a bare FALCON-1024 baseline.
  const keys = generateKeyPair(new Uint8Array(48).fill(3))
  const nodeId = nodeIdOf(keys.publicKey)
  const fmsg = sha('falcon baseline')
  const fsig = falcon1024.sign(fmsg, keys.secretKey)
  const signTimes: number[] = []
  for (let i = 0; i < 25; i++) {
    const m = sha(`falcon sign ${i}`)
    t = performance.now(); falcon1024.sign(m, keys.secretKey); if (i >= 5) signTimes.push(performance.now() - t)
  }
  const signMs = median(signTimes)

  const presets: PresetName[] = opts.quick ? ['dev', 'test'] : ['dev', 'test', 'production']
  for (const name of presets) {
    const P = PRESETS[name]
    t = performance.now()
    const plot = MemoryPlotStore.build(kernel, nodeId, 0, P.space.log2Size)
    const buildMs = performance.now() - t
    const n = 2 ** P.space.log2Size
    // labels hash 104 bytes (2 blocks), tree nodes 64 bytes (2 blocks): ≈ 4n compressions at the chain's per-block rate
    rows.push(latencyRow(`plot build 2^${P.space.log2Size} labels (${name})`, buildMs, 'ms', 'predicted at chain rate (4n blocks)', (4 * n / chainRate) * 1000))
    const anchor = sha(`anchor-${name}`)
    const op: OperationRef = { opHash: sha(`op-${name}`), kind: WORK_KINDS.Modify }
    const times: number[] = []
    let bytes: Uint8Array = new Uint8Array(0)
    const reps = name === 'production' ? 1 : opts.quick ? 3 : 5
    for (let i = 0; i < reps; i++) {
      const o = { ...op, opHash: sha(`op-${name}-${i}`) }
      t = performance.now()
      const proof = await createConsensusProof(o, { latest: anchor, identity: keys, plot, position: { zone: 'bench', address: new Uint8Array(16) }, sequence: i + 1 }, { kernel, preset: P })
      times.push(performance.now() - t)
      if (i === 0) { bytes = encodeConsensusProof(proof); op.opHash = o.opHash }
    }
    const predicted = (P.time.steps / chainRate + 2 ** P.workBits[op.kind] / powRate) * 1000 + signMs
    rows.push(latencyRow(`createConsensusProof (${name}, Modify)`, median(times), 'ms', 'predicted: T/chain + 2^bits/PoW + FALCON sign', predicted,
      `T=${P.time.steps} k=${P.time.checkpoints} bits=${P.workBits[op.kind]} plot 2^${P.space.log2Size}; ${bytes.length} B`))

    const ctx: VerifierContext = {
      chain: { isFresh: () => true },
      registry: {
        standingOf: () => ({ publicKey: keys.publicKey, stake: 1n, authority: 1, permissions: 0 }),
        plotOf: () => ({ log2Size: P.space.log2Size, root: plot.info.root }),
        requirementFor: () => ({ minStake: 0n, minAuthority: 0 })
      },
      sequences: { lastSequence: () => undefined }
    }
    if (!verifyConsensusProof(bytes, op, ctx, { kernel, preset: P })) throw new Error(`bench: ${name} proof does not verify`)
    if (name === 'production') {
      t = performance.now(); verifyConsensusProof(bytes, op, ctx, { kernel, preset: P }); const ms = performance.now() - t
      rows.push(latencyRow('verifyConsensusProof (production)', ms, 'ms', 'bare FALCON-1024 verify', 1000 / alternate(() => falcon1024.verify(fsig, fmsg, keys.publicKey), () => 0, 5, 100)[0]))
      continue
    }
    const [vr, fr] = alternate(() => verifyConsensusProof(bytes, op, ctx, { kernel, preset: P }), () => falcon1024.verify(fsig, fmsg, keys.publicKey), opts.quick ? 15 : 41, 100)
    rows.push(rateRow(`verifyConsensusProof/s per core (${name})`, vr, 'proofs/s', 'bare FALCON-1024 verify/s', fr, name === 'test' ? 'target ratio ≥ 0.75' : undefined))
    opts.log(`${name}: generate ${median(times).toFixed(1)} ms, verify ${vr.toFixed(0)}/s vs FALCON ${fr.toFixed(0)}/s (${(vr / fr).toFixed(3)})`)
  }
  return rows
}
