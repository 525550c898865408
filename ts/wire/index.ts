/**
 * Byte codecs for every HyperMesh protocol and every hashed or signed value:
 * composable `Coder<T>`s (noble's BytesCoder style) that are canonical by
 * construction — one encoding per value; decoders reject trailing bytes,
 * non-minimal varints, unknown tags, bools other than 0/1, and check every
 * length against its declared bound and the bytes present BEFORE allocating.
 * Decode errors are `DecodeError`s naming the field path; encoding a value
 * out of range throws `InvalidArgumentError`. Decoded byte fields are views
 * of the input (no copy). Plus length-framed messages for streams.
 *
 * @example
 * ```ts
 * import { struct, u8, u64, varBytes, vector, utf8, literal, encodeCanonical, FrameDecoder, encodeFrame } from '../wire/index.ts'
 * const Hello = struct({ version: literal(u8, 1), height: u64, name: utf8(64), keys: vector(varBytes(2048), 16) })
 * const bytes = encodeCanonical(Hello, { version: 1, height: 7n, name: 'n1', keys: [] })
 * Hello.decode(bytes) // { version: 1, height: 7n, name: 'n1', keys: [] }
 * const frames = new FrameDecoder({ maxFrameBytes: 1 << 20 }).push(encodeFrame(bytes)) // [bytes]
 * ```
 * @module
 */
export { createCoder, Reader, Writer } from './coder.ts'
export type { Coder, CoderSpec, CoderType } from './coder.ts'
export {
  u8, u16, u32, u16le, u32le, i32, i32le, u64, u64le, i64, i64le, bool,
  uvarint, uvarint64, readUvarint, writeUvarint, uvarintLength
} from './primitives.ts'
export { bytes, varBytes, utf8, readLength } from './bytes.ts'
export { struct, tuple, vector, array, option, enumeration, tagged, literal, magic, transform, sortedMap } from './combinators.ts'
export type { StructValue, TupleValue, Variants, TaggedValue } from './combinators.ts'
export { encodeCanonical, decodeCanonical, hashCanonical, equalBytes } from './canonical.ts'
export { encodeFrame, decodeFrame, frameHeader, FrameDecoder, decodeFrames } from './frame.ts'
export type { FrameOptions, Chunk } from './frame.ts'
export {
  MAX_UVARINT, MAX_UVARINT64, MAX_UVARINT_BYTES, MAX_UVARINT64_BYTES, DEFAULT_MAX_FRAME_BYTES, MAX_FRAME_LIMIT
} from './constants.ts'
