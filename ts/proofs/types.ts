/**
 * Types of the four proofs and the interfaces the ledger implements for the
 * verifier (ChainView, StakeRegistry, SequenceView).
 */
import type { WorkKind } from './constants.ts'

/** Where the prover sits in the network; carried inside the signed proof. */
export interface NetworkPosition {
  /** Zone / region label (UTF-8, ≤ 64 bytes), e.g. "eu-west". */
  zone: string
  /** Node address bytes (≤ 64), e.g. a 16-byte GlobalAddress or a multiaddr's bytes. */
  address: Uint8Array
}

/** One PoSpace challenge answer: L[c], L[c-1], L[p(c)] with their Merkle paths. */
export interface SpaceOpening {
  label: Uint8Array
  labelPath: Uint8Array
  prevLabel: Uint8Array
  prevPath: Uint8Array
  parentLabel: Uint8Array
  parentPath: Uint8Array
}

/** PoSpace (WHERE). */
export interface SpaceProof {
  /** Which of the node's registered plots answers. */
  plotIndex: number
  /** log2 of the plot's label count (must match the registered plot). */
  log2Size: number
  position: NetworkPosition
  /** One opening per challenge, in challenge order. */
  openings: SpaceOpening[]
}

/** PoStake (WHO). */
export interface StakeProof {
  nodeId: Uint8Array
  /** FALCON-1024 signature (domain PoStake) over the stake message. */
  signature: Uint8Array
}

/** PoWork (WHAT/HOW). */
export interface WorkProof {
  kind: WorkKind
  nonce: number
}

/** PoTime (WHEN). */
export interface TimeProof {
  /** The recently finalized block hash the proof is anchored to (`latest`). */
  anchor: Uint8Array
  /** Prover's wall clock, µs since the Unix epoch. */
  timestampMicros: number
  /** Per-node sequence number (strictly increasing). */
  sequence: number
  /** k checkpoints of the chain, 32 bytes each, back to back. */
  checkpoints: Uint8Array
}

export interface ConsensusProof {
  space: SpaceProof
  stake: StakeProof
  work: WorkProof
  time: TimeProof
}

/** The operation a proof is for: its digest and its work kind. */
export interface OperationRef {
  /** SHA-256 of the operation's canonical bytes (32 bytes). */
  opHash: Uint8Array
  kind: WorkKind
  /** Permission bits the operation needs (checked against the registry); 0 when none. */
  permissions?: number
}

/** A node's registered plot, as the ledger records it with the storage asset. */
export interface RegisteredPlot {
  log2Size: number
  root: Uint8Array
}

/** What the ledger records about a node. */
export interface NodeStanding {
  /** FALCON-1024 public key registered for the node. */
  publicKey: Uint8Array
  stake: bigint
  authority: number
  /** Permission bits granted to the node. */
  permissions: number
}

/** Minimum standing an operation kind requires. */
export interface StakeRequirement {
  minStake: bigint
  minAuthority: number
}

/** Stake / authority / asset registry (the ledger implements it). */
export interface StakeRegistry {
  standingOf: (nodeId: Uint8Array) => NodeStanding | undefined
  /** The plot a node registered under `plotIndex`, or undefined. */
  plotOf: (nodeId: Uint8Array, plotIndex: number) => RegisteredPlot | undefined
  requirementFor: (kind: WorkKind) => StakeRequirement
}

/** Chain view for freshness (the ledger implements it). */
export interface ChainView {
  /** True when `blockHash` is a finalized block within the freshness window. */
  isFresh: (blockHash: Uint8Array) => boolean
}

/** Per-node sequence numbers already used (the ledger implements it). */
export interface SequenceView {
  /** The highest sequence number already accepted from the node, or undefined if none. */
  lastSequence: (nodeId: Uint8Array) => number | undefined
}

/** Everything a verifier consults besides the proof and the operation. */
export interface VerifierContext {
  chain: ChainView
  registry: StakeRegistry
  sequences: SequenceView
  /** Verifier's clock in µs since the epoch (default: Date.now() · 1000). */
  nowMicros?: () => number
}

/** Progress of a long generation step. */
export interface ProofProgress {
  phase: 'time' | 'work' | 'space' | 'stake'
  done: number
  total: number
}
