/** Ledger limits and key prefixes. */
export const NODE_ID_BYTES = 32
export const MAX_KIND_BYTES = 32
export const MAX_OP_BYTES = 64 * 1024
export const MAX_PROOF_BYTES = 256 * 1024
export const MAX_BLOCK_TXS = 4096
export const MAX_SIGNATURE_BYTES = 2048
export const MAX_CERT_SIGNATURES = 1024
export const MAX_STATE_KEY_BYTES = 256
export const MAX_STATE_VALUE_BYTES = 1024 * 1024
export const MAX_SNAPSHOT_ENTRIES = 1_000_000
/** Finalized block hashes accepted as a proof's `latest` (ChainView freshness window). */
export const FRESHNESS_WINDOW = 64
/** Reserved state key prefixes (handlers must not write them). */
export const KEY_SEQUENCE = 'sys/seq/'
/** `sys/node/<nodeId hex>` -> encoded NodeStanding (public key, stake, authority, permissions). */
export const KEY_NODE = 'sys/node/'
/** `plot/<nodeId hex>/<index>` -> u8 log2Size ‖ 32-byte root (registered plots). */
export const KEY_PLOT = 'plot/'
export const KEY_RECENT = 'sys/recent/'
export const KEY_RECENT_BY_HEIGHT = 'sys/recent-h/'
export const SYSTEM_PREFIX = 'sys/'
/** Largest |proof timestamp − latest block time| accepted (ts/proofs MAX_CLOCK_SKEW_MICROS, ±30 s). */
export const MAX_CLOCK_SKEW_MS = 30_000
