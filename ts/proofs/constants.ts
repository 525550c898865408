/**
 * Constants of the four proofs: hash domains, work kinds, bounds.
 * Every hash the proofs take starts with a distinct domain string, so a
 * value computed for one purpose can never be replayed as another.
 */

const te = new TextEncoder()

/** Hash domain prefixes (ASCII, no terminator; each is followed by fixed-size fields). */
export const PROOF_DOMAINS = Object.freeze({
  /** Plot seed: H(D ‖ nodeId ‖ u32be(plotIndex) ‖ u8(log2Size)). */
  plotSeed: te.encode('hypermesh/pospace/plot/v1'),
  /** PoSpace challenge j: H(D ‖ opHash ‖ anchor ‖ u32be(j)). */
  spaceChallenge: te.encode('hypermesh/pospace/challenge/v1'),
  /** PoWork prefix: D ‖ opHash ‖ u8(kind) ‖ zeros to 64 bytes, then the u64be nonce. */
  work: te.encode('hypermesh/powork/v1'),
  /** PoTime chain seed: H(D ‖ opHash ‖ anchor). */
  timeSeed: te.encode('hypermesh/potime/seed/v1'),
  /** PoTime Fiat–Shamir: H(D ‖ seed ‖ checkpoints ‖ u32be(counter)). */
  timeSample: te.encode('hypermesh/potime/sample/v1'),
  /** Digests of the encoded parts. */
  spaceDigest: te.encode('hypermesh/proof/space/v1'),
  stakeDigest: te.encode('hypermesh/proof/stake/v1'),
  workDigest: te.encode('hypermesh/proof/work/v1'),
  timeDigest: te.encode('hypermesh/proof/time/v1'),
  /** combinedHash: H(D ‖ opHash ‖ spaceDigest ‖ stakeDigest ‖ workDigest ‖ timeDigest). */
  combined: te.encode('hypermesh/proof/combined/v1')
})

/**
 * Work kinds of an operation (the ARCHITECTURE.md list). The numeric value
 * is what the encoding and the PoWork prefix carry.
 */
export const WORK_KINDS = Object.freeze({
  Genesis: 0,
  Modify: 1,
  Delete: 2,
  Storage: 3,
  Compute: 4,
  Network: 5
} as const)

export type WorkKindName = keyof typeof WORK_KINDS
export type WorkKind = typeof WORK_KINDS[WorkKindName]

/** Names by value (index = kind). */
export const WORK_KIND_NAMES: readonly WorkKindName[] = Object.freeze(['Genesis', 'Modify', 'Delete', 'Storage', 'Compute', 'Network'])

export function isWorkKind (v: unknown): v is WorkKind {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < WORK_KIND_NAMES.length
}

/** Encoding version byte of a ConsensusProof. */
export const PROOF_VERSION = 1

/** Largest clock difference accepted between the prover's timestamp and the verifier's clock (±30 s, in µs). */
export const MAX_CLOCK_SKEW_MICROS = 30_000_000

/** Decoder bounds (checked before allocating). */
export const MAX_ZONE_BYTES = 64
export const MAX_ADDRESS_BYTES = 64
/** Largest plot: 2^27 labels (the kernel's plotLabels bound). */
export const MAX_PLOT_LOG2 = 27
export const MIN_PLOT_LOG2 = 1
export const MAX_SPACE_CHALLENGES = 256
export const MAX_CHECKPOINTS = 1 << 16
/** FALCON-1024 signatures are at most 1462 bytes unpadded (1280 padded); bound generously. */
export const MAX_SIGNATURE_BYTES = 2048
export const HASH_BYTES = 32
export const NODE_ID_BYTES = 32

/** Default size of the chunks long generation is cut into (between two abort checks / progress reports). */
export const POW_CHUNK_NONCES = 1 << 16
export const TIME_CHUNK_STEPS = 1 << 18
