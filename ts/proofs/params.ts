/**
 * Proof parameters and the three presets, in one place.
 *
 * Rates used in the arithmetic (this machine, one core; node-host/native
 * README and test/perf/proofs.bench.ts, measured 2026-11-24):
 *   native addon   PoW 78 M nonces/s (AVX-512 16-way; 38 M/s SHA-NI alone),
 *                  chain 24.6 M steps/s (SHA-NI)  ← the fastest honest prover
 *                  (ENVIRONMENT.md's first C loop: 35 M/s PoW, 20 M/s chain)
 *   WASM SIMD      PoW ≈ 13.6 M nonces/s, chain ≈ 6.6 M steps/s, ≈ 5 M one-block hashes/s
 *   FALCON-1024 verify ≈ 740–1 350/s (0.75–1.35 ms; load-dependent here)
 * The PoW prefix is one 64-byte block, so a try is one compression after
 * the midstate. A chain step is one compression (32-byte message).
 * A "hash" below is one SHA-256 compression (64-byte block). A plot label
 * hashes 104 bytes = 2 compressions; a Merkle node 64 bytes = 1 (+1 padding
 * block, counted as 2 in the totals to stay honest about real cost).
 *
 * Security, per proof (derivations in the preset comments):
 * - PoWork: expected 2^bits tries to find a nonce; verification is 1 hash.
 * - PoTime: the prover cannot skip chain steps unnoticed: a chain with f
 *   faked segments out of k escapes the s distinct Fiat–Shamir samples with
 *   probability C(k-f, s) / C(k, s) ≤ (1 - f/k)^s. Because the samples come
 *   from a hash of the checkpoints, a cheater can grind (re-roll the faked
 *   checkpoints, one FS hash of k·32 bytes per roll), so skipping a fraction
 *   φ of the work pays only while (1-φ)^(-s) · (k/2 + 1) < φ · T. The
 *   "effective sequential work" figure below is T·(1 - φ*) at the break-even φ*.
 *   (Re-rolling the *operation* instead re-seeds the chain: a full T per roll.)
 * - PoSpace: each challenge opens L[c], L[c-1], L[p(c)] and the verifier
 *   checks the labelling relation. Without the two parent openings a prover
 *   could commit a tree over cheap leaves (e.g. H(i)) and pass without ever
 *   labelling; with them, a plot where a fraction e of labels break the
 *   relation passes C challenges with probability ≤ (1-e)^C. A prover that
 *   kept only a fraction q of its leaf pairs (whole Merkle pairs, since a path
 *   needs the sibling) and does not recompute needs pair(c), pair(c-1),
 *   pair(p(c)): 2 distinct pairs when c is odd, 3 when c is even, so one
 *   challenge passes with ≈ ½q² + ½q³ (q = ½: 3/16) — versus q if only L[c]
 *   were opened — and C challenges with (½q² + ½q³)^C.
 *   Limit (honest about the construction): the graph (predecessor + one
 *   random parent) is not depth-robust. A prover that recomputes a missing
 *   label needs its two parents, each missing with probability 1-q: a
 *   branching process with mean 2(1-q), so for q > ½ a missing label costs
 *   about 1/(2q-1) hashes on average. PoSpace therefore proves that the
 *   plot bound to this identity was built (n labels, 2n hashes) and that
 *   most of it is kept, not that every byte is kept. Challenges depend on
 *   opHash and the anchor, which also seed PoTime and PoWork, so re-rolling
 *   the challenges costs a whole PoTime chain and PoWork search per roll.
 * @module
 */
import { InvalidArgumentError } from '../errors.ts'
import type { WorkKind } from './constants.ts'
import { MAX_CHECKPOINTS, MAX_PLOT_LOG2, MAX_SPACE_CHALLENGES, MIN_PLOT_LOG2, WORK_KIND_NAMES } from './constants.ts'

export interface SpaceParams {
  /** Plot size n = 2^log2Size labels (32 bytes each; the stored tree is 2n-1 nodes). */
  readonly log2Size: number
  /** Challenges per proof. */
  readonly challenges: number
}

export interface TimeParams {
  /** Chain length T (sequential SHA-256 steps); a multiple of `checkpoints`. */
  readonly steps: number
  /** Number of checkpoints k carried in the proof. */
  readonly checkpoints: number
  /** Segments s the verifier recomputes, chosen by Fiat–Shamir (distinct, s ≤ k). */
  readonly samples: number
}

export interface ProofParams {
  readonly name: string
  /** PoWork difficulty (leading zero bits) per work kind, indexed by WorkKind. */
  readonly workBits: readonly number[]
  readonly time: TimeParams
  readonly space: SpaceParams
  /** Largest accepted |prover timestamp − verifier clock| in µs. */
  readonly maxClockSkewMicros: number
}

export type PresetName = 'dev' | 'test' | 'production'

/**
 * dev — local runs and unit tests; every part costs milliseconds even on the
 * TypeScript reference kernel. No security intended.
 *  - PoWork: Genesis 10 bits (1 024 tries), others 8 bits (256 tries):
 *    native 13 µs / 3 µs, WASM 75 µs / 19 µs. Verify: 1 hash.
 *  - PoTime: T = 4 096, k = 64, s = 8 → segment 64 steps. Produce: 4 096
 *    hashes (0.17 ms native, 0.6 ms WASM). Verify: 8·64 = 512 chain hashes +
 *    FS over 2 KiB (33) ≈ 550 hashes. One faked segment escapes with
 *    C(63,8)/C(64,8) = 56/64 = 0.875; grinding pays up to φ* ≈ 0.38.
 *    Proof 2 KiB.
 *  - PoSpace: n = 2^10, 4 challenges. Build: 2·1 024 + 2·1 023 ≈ 4 k hashes.
 *    Verify: 4·(3·10·2 + 2) = 248 hashes. Half-plot prover (no recompute)
 *    passes with (3/16)^4 ≈ 1.2·10^-3.
 */
const DEV: ProofParams = Object.freeze({
  name: 'dev',
  workBits: Object.freeze([10, 8, 8, 8, 8, 8]),
  time: Object.freeze({ steps: 4096, checkpoints: 64, samples: 8 }),
  space: Object.freeze({ log2Size: 10, challenges: 4 }),
  maxClockSkewMicros: 30_000_000
})

/**
 * test — integration tests and the verification-throughput target: full
 * verification must reach ≥ 0.75× the bare FALCON-1024 verify rate, so the
 * three hash proofs must verify in well under ~0.45 ms on WASM.
 *  - PoWork: Genesis 16 bits (65 536 tries: 0.84 ms native, 4.8 ms WASM),
 *    others 12 bits (4 096 tries: 53 µs native, 0.3 ms WASM). Verify: 1 hash.
 *  - PoTime: T = 4 096, k = 128, s = 12 → segment 32 steps. Produce: 0.17 ms
 *    native, 0.62 ms WASM. Verify: 12·32 = 384 chain hashes + FS over 4 KiB
 *    (65) ≈ 450 hashes (the time digest reuses the FS root). One faked
 *    segment escapes with 1 − 12/128 = 0.906 (and saves 1/128); half faked:
 *    C(64,12)/C(128,12) ≈ 2^-12.6 per FS roll. Grinding: (1-φ)^-12 · 65 <
 *    φ · 4 096 up to φ* ≈ 0.18 → effective sequential work ≈ 0.82·T.
 *    Proof 4 KiB.
 *  - PoSpace: n = 2^14 (tree 1 MiB), 4 challenges. Build ≈ 2·16 384 +
 *    2·16 383 ≈ 65 k hashes (≈ 3 ms native, ≈ 12 ms WASM). Verify:
 *    4·(3·14·2 + 2) = 344 hashes (≈ 260 when c is odd: c−1's path is
 *    shared) + the part digest over ≈ 6 KiB (≈ 95). Half-plot prover (no
 *    recompute): (3/16)^4 ≈ 1.2·10^-3 per proof.
 *  - Whole proof verify ≈ 900 hashes + decode: measured (test/perf/
 *    proofs.bench.ts, everything but the signature) ≈ 70–100 µs native,
 *    ≈ 200 µs WASM SIMD, beside FALCON-1024's 0.75–1.35 ms: 0.83–0.94× the
 *    bare signature rate on native, 0.76–0.78× on WASM SIMD.
 *    This preset trades security for that throughput target; only
 *    `production` is meant to resist a motivated prover.
 */
const TEST: ProofParams = Object.freeze({
  name: 'test',
  workBits: Object.freeze([16, 12, 12, 12, 12, 12]),
  time: Object.freeze({ steps: 4096, checkpoints: 128, samples: 12 }),
  space: Object.freeze({ log2Size: 14, challenges: 4 }),
  maxClockSkewMicros: 30_000_000
})

/**
 * production — calibrated to the fastest honest prover (native addon, one core).
 *  - PoWork (expected work 2^bits; native 78 M/s, WASM SIMD 13.6 M/s; all
 *    cores of this 2-core machine ≈ 145 M/s, so halve the native times there):
 *    Genesis 31 bits: 2^31 ≈ 2.1·10^9 tries → 27.5 s native, 2.6 min WASM
 *      (registering an identity/asset is rare and must be expensive to spam).
 *    Modify 23: 8.4 M tries → 0.11 s native, 0.62 s WASM.
 *    Delete 21: 2.1 M tries → 27 ms native, 0.15 s WASM.
 *    Storage 25, Compute 25: 33.6 M → 0.43 s native, 2.5 s WASM.
 *    Network 23: 0.11 s native, 0.62 s WASM.
 *    Verify: 1 hash.
 *  - PoTime: T = 2^24 = 16 777 216, k = 2 048, s = 32 → segment 8 192 steps.
 *    Produce: ≥ 0.68 s on the fastest honest core (24.6 M/s; a chain does
 *    not parallelise), 2.5 s WASM — this is the "WHEN" delay. Verify:
 *    32·8 192 = 262 144 chain hashes (10.7 ms native, 40 ms WASM; segments
 *    are independent, so node-host can split them over cores) + FS over
 *    64 KiB (1 025). Half faked: 2^-32 per FS roll. Grinding: (1-φ)^-32 ·
 *    1 025 < φ·2^24 holds up to φ* ≈ 0.22 → effective sequential work ≈
 *    0.78·T ≈ 0.53 s native. One faked segment escapes with 1 − 32/2048 =
 *    0.984 (and saves 1/2048). Proof 64 KiB.
 *  - PoSpace: n = 2^22 (128 MiB of labels, 256 MiB tree on disk), 16
 *    challenges. Build ≈ 2·2^22·2 ≈ 16.8 M hashes (≈ 0.7 s native; measured
 *    7 s on WASM including copies). Verify: 16·(3·22·2 + 2) = 2 144 hashes.
 *    Half-plot prover (no recompute): (3/16)^16 ≈ 2^-38.6; a plot with 10 %
 *    bad labels passes with 0.9^16 ≈ 0.19 per proof, 10^-2 after three
 *    proofs. Proof ≈ 35 KiB (whole ConsensusProof ≈ 100 KB, under the
 *    ledger's 256 KiB MAX_PROOF_BYTES).
 *  - Measured (bench, WASM SIMD): generation 5.9 s with the plot already
 *    built, verification 44 ms.
 */
const PRODUCTION: ProofParams = Object.freeze({
  name: 'production',
  workBits: Object.freeze([31, 23, 21, 25, 25, 23]),
  time: Object.freeze({ steps: 1 << 24, checkpoints: 2048, samples: 32 }),
  space: Object.freeze({ log2Size: 22, challenges: 16 }),
  maxClockSkewMicros: 30_000_000
})

/** The presets, frozen. */
export const PRESETS: Readonly<Record<PresetName, ProofParams>> = Object.freeze({ dev: DEV, test: TEST, production: PRODUCTION })

/** Throws InvalidArgumentError unless `p` is a consistent parameter set. */
export function checkParams (p: ProofParams): ProofParams {
  const bad = (m: string): never => { throw new InvalidArgumentError(`proof params ${p?.name ?? '?'}: ${m}`) }
  if (p === null || typeof p !== 'object') bad('not an object')
  if (!Array.isArray(p.workBits) || p.workBits.length !== WORK_KIND_NAMES.length) bad(`workBits must have ${WORK_KIND_NAMES.length} entries`)
  for (const b of p.workBits) if (!Number.isInteger(b) || b < 0 || b > 64) bad(`work bits ${b} not in [0, 64]`)
  const { steps, checkpoints, samples } = p.time
  if (!Number.isInteger(checkpoints) || checkpoints < 1 || checkpoints > MAX_CHECKPOINTS) bad(`checkpoints ${checkpoints} not in [1, ${MAX_CHECKPOINTS}]`)
  if (!Number.isSafeInteger(steps) || steps < checkpoints || steps % checkpoints !== 0) bad(`steps ${steps} must be a positive multiple of checkpoints`)
  if (!Number.isInteger(samples) || samples < 1 || samples > checkpoints) bad(`samples ${samples} not in [1, checkpoints]`)
  const { log2Size, challenges } = p.space
  if (!Number.isInteger(log2Size) || log2Size < MIN_PLOT_LOG2 || log2Size > MAX_PLOT_LOG2) bad(`log2Size ${log2Size} not in [${MIN_PLOT_LOG2}, ${MAX_PLOT_LOG2}]`)
  if (!Number.isInteger(challenges) || challenges < 1 || challenges > MAX_SPACE_CHALLENGES) bad(`challenges ${challenges} not in [1, ${MAX_SPACE_CHALLENGES}]`)
  if (!Number.isSafeInteger(p.maxClockSkewMicros) || p.maxClockSkewMicros < 0) bad('maxClockSkewMicros must be a non-negative integer')
  return p
}

/** A preset by name, or the given parameters after checking them. */
export function resolveParams (preset: PresetName | ProofParams): ProofParams {
  if (typeof preset === 'string') {
    const p = (PRESETS as Record<string, ProofParams>)[preset]
    if (p === undefined) throw new InvalidArgumentError(`unknown proof preset ${JSON.stringify(preset)}`)
    return p
  }
  return checkParams(preset)
}

/** PoWork difficulty for a kind under `p`. */
export function workBitsFor (p: ProofParams, kind: WorkKind): number {
  return p.workBits[kind]
}
