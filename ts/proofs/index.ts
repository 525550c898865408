/**
 * The four proofs every HyperMesh asset operation carries — PoSpace (WHERE),
 * PoStake (WHO), PoWork (WHAT/HOW), PoTime (WHEN) — bundled as a
 * `ConsensusProof` bound to the operation digest, with one canonical
 * encoding and one verification entry point. Hot hashing goes through a
 * `Kernel` (TypeScript reference, WASM, or node-host's native addon), so the
 * same code runs in Node, browsers and edge workers. Parameters live in
 * `PRESETS` (`dev`, `test`, `production`), documented in params.ts with their
 * costs and the security they give.
 *
 * @example
 * ```ts
 * import { createConsensusProof, verifyConsensusProof, encodeConsensusProof, MemoryPlotStore, WORK_KINDS } from './ts/proofs/index.ts'
 * const plot = MemoryPlotStore.build(kernel, nodeIdOf(keys.publicKey), 0, PRESETS.dev.space.log2Size)
 * const op = { opHash, kind: WORK_KINDS.Modify }
 * const proof = await createConsensusProof(op, { latest, identity: keys, plot, position: { zone: 'eu', address }, sequence: 5 },
 *   { kernel, preset: 'dev', signal })
 * const bytes = encodeConsensusProof(proof)
 * verifyConsensusProof(bytes, op, { chain, registry, sequences }, { kernel, preset: 'dev' }) // true
 * ```
 * @module
 */
export { WORK_KINDS, WORK_KIND_NAMES, PROOF_DOMAINS, PROOF_VERSION, MAX_CLOCK_SKEW_MICROS, isWorkKind } from './constants.ts'
export type { WorkKind, WorkKindName } from './constants.ts'
export { PRESETS, checkParams, resolveParams, workBitsFor } from './params.ts'
export type { ProofParams, PresetName, SpaceParams, TimeParams } from './params.ts'
export type {
  ConsensusProof, SpaceProof, SpaceOpening, StakeProof, WorkProof, TimeProof, NetworkPosition, OperationRef,
  ChainView, StakeRegistry, SequenceView, VerifierContext, NodeStanding, StakeRequirement, RegisteredPlot, ProofProgress
} from './types.ts'
export {
  encodeConsensusProof, decodeConsensusProof, encodeSpaceProof, decodeSpaceProof, encodeStakeProof, decodeStakeProof,
  encodeWorkProof, decodeWorkProof, encodeTimeProof, decodeTimeProof
} from './encoding.ts'
export { MemoryPlotStore, buildPlotTree, plotSeed, readOpening, pathNodeIndices } from './plot.ts'
export type { PlotInfo, PlotStore } from './plot.ts'
export { proveSpace, verifySpace, spaceChallenges } from './space.ts'
export { proveWork, verifyWork, workPrefix } from './work.ts'
export type { NonceSearch, ProveWorkOptions } from './work.ts'
export { computeChain, verifyChain, sampleSegments, sampleFromRoot, timeSampleRoot, timeSeed } from './time.ts'
export { proveStake, stakeMessage, verifyStakeSignature } from './stake.ts'
export { createConsensusProof, verifyConsensusProof, checkConsensusProof, checkConsensusProofAsync, combinedHash, proofDigests } from './bundle.ts'
export type { ProverContext, CreateProofOptions, VerifyProofOptions, VerifyProofAsyncOptions, SegmentVerifier, ProofCheck, ProofFailure } from './bundle.ts'
