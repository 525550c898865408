/**
 * TrustChain log benchmark: batched appends/s into a TransparencyLog on
 * in-memory storage (leaf hash + amortised one node hash per entry, no
 * fsync — the durable LevelDB figure belongs to node-host) and inclusion /
 * consistency proof verifications/s, each beside the bare @noble/hashes
 * SHA-256 rate of the same-sized input measured in the same run (the cost
 * floor: an append is ~2 hashes, a proof verify in a 2^16 tree ~17).
 * Also a checkpoint opened with Ed25519 + FALCON-1024 log signatures and 3
 * cosignatures, beside a bare Ed25519 verify.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { ed25519 } from '@noble/curves/ed25519.js'
import type { BenchOptions, BenchRow } from './_harness.ts'
import { median, rateRow, latencyRow } from './_harness.ts'
import {
  TransparencyLog, MemoryLogStorage, verifyInclusion, verifyConsistency,
  ed25519Signer, ed25519Verifier, falconSigner, falconVerifier, cosignatureSigner, cosignatureVerifier, addNoteSignatures, openCheckpoint
} from '../../ts/trustchain/log/index.ts'
import { testKeyPair } from '../fixtures/keys.ts'

/** Alternating short rounds of a and b so machine load hits both alike; median rates (ops/s). */
async function alternate (a: () => unknown, b: () => unknown, opsA: number, opsB: number, rounds: number, ms: number): Promise<[number, number]> {
  const rate = async (f: () => unknown, ops: number): Promise<number> => {
    let n = 0; const t0 = performance.now(); let t = t0
    while (t - t0 < ms) { const r = f(); if (r instanceof Promise) await r; n++; t = performance.now() }
    return (n * ops) / ((t - t0) / 1000)
  }
  await rate(a, opsA); await rate(b, opsB)
  const ra: number[] = []; const rb: number[] = []
  for (let i = 0; i < rounds; i++) { ra.push(await rate(a, opsA)); rb.push(await rate(b, opsB)) }
  return [median(ra), median(rb)]
}

export async function run (opts: BenchOptions): Promise<BenchRow[]> {
  const rounds = opts.quick ? 3 : 7
  const ms = opts.quick ? 150 : 400
  const rows: BenchRow[] = []
  const ORIGIN = 'bench.mesh/log'

  // Appends: batches of 1000 entries of 100 bytes.
  const BATCH = 1000
  const entries = Array.from({ length: BATCH }, (_, i) => { const e = new Uint8Array(100); e[0] = i & 255; e[1] = i >> 8; return e })
  let log = await TransparencyLog.open(new MemoryLogStorage(), { origin: ORIGIN, maxBatch: BATCH })
  const msg100 = new Uint8Array(101)
  const [appendRate, shaRate101] = await alternate(async () => {
    if (log.size > 200_000) log = await TransparencyLog.open(new MemoryLogStorage(), { origin: ORIGIN, maxBatch: BATCH })
    await log.appendMany(entries)
  }, () => sha256(msg100), BATCH, 1, rounds, ms)
  opts.log(`tlog appends ${appendRate.toFixed(0)}/s, sha256(101 B) ${shaRate101.toFixed(0)}/s`)
  rows.push(rateRow('tlog batched appends (memory storage, 100 B entries, batches of 1000)', appendRate, 'appends/s', 'bare SHA-256 of 101 B (@noble/hashes)', shaRate101, '~2 SHA-256 per append; durable LevelDB appends are node-host\'s figure'))

  // Proof verification in a 2^16-entry tree.
  const N = 65_536
  const big = await TransparencyLog.open(new MemoryLogStorage(), { origin: ORIGIN, maxBatch: N, maxPending: N })
  await big.appendMany(Array.from({ length: N }, (_, i) => { const e = new Uint8Array(100); new DataView(e.buffer).setUint32(0, i); return e }))
  const root = big.root()
  const idx = [1, 777, 31_000, 65_535]
  const proofs = idx.map((i) => ({ i, leaf: big.leafHash(i), proof: big.inclusionProof(i) }))
  let k = 0
  const msg65 = new Uint8Array(65)
  const [inclRate, shaRate65] = await alternate(() => {
    const p = proofs[k++ & 3]
    if (!verifyInclusion(p.i, N, p.leaf, p.proof, root)) throw new Error('proof failed')
  }, () => sha256(msg65), 1, 1, rounds, ms)
  opts.log(`inclusion verify ${inclRate.toFixed(0)}/s, sha256(65 B) ${shaRate65.toFixed(0)}/s`)
  rows.push(rateRow('tlog inclusion proof verify (tree of 2^16, 16-hash proofs)', inclRate, 'verifies/s', 'bare SHA-256 of 65 B (@noble/hashes)', shaRate65, 'floor is sha/16'))

  const cons = big.consistencyProof(40_000, N)
  const r1 = big.root(40_000)
  const [consRate, shaRate65b] = await alternate(() => {
    if (!verifyConsistency(40_000, N, r1, root, cons)) throw new Error('proof failed')
  }, () => sha256(msg65), 1, 1, rounds, ms)
  rows.push(rateRow('tlog consistency proof verify (40,000 → 65,536)', consRate, 'verifies/s', 'bare SHA-256 of 65 B (@noble/hashes)', shaRate65b, `${cons.length}-hash proof`))

  // Checkpoint: Ed25519 + FALCON-1024 log signatures + 3 cosignatures, opened with the full policy.
  const kp = testKeyPair(0)
  const ed = ed25519Signer(ORIGIN, new Uint8Array(32).fill(1))
  const fal = falconSigner(ORIGIN, kp.secretKey, kp.publicKey)
  const cos = [1, 2, 3].map((i) => cosignatureSigner(`v${i}.mesh`, new Uint8Array(32).fill(10 + i)))
  const note = addNoteSignatures(big.checkpoint([ed, fal]).note, cos)
  const policy = { origin: ORIGIN, log: [ed25519Verifier(ORIGIN, ed.publicKey), falconVerifier(ORIGIN, kp.publicKey)], cosigners: cos.map((c) => cosignatureVerifier(c.name, c.publicKey)), quorum: 3 }
  const edMsg = new Uint8Array(80); const edSig = ed25519.sign(edMsg, new Uint8Array(32).fill(1))
  const [cpRate, edRate] = await alternate(() => openCheckpoint(note, policy), () => ed25519.verify(edSig, edMsg, ed.publicKey), 1, 1, rounds, ms)
  const cpMs = 1000 / cpRate
  const edMs = 1000 / edRate
  rows.push(latencyRow('tlog checkpoint open (Ed25519 + FALCON-1024 + 3 cosignatures)', cpMs, 'ms', 'bare Ed25519 verify (@noble/curves)', edMs, '4 Ed25519 + 1 FALCON verify'))
  return rows
}
