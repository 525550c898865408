/** Largest integer the number form of `uvarint` accepts: 2^53 - 1. */
export const MAX_UVARINT = Number.MAX_SAFE_INTEGER
/** Largest value of the bigint form `uvarint64`: 2^64 - 1. */
export const MAX_UVARINT64 = (1n << 64n) - 1n
/** Bytes the number form of a uvarint can take at most (7 bits each, 53 bits). */
export const MAX_UVARINT_BYTES = 8
/** Bytes the bigint form can take at most (64 bits). */
export const MAX_UVARINT64_BYTES = 10
/** Default largest frame payload `FrameDecoder` accepts: 4 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024
/** Hard ceiling on any frame limit (1 GiB): frames are buffered whole. */
export const MAX_FRAME_LIMIT = 1024 * 1024 * 1024
