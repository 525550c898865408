/**
 * Transaction proof verification seam. The ledger never decodes a
 * ConsensusProof itself: a `TxVerifier` (ts/proofs' verifyConsensusProof
 * behind an adapter) checks it. `ProofCache` makes sure each transaction's
 * proofs are verified once per process component, cached by tx hash in a
 * bounded LRU.
 */
import type { NodeId, Transaction } from './types.ts'
import { txHash } from './types.ts'
import { toHex } from './hash.ts'
import type { NodeStanding } from './genesis.ts'

/** What a proof verifier may ask of the ledger (implements the proofs' StakeRegistry / ChainView / SequenceView). */
export interface LedgerView {
  /** Height of the block the transaction would be executed in. */
  readonly height: number
  /** Time of the latest finalized block (ms). */
  readonly time: number
  /** True when `hash` is a finalized block within the freshness window. */
  isRecentBlock: (hash: Uint8Array) => boolean
  /** Highest sequence number already used by `nodeId` (0 = none). */
  lastSequence: (nodeId: NodeId) => number
  /** Stake of `nodeId` from genesis allocations / state (0 when unknown). */
  stakeOf: (nodeId: NodeId) => number
  /** Registered standing (public key, stake, authority, permissions) of `nodeId`. */
  standingOf: (nodeId: NodeId) => NodeStanding | undefined
  /** Plot `index` registered by `nodeId`. */
  plotOf: (nodeId: NodeId, index: number) => { log2Size: number, root: Uint8Array } | undefined
  /** Minimum standing and work kind the handler of transaction kind `kind` requires. */
  requirementOf: (kind: string) => TxRequirement | undefined
}

export interface TxRequirement {
  /** ts/proofs WorkKind (Genesis 0, Modify 1, Delete 2, Storage 3, Compute 4, Network 5). */
  workKind: number
  minStake: number
  minAuthority: number
  permissions: number
}

/** Facts from a verified proof that the ledger re-checks in context on every use (the cache only skips the crypto). */
export interface VerifiedTx {
  /** The finalized block hash the proofs are anchored to (`latest`). */
  anchor: Uint8Array
  /** Prover's timestamp (µs); the ledger checks it against the block time. */
  timestampMicros: number
  /** Sequence number the proof commits to (must equal tx.sequence). */
  sequence: number
  /** NodeId that signed the PoStake (must equal tx.sender). */
  signer: NodeId
}

export interface TxVerifier {
  /**
   * Verifies the transaction's ConsensusProof: returns the anchor when all
   * four proofs verify for `tx.op`, null when they do not or when the proof
   * bytes are malformed. Must not depend on chain position (results are cached by tx hash); throw ProofContextError for a failure that later state could change.
   */
  verify: (tx: Transaction, view: LedgerView) => VerifiedTx | null
}

export interface ProofCacheStats {
  /** Calls that ran the verifier. */
  verifications: number
  /** Calls answered from the cache. */
  hits: number
  size: number
}

/**
 * Thrown by a TxVerifier when the transaction fails on ledger context that a
 * later block may change (for example the sender's standing): the
 * transaction is refused now, and the verdict is not cached.
 */
export class ProofContextError extends Error {
  static override readonly name = 'ProofContextError'
  override readonly name = 'ProofContextError'
  constructor (message: string, options?: ErrorOptions) { super(message, options) }
}

/** Bounded LRU of proof verification results keyed by tx hash (context-dependent failures are not kept). */
export class ProofCache {
  readonly verifier: TxVerifier
  private readonly max: number
  private readonly map = new Map<string, VerifiedTx | null>()
  verifications = 0
  hits = 0

  constructor (verifier: TxVerifier, maxEntries = 65536) {
    this.verifier = verifier; this.max = maxEntries
  }

  /** Verified result for `tx`, running the verifier only on a cache miss. */
  check (tx: Transaction, view: LedgerView): VerifiedTx | null {
    const key = toHex(txHash(tx))
    if (this.map.has(key)) {
      const v = this.map.get(key) ?? null
      this.map.delete(key); this.map.set(key, v)
      this.hits++
      return v
    }
    this.verifications++
    let res: VerifiedTx | null
    try { res = this.verifier.verify(tx, view) } catch (err) {
      if (err instanceof ProofContextError) return null
      res = null
    }
    this.map.set(key, res)
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string)
    return res
  }

  get stats (): ProofCacheStats { return { verifications: this.verifications, hits: this.hits, size: this.map.size } }
}
