/** Consensus constants. Domains separate every signature by message type (identity's sign(sk, DOMAIN ‖ msg)). */
export const DOMAIN_PROPOSAL = 'hypermesh/consensus/proposal/v1'
export const DOMAIN_VOTE = 'hypermesh/consensus/vote/v1'

/** Default Tendermint timeouts (ms): timeout(r) = base + r * delta. */
export const DEFAULT_TIMEOUTS = Object.freeze({
  propose: 1000,
  prevote: 500,
  precommit: 500,
  delta: 250,
  /** Pause after a decision before round 0 of the next height (collects late precommits, paces blocks). */
  commit: 500,
  /** Period at which a node re-sends its own messages of the current height (lossy links). */
  rebroadcast: 1000,
  /** Minimum interval between two sync requests. */
  sync: 500
})

export const MAX_ROUND = 0xfffffffe
/** Most proposals kept per (height, round) — a Byzantine proposer may equivocate. */
export const MAX_PROPOSALS_PER_ROUND = 4
/** Most rounds ahead of ours whose messages we keep. */
export const MAX_FUTURE_ROUNDS = 64
/** Buffered messages for the next height (bounded). */
export const MAX_NEXT_HEIGHT_BUFFER = 4096
/** Blocks per sync response. */
export const MAX_SYNC_BLOCKS = 64
