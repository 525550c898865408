/**
 * Record packing and checksummed frames in pure TypeScript — the definition
 * the WASM packer (ts/wasm/pack.ts) must match, and its fallback.
 *
 * - A layout is a list of field widths (1, 2, 4 or 8 bytes). Records are
 *   packed row-major: each row is the fields back to back, little-endian.
 *   Columns are typed arrays whose element size is the field's width.
 * - A frame is `[u32 LE payload length][u32 LE crc32c(payload)][payload]`;
 *   decoding checks the length bound before anything else, then the
 *   checksum, and throws DecodeError.
 * - CRC32C is Castagnoli (reflected polynomial 0x82F63B78), slicing-by-8.
 * @module
 */
import { DecodeError, InvalidArgumentError } from '../errors.ts'

export type FieldWidth = 1 | 2 | 4 | 8
/** A column: integers of the field's width (8-byte fields are bigint arrays). */
export type Column = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | BigUint64Array | BigInt64Array

export interface RecordLayout {
  readonly widths: readonly FieldWidth[]
  /** Byte offset of each field within a row. */
  readonly offsets: readonly number[]
  /** Bytes per row. */
  readonly stride: number
}

/** Frame header bytes: length and checksum. */
export const PACK_FRAME_HEADER_BYTES = 8
/** Default payload bound for frame decoding: 16 MiB. */
export const PACK_DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024
/** Largest payload bound accepted (the kernel returns lengths as i32). */
export const PACK_MAX_PAYLOAD_LIMIT = 0x7fffffff - PACK_FRAME_HEADER_BYTES
/** Most fields in a layout. */
export const PACK_MAX_FIELDS = 256

/** Result codes of the kernel's frame check (≥ 8 is a complete frame's length). */
export const PACK_FRAME_STATUS = Object.freeze({ needMore: 0, tooLarge: -1, checksum: -2 } as const)

/** Builds a layout from field widths. */
export function recordLayout (widths: readonly number[]): RecordLayout {
  if (!Array.isArray(widths) || widths.length === 0 || widths.length > PACK_MAX_FIELDS) throw new InvalidArgumentError(`widths must be an array of 1..${PACK_MAX_FIELDS} field widths`)
  const offsets: number[] = []
  let stride = 0
  for (const w of widths) {
    if (w !== 1 && w !== 2 && w !== 4 && w !== 8) throw new InvalidArgumentError(`field width must be 1, 2, 4 or 8, got ${String(w)}`)
    offsets.push(stride)
    stride += w
  }
  return Object.freeze({ widths: Object.freeze([...widths] as FieldWidth[]), offsets: Object.freeze(offsets), stride })
}

/** Checks columns against a layout; returns the record count. */
export function checkColumns (layout: RecordLayout, columns: readonly Column[]): number {
  if (!Array.isArray(columns) || columns.length !== layout.widths.length) throw new InvalidArgumentError(`expected ${layout.widths.length} columns`)
  const count = columns.length > 0 ? columns[0].length : 0
  for (let f = 0; f < columns.length; f++) {
    const c = columns[f] as Column
    if (!ArrayBuffer.isView(c) || c instanceof DataView || c.BYTES_PER_ELEMENT !== layout.widths[f]) throw new InvalidArgumentError(`column ${f} must be a typed array of ${layout.widths[f]}-byte elements`)
    if (c.length !== count) throw new InvalidArgumentError(`column ${f} has ${c.length} values, column 0 has ${count}`)
  }
  if (count * layout.stride > 0x7fffffff) throw new InvalidArgumentError('packed size exceeds 2 GiB')
  return count
}

/** Record count of packed rows; DecodeError if the length is not a whole number of rows. */
export function checkRows (layout: RecordLayout, rows: Uint8Array): number {
  if (!(rows instanceof Uint8Array)) throw new InvalidArgumentError('rows must be a Uint8Array')
  if (rows.length % layout.stride !== 0) throw new DecodeError(`packed records: ${rows.length} bytes is not a multiple of the row size ${layout.stride}`)
  return rows.length / layout.stride
}

/** The caller's output buffer (checked) or a new one of `bytes`. */
export function outBuffer (bytes: number, out?: Uint8Array): Uint8Array {
  if (out === undefined) return new Uint8Array(bytes)
  if (!(out instanceof Uint8Array) || out.length < bytes) throw new InvalidArgumentError(`out must be a Uint8Array of at least ${bytes} bytes`)
  return out.subarray(0, bytes)
}

/** Empty unsigned columns for `count` records. */
export function newColumns (layout: RecordLayout, count: number): Column[] {
  return layout.widths.map((w) => w === 1 ? new Uint8Array(count) : w === 2 ? new Uint16Array(count) : w === 4 ? new Uint32Array(count) : new BigUint64Array(count))
}

export function checkMaxPayload (max: number): void {
  if (!Number.isInteger(max) || max < 0 || max > PACK_MAX_PAYLOAD_LIMIT) throw new InvalidArgumentError(`maxPayload must be an integer in [0, ${PACK_MAX_PAYLOAD_LIMIT}], got ${String(max)}`)
}

/** Turns a kernel frame-check status into a DecodeError (or null for a complete frame). */
export function frameStatusError (status: number, header: DataView | null, max: number): DecodeError | null {
  if (status === PACK_FRAME_STATUS.tooLarge) return new DecodeError(`frame: payload length ${header?.getUint32(0, true) ?? '?'} exceeds the bound ${max}`)
  if (status === PACK_FRAME_STATUS.checksum) return new DecodeError('frame: CRC32C mismatch')
  return null
}

/** What both packers (WASM and TS reference) offer, with identical results. */
export interface Packer {
  readonly name: string
  /** Row-major little-endian records from columns; written into `out` (returned as a view of exactly the rows) when given. */
  packRecords (layout: RecordLayout, columns: readonly Column[], out?: Uint8Array): Uint8Array
  /** Columns (unsigned typed arrays) from packed rows. */
  unpackRecords (layout: RecordLayout, rows: Uint8Array): Column[]
  /** CRC32C of `data`, continuing from `crc` (the checksum of preceding bytes; default 0). */
  crc32c (data: Uint8Array, crc?: number): number
  /** `[len][crc32c][payload]`. */
  encodeFrame (payload: Uint8Array): Uint8Array
  /** The payload of exactly one frame (a copy); DecodeError on bad length, checksum, truncation or trailing bytes. */
  decodeFrame (frame: Uint8Array, maxPayload?: number): Uint8Array
  /** Complete frames at the start of `bytes` (payload copies) and the bytes they took; the rest is an incomplete frame. */
  scanFrames (bytes: Uint8Array, maxPayload?: number): { frames: Uint8Array[], consumed: number }
}

// --- CRC32C, slicing-by-8
const CRC_T = new Uint32Array(8 * 256)
for (let n = 0; n < 256; n++) {
  let c = n
  for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1
  CRC_T[n] = c >>> 0
}
for (let n = 0; n < 256; n++) {
  let c = CRC_T[n]
  for (let t = 1; t < 8; t++) {
    c = CRC_T[c & 0xff] ^ (c >>> 8)
    CRC_T[t * 256 + n] = c
  }
}

/** CRC32C in TypeScript (slicing-by-8). */
export function crc32cReference (data: Uint8Array, crc = 0): number {
  if (!(data instanceof Uint8Array)) throw new InvalidArgumentError('data must be a Uint8Array')
  if (!Number.isInteger(crc) || crc < 0 || crc > 0xffffffff) throw new InvalidArgumentError('crc must be a u32')
  const T = CRC_T
  let c = ~crc
  let i = 0
  const n = data.length
  for (; i + 8 <= n; i += 8) {
    const lo = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) ^ c
    c = T[1792 + (lo & 0xff)] ^ T[1536 + ((lo >>> 8) & 0xff)] ^ T[1280 + ((lo >>> 16) & 0xff)] ^ T[1024 + (lo >>> 24)] ^
      T[768 + data[i + 4]] ^ T[512 + data[i + 5]] ^ T[256 + data[i + 6]] ^ T[data[i + 7]]
  }
  for (; i < n; i++) c = T[(c ^ data[i]) & 0xff] ^ (c >>> 8)
  return ~c >>> 0
}

function frameOf (payload: Uint8Array, crc: number): Uint8Array {
  const out = new Uint8Array(PACK_FRAME_HEADER_BYTES + payload.length)
  const dv = new DataView(out.buffer)
  dv.setUint32(0, payload.length, true)
  dv.setUint32(4, crc, true)
  out.set(payload, PACK_FRAME_HEADER_BYTES)
  return out
}

/** Checks the frame at the start of `bytes` like the kernel's pack_frame_check. */
function frameCheck (bytes: Uint8Array, at: number, max: number): number {
  const avail = bytes.length - at
  if (avail < PACK_FRAME_HEADER_BYTES) return PACK_FRAME_STATUS.needMore
  const dv = new DataView(bytes.buffer, bytes.byteOffset + at, PACK_FRAME_HEADER_BYTES)
  const len = dv.getUint32(0, true)
  if (len > max) return PACK_FRAME_STATUS.tooLarge
  if (avail - PACK_FRAME_HEADER_BYTES < len) return PACK_FRAME_STATUS.needMore
  const p = at + PACK_FRAME_HEADER_BYTES
  if (crc32cReference(bytes.subarray(p, p + len)) !== dv.getUint32(4, true)) return PACK_FRAME_STATUS.checksum
  return len + PACK_FRAME_HEADER_BYTES
}

/** Shared by both packers: exact decode and scanning in terms of a frame check. */
export function decodeFrameWith (check: (bytes: Uint8Array, at: number, max: number) => number, frame: Uint8Array, max: number): Uint8Array {
  if (!(frame instanceof Uint8Array)) throw new InvalidArgumentError('frame must be a Uint8Array')
  checkMaxPayload(max)
  const st = check(frame, 0, max)
  const err = frameStatusError(st, frame.length >= 4 ? new DataView(frame.buffer, frame.byteOffset, 4) : null, max)
  if (err !== null) throw err
  if (st === PACK_FRAME_STATUS.needMore) {
    throw new DecodeError(frame.length < PACK_FRAME_HEADER_BYTES
      ? `frame: truncated header (${frame.length} of ${PACK_FRAME_HEADER_BYTES} bytes)`
      : `frame: truncated payload (${frame.length - PACK_FRAME_HEADER_BYTES} of ${new DataView(frame.buffer, frame.byteOffset, 4).getUint32(0, true)} bytes)`)
  }
  if (st !== frame.length) throw new DecodeError(`frame: ${frame.length - st} trailing byte(s)`)
  return frame.slice(PACK_FRAME_HEADER_BYTES, st)
}

export function scanFramesWith (check: (bytes: Uint8Array, at: number, max: number) => number, bytes: Uint8Array, max: number): { frames: Uint8Array[], consumed: number } {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('bytes must be a Uint8Array')
  checkMaxPayload(max)
  const frames: Uint8Array[] = []
  let at = 0
  for (;;) {
    const st = check(bytes, at, max)
    const err = frameStatusError(st, bytes.length - at >= 4 ? new DataView(bytes.buffer, bytes.byteOffset + at, 4) : null, max)
    if (err !== null) throw new DecodeError(`${err.message} (frame at byte ${at})`)
    if (st === PACK_FRAME_STATUS.needMore) break
    frames.push(bytes.slice(at + PACK_FRAME_HEADER_BYTES, at + st))
    at += st
  }
  return { frames, consumed: at }
}

/** The TypeScript packer. */
export const referencePacker: Packer = Object.freeze({
  name: 'ts',
  packRecords (layout: RecordLayout, columns: readonly Column[], into?: Uint8Array): Uint8Array {
    const count = checkColumns(layout, columns)
    const { stride, widths, offsets } = layout
    const out = outBuffer(count * stride, into)
    const dv = new DataView(out.buffer, out.byteOffset, out.byteLength)
    for (let f = 0; f < widths.length; f++) {
      const c = columns[f]
      let o = offsets[f]
      switch (widths[f]) {
        case 1: { const a = c as Uint8Array; for (let r = 0; r < count; r++, o += stride) out[o] = a[r]; break }
        case 2: { const a = c as Uint16Array; for (let r = 0; r < count; r++, o += stride) dv.setUint16(o, a[r], true); break }
        case 4: { const a = c as Uint32Array; for (let r = 0; r < count; r++, o += stride) dv.setUint32(o, a[r], true); break }
        default: { const a = c as BigUint64Array; for (let r = 0; r < count; r++, o += stride) dv.setBigUint64(o, BigInt.asUintN(64, a[r]), true) }
      }
    }
    return out
  },
  unpackRecords (layout: RecordLayout, rows: Uint8Array): Column[] {
    const count = checkRows(layout, rows)
    const { stride, widths, offsets } = layout
    const cols = newColumns(layout, count)
    const dv = new DataView(rows.buffer, rows.byteOffset, rows.byteLength)
    for (let f = 0; f < widths.length; f++) {
      let o = offsets[f]
      switch (widths[f]) {
        case 1: { const a = cols[f] as Uint8Array; for (let r = 0; r < count; r++, o += stride) a[r] = rows[o]; break }
        case 2: { const a = cols[f] as Uint16Array; for (let r = 0; r < count; r++, o += stride) a[r] = dv.getUint16(o, true); break }
        case 4: { const a = cols[f] as Uint32Array; for (let r = 0; r < count; r++, o += stride) a[r] = dv.getUint32(o, true); break }
        default: { const a = cols[f] as BigUint64Array; for (let r = 0; r < count; r++, o += stride) a[r] = dv.getBigUint64(o, true) }
      }
    }
    return cols
  },
  crc32c: crc32cReference,
  encodeFrame (payload: Uint8Array): Uint8Array {
    if (!(payload instanceof Uint8Array)) throw new InvalidArgumentError('payload must be a Uint8Array')
    if (payload.length > PACK_MAX_PAYLOAD_LIMIT) throw new InvalidArgumentError('payload exceeds the frame limit')
    return frameOf(payload, crc32cReference(payload))
  },
  decodeFrame (frame: Uint8Array, maxPayload = PACK_DEFAULT_MAX_PAYLOAD): Uint8Array {
    return decodeFrameWith(frameCheck, frame, maxPayload)
  },
  scanFrames (bytes: Uint8Array, maxPayload = PACK_DEFAULT_MAX_PAYLOAD): { frames: Uint8Array[], consumed: number } {
    return scanFramesWith(frameCheck, bytes, maxPayload)
  }
})
