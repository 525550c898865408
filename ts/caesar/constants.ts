/** Caesar consensus constants, state keys, transaction kinds and limits. */

/**
 * Default per-epoch retention factor, Q64 fixed point: D / 2^64 with
 * D = 18446636134911240685 (odd, see `validateConfig`).
 *
 * Chosen for 5 % demurrage per year with one-hour epochs:
 *   epochs per year  = 365.25 d × 24 h = 8766
 *   factor           = 0.95^(1/8766) = 0.99999414862601879077260978175583865819…
 *   factor × 2^64    = 18446636134911240686.9…  → floor = …686 (even), minus 1 → …685 (odd)
 *   D^8766 / 2^(64·8766) = 0.94999999999999935921…  (5.000000000000064 % a year)
 * Computed once, offline, with 80-digit decimal arithmetic; it is a literal
 * here and in the genesis, never derived from a float at run time. The test
 * `demurrage.spec.ts` re-derives the yearly figure from D in bigint.
 */
export const DEFAULT_DECAY_Q64 = 18446636134911240685n
/** Fraction bits of the decay factor. */
export const DECAY_FRACTION_BITS = 64
/** One epoch = one hour of block time. */
export const DEFAULT_EPOCH_MS = 3_600_000
/** Epochs per (Julian) year at the default epoch length: 365.25 × 24. */
export const EPOCHS_PER_YEAR = 8766

/** Working precision (bits) of the first table of decay powers; doubled when a value is too close to call. */
export const BASE_PRECISION_BITS = 192
/** Highest working precision tried before falling back to the (lower) bound. */
export const MAX_PRECISION_BITS = 12_288
/** Table entries factor^(2^i) for i < TABLE_BITS: epoch spans up to 2^48 - 1. */
export const TABLE_BITS = 48

/** Amounts are micro-credits in [0, 2^128). */
export const MAX_AMOUNT = (1n << 128n) - 1n
export const MICRO_PER_CREDIT = 1_000_000n

/** Transaction kinds. */
export const KIND_TRANSFER = 'caesar.transfer'
export const KIND_BURN = 'caesar.burn'
export const KIND_MINT = 'caesar.mint'
export const KIND_SETTLE = 'caesar.settle'
export const CAESAR_KINDS = [KIND_TRANSFER, KIND_BURN, KIND_MINT, KIND_SETTLE] as const

/** State keys (all under `caesar/`). */
export const CAESAR_PREFIX = 'caesar/'
export const KEY_CONFIG = 'caesar/config'
export const KEY_SUPPLY = 'caesar/supply'
export const KEY_ACCOUNT = 'caesar/acct/'
export const KEY_RECEIPT = 'caesar/receipt/'

/** Service receipt kinds (tags in the receipt message). */
export const ReceiptKind = Object.freeze({ MemoryServed: 1, RelayBytes: 2 } as const)
export type ReceiptKind = typeof ReceiptKind[keyof typeof ReceiptKind]

/** Largest byte count one receipt may attest (1 TiB). */
export const MAX_RECEIPT_BYTES = 1n << 40n
/** Most genesis balances in a config. */
export const MAX_GENESIS_BALANCES = 4096
/** Domain prefix of the Caesar state hash. */
export const STATE_HASH_DOMAIN = 'hypermesh/caesar/state/v1'
