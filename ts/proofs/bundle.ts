/**
 * ConsensusProof: the four proofs for one operation, their digests, the
 * combined hash, generation and the one verification entry point.
 */
import { InvalidArgumentError } from '../errors.ts'
import type { Kernel } from '../wasm/kernel.ts'
import { nodeIdOf } from '../identity/index.ts'
import { HASH_BYTES, isWorkKind, PROOF_DOMAINS } from './constants.ts'
import { decodeConsensusProofSpans, encodeConsensusProof, TIME_HEAD_BYTES } from './encoding.ts'
import type { PresetName, ProofParams } from './params.ts'
import { resolveParams } from './params.ts'
import type { PlotStore } from './plot.ts'
import { proveSpace, verifySpace } from './space.ts'
import type { OtherDigests } from './stake.ts'
import { proveStake, standingSuffices, verifyStakeSignature } from './stake.ts'
import { computeChain, sampleFromRoot, timeSampleRoot, timeSeed, verifyChain } from './time.ts'
import type { ConsensusProof, NetworkPosition, OperationRef, ProofProgress, TimeProof, VerifierContext } from './types.ts'
import { proveWork, verifyWork } from './work.ts'
import type { NonceSearch } from './work.ts'
import { bytesEqual, concatBytes, isBytes } from './_util.ts'

/** What the prover brings besides the operation. */
export interface ProverContext {
  /** Hash of a recently finalized block (the anchor; must be fresh for the verifier). */
  latest: Uint8Array
  /** The node's FALCON-1024 key pair (ts/identity). */
  identity: { publicKey: Uint8Array, secretKey: Uint8Array }
  /** The node's plot (registered root on the ledger). */
  plot: PlotStore
  position: NetworkPosition
  /** This node's next sequence number (greater than any it used before). */
  sequence: number
  /** Prover's clock in µs since the epoch (default Date.now() · 1000). */
  nowMicros?: () => number
}

export interface CreateProofOptions {
  kernel: Kernel
  preset: PresetName | ProofParams
  signal?: AbortSignal
  onProgress?: (p: ProofProgress) => void
  /** PoWork search over more cores (node-host: parallelPowSearch); default: chunked kernel.powSearch. */
  searchWork?: NonceSearch
}

export interface VerifyProofOptions {
  kernel: Kernel
  preset: PresetName | ProofParams
}

const defaultNow = (): number => Date.now() * 1000

function sha (kernel: Kernel, ...parts: Uint8Array[]): Uint8Array {
  return kernel.sha256(concatBytes(...parts))
}

type Spans = ReturnType<typeof decodeConsensusProofSpans>['spans']

/**
 * Time digest: H(D ‖ anchor ‖ u64be(timestamp) ‖ u64be(sequence) ‖ u32be(k) ‖ r)
 * with r = timeSampleRoot(seed, checkpoints), the Fiat–Shamir root that
 * already commits to every checkpoint (so the verifier hashes them once).
 * `head` is the canonical time encoding up to the checkpoints (52 bytes).
 */
function timeDigestOf (kernel: Kernel, head: Uint8Array, root: Uint8Array): Uint8Array {
  return sha(kernel, PROOF_DOMAINS.timeDigest, head, root)
}

function digestsFromBytes (kernel: Kernel, bytes: Uint8Array, spans: Spans, timeRoot: Uint8Array): OtherDigests & { stake: Uint8Array } {
  const part = (s: [number, number]): Uint8Array => bytes.subarray(s[0], s[1])
  return {
    space: sha(kernel, PROOF_DOMAINS.spaceDigest, part(spans.space)),
    stake: sha(kernel, PROOF_DOMAINS.stakeDigest, part(spans.stake)),
    work: sha(kernel, PROOF_DOMAINS.workDigest, part(spans.work)),
    time: timeDigestOf(kernel, bytes.subarray(spans.time[0], spans.time[0] + TIME_HEAD_BYTES), timeRoot)
  }
}

function rootOf (kernel: Kernel, opHash: Uint8Array, time: TimeProof): Uint8Array {
  return timeSampleRoot(kernel, timeSeed(kernel, opHash, time.anchor), time.checkpoints)
}

/**
 * Per-part digests of a proof for `opHash`: space, stake and work are
 * H(D_part ‖ canonical(part)); time is described at timeDigestOf.
 */
export function proofDigests (kernel: Kernel, p: ConsensusProof, opHash: Uint8Array): OtherDigests & { stake: Uint8Array } {
  const bytes = encodeConsensusProof(p)
  const { spans } = decodeConsensusProofSpans(bytes)
  return digestsFromBytes(kernel, bytes, spans, rootOf(kernel, opHash, p.time))
}

/** combinedHash = H(D ‖ opHash ‖ spaceDigest ‖ stakeDigest ‖ workDigest ‖ timeDigest): binds all four to the operation. */
export function combinedHash (kernel: Kernel, proof: ConsensusProof, opHash: Uint8Array): Uint8Array {
  if (!isBytes(opHash, HASH_BYTES)) throw new InvalidArgumentError('opHash must be 32 bytes')
  const d = proofDigests(kernel, proof, opHash)
  return sha(kernel, PROOF_DOMAINS.combined, opHash, d.space, d.stake, d.work, d.time)
}

function checkOp (op: OperationRef): void {
  if (!isBytes(op?.opHash, HASH_BYTES)) throw new InvalidArgumentError('op.opHash must be 32 bytes')
  if (!isWorkKind(op.kind)) throw new InvalidArgumentError(`op.kind ${String(op.kind)} is not a WorkKind`)
  if (op.permissions !== undefined && (!Number.isInteger(op.permissions) || op.permissions < 0 || op.permissions > 0xffffffff)) throw new InvalidArgumentError('op.permissions must be a u32')
}

/**
 * Produces all four proofs for `op`. Long parts (PoTime chain, PoWork
 * search) run in chunks, report progress and stop with AbortError.
 * For long presets call it off the main thread (node-host/proofs/worker.ts).
 */
export async function createConsensusProof (op: OperationRef, ctx: ProverContext, opts: CreateProofOptions): Promise<ConsensusProof> {
  checkOp(op)
  const { kernel, signal, onProgress } = opts
  const params = resolveParams(opts.preset)
  if (!isBytes(ctx.latest, HASH_BYTES)) throw new InvalidArgumentError('ctx.latest must be 32 bytes')
  if (!Number.isSafeInteger(ctx.sequence) || ctx.sequence < 0) throw new InvalidArgumentError('ctx.sequence must be a non-negative safe integer')
  const nodeId = nodeIdOf(ctx.identity.publicKey)
  if (!bytesEqual(ctx.plot.info.nodeId, nodeId)) throw new InvalidArgumentError('ctx.plot belongs to another node')
  if (ctx.plot.info.log2Size < params.space.log2Size) throw new InvalidArgumentError(`plot has 2^${ctx.plot.info.log2Size} labels; preset ${params.name} needs ≥ 2^${params.space.log2Size}`)

  const seed = timeSeed(kernel, op.opHash, ctx.latest)
  const checkpoints = await computeChain(kernel, seed, params.time.steps, params.time.checkpoints, { signal, onProgress })
  const work = await proveWork(kernel, op.opHash, op.kind, params.workBits[op.kind], { signal, onProgress, ...(opts.searchWork !== undefined ? { search: opts.searchWork } : {}) })
  onProgress?.({ phase: 'space', done: 0, total: params.space.challenges })
  const space = await proveSpace(kernel, ctx.plot, op.opHash, ctx.latest, params.space.challenges, ctx.position)
  onProgress?.({ phase: 'space', done: params.space.challenges, total: params.space.challenges })
  const timestampMicros = Math.floor((ctx.nowMicros ?? defaultNow)())
  const time = { anchor: ctx.latest.slice(), timestampMicros, sequence: ctx.sequence, checkpoints }
  const placeholder = { nodeId, signature: new Uint8Array(0) }
  const d = proofDigests(kernel, { space, stake: placeholder, work, time }, op.opHash)
  const stake = proveStake(ctx.identity.secretKey, ctx.identity.publicKey, op.opHash, op.kind, d)
  onProgress?.({ phase: 'stake', done: 1, total: 1 })
  return { space, stake, work, time }
}

/** Which check a proof failed (first failing check, cheapest first). */
export type ProofFailure =
  | 'shape' | 'work' | 'clock' | 'freshness' | 'sequence' | 'standing' | 'plot' | 'space' | 'time' | 'signature'

export type ProofCheck = { ok: true } | { ok: false, reason: ProofFailure }

interface Pending {
  bytes: Uint8Array
  spans: Spans
  p: ConsensusProof
  publicKey: Uint8Array
  seed: Uint8Array
  root: Uint8Array
  params: ProofParams
}

/** Every check before the PoTime segments; a failure, or what the last two steps need. */
function checkBeforeTime (proof: Uint8Array | ConsensusProof, op: OperationRef, ctx: VerifierContext, opts: VerifyProofOptions): ProofCheck | Pending {
  checkOp(op)
  const { kernel } = opts
  const params = resolveParams(opts.preset)
  // Canonical bytes (an object goes through the encoder, which validates its shape); zero-copy decode.
  const bytes = proof instanceof Uint8Array ? proof : encodeConsensusProof(proof)
  const { proof: p, spans } = decodeConsensusProofSpans(bytes)
  const fail = (reason: ProofFailure): ProofCheck => ({ ok: false, reason })

  if (p.time.checkpoints.length !== params.time.checkpoints * HASH_BYTES || p.space.openings.length !== params.space.challenges) return fail('shape')
  if (!verifyWork(kernel, p.work, op.opHash, op.kind, params.workBits[op.kind])) return fail('work')
  const now = (ctx.nowMicros ?? defaultNow)()
  if (Math.abs(p.time.timestampMicros - now) > params.maxClockSkewMicros) return fail('clock')
  if (!ctx.chain.isFresh(p.time.anchor)) return fail('freshness')
  const nodeId = p.stake.nodeId
  const last = ctx.sequences.lastSequence(nodeId)
  if (last !== undefined && p.time.sequence <= last) return fail('sequence')
  const standing = ctx.registry.standingOf(nodeId)
  if (standing === undefined || !standingSuffices(standing, ctx.registry.requirementFor(op.kind), op.permissions ?? 0)) return fail('standing')
  const plot = ctx.registry.plotOf(nodeId, p.space.plotIndex)
  if (plot === undefined) return fail('plot')
  if (!verifySpace(kernel, p.space, op.opHash, p.time.anchor, nodeId, plot, params.space.challenges, params.space.log2Size)) return fail('space')
  const seed = timeSeed(kernel, op.opHash, p.time.anchor)
  const root = timeSampleRoot(kernel, seed, p.time.checkpoints)
  return { bytes, spans, p, publicKey: standing.publicKey, seed, root, params }
}

function checkSignature (kernel: Kernel, op: OperationRef, s: Pending): ProofCheck {
  const d = digestsFromBytes(kernel, s.bytes, s.spans, s.root)
  if (!verifyStakeSignature(s.p.stake, s.publicKey, op.opHash, op.kind, d)) return { ok: false, reason: 'signature' }
  return { ok: true }
}

/**
 * Checks everything, cheapest first (so junk costs the sender more than the
 * verifier): shape, PoWork (1 hash), clock window, anchor freshness,
 * sequence, registry standing and plot (lookups), PoSpace (hundreds of
 * hashes), PoTime segments (≈ s·T/k hashes), FALCON-1024 signature last.
 * Throws DecodeError for malformed bytes, InvalidArgumentError for an
 * unusable `op`/preset or a proof object that cannot be encoded.
 */
export function checkConsensusProof (proof: Uint8Array | ConsensusProof, op: OperationRef, ctx: VerifierContext, opts: VerifyProofOptions): ProofCheck {
  const s = checkBeforeTime(proof, op, ctx, opts)
  if ('ok' in s) return s
  if (!verifyChain(opts.kernel, s.seed, s.p.time.checkpoints, s.params.time, s.root)) return { ok: false, reason: 'time' }
  return checkSignature(opts.kernel, op, s)
}

/**
 * Recomputes the chosen PoTime segments (j = segment index; j = 0 starts at
 * `seed`), e.g. node-host's parallelVdfVerify over all cores. True when all match.
 */
export type SegmentVerifier = (seed: Uint8Array, checkpoints: Uint8Array, steps: number, k: number, segments: readonly number[], opts: { signal?: AbortSignal }) => Promise<boolean>

export interface VerifyProofAsyncOptions extends VerifyProofOptions {
  /** Where the PoTime segments are recomputed (default: in this thread with the kernel). */
  verifySegments?: SegmentVerifier
  signal?: AbortSignal
}

/**
 * checkConsensusProof with the PoTime segment recomputation handed to
 * `verifySegments` (worth it for `production`: 262 k chain hashes), same
 * checks in the same order, same answers.
 */
export async function checkConsensusProofAsync (proof: Uint8Array | ConsensusProof, op: OperationRef, ctx: VerifierContext, opts: VerifyProofAsyncOptions): Promise<ProofCheck> {
  const s = checkBeforeTime(proof, op, ctx, opts)
  if ('ok' in s) return s
  const { steps, checkpoints: k, samples } = s.params.time
  const segments = sampleFromRoot(opts.kernel, s.root, k, samples)
  const ok = opts.verifySegments === undefined
    ? verifyChain(opts.kernel, s.seed, s.p.time.checkpoints, s.params.time, s.root)
    : await opts.verifySegments(s.seed, s.p.time.checkpoints, steps, k, segments, opts.signal !== undefined ? { signal: opts.signal } : {})
  if (!ok) return { ok: false, reason: 'time' }
  return checkSignature(opts.kernel, op, s)
}

/** True when all four proofs verify for `op` in `ctx`; false otherwise. Throws DecodeError only for malformed bytes. */
export function verifyConsensusProof (proof: Uint8Array | ConsensusProof, op: OperationRef, ctx: VerifierContext, opts: VerifyProofOptions): boolean {
  return checkConsensusProof(proof, op, ctx, opts).ok
}
