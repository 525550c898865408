/**
 * The packer over the core-wasm `pack_*` / `crc32c_*` exports: record
 * packing (columns ↔ little-endian rows), CRC32C and checksummed frames.
 * Same API and results as `referencePacker` (ts/wasm/pack-reference.ts),
 * which documents the formats. Inputs are copied into the heap's scratch
 * region in chunks (≤ ~1 MiB per call), outputs copied out.
 *
 * @example
 * ```ts
 * const packer = createWasmPacker(instantiateKernelModule())
 * const layout = recordLayout([8, 4, 2, 1])
 * const rows = packer.packRecords(layout, [ids, sizes, ports, flags])
 * const frame = packer.encodeFrame(rows)
 * packer.decodeFrame(frame) // rows
 * ```
 * @module
 */
import type { KernelModule } from './loader.ts'
import {
  PACK_DEFAULT_MAX_PAYLOAD, PACK_FRAME_HEADER_BYTES, PACK_FRAME_STATUS, PACK_MAX_PAYLOAD_LIMIT,
  checkColumns, checkRows, decodeFrameWith, newColumns, outBuffer, scanFramesWith,
  type Column, type Packer, type RecordLayout
} from './pack-reference.ts'
import { InvalidArgumentError, KernelUnavailableError } from '../errors.ts'

export {
  recordLayout, referencePacker, crc32cReference, PACK_FRAME_HEADER_BYTES, PACK_DEFAULT_MAX_PAYLOAD,
  PACK_MAX_PAYLOAD_LIMIT, PACK_MAX_FIELDS, PACK_FRAME_STATUS
} from './pack-reference.ts'
export type { Column, FieldWidth, Packer, RecordLayout } from './pack-reference.ts'

/** Bytes of packed rows per WASM call. */
const CHUNK_BYTES = 512 * 1024
/** Bytes hashed per crc32c_update call. */
const CRC_CHUNK = 1024 * 1024

const REQUIRED = ['pack_rows', 'pack_unrows', 'crc32c_update', 'pack_frame_seal', 'pack_frame_check'] as const

const align8 = (n: number): number => (n + 7) & ~7

/** A Packer backed by a loaded core-wasm module; its name is the module's variant. */
export function createWasmPacker (mod: KernelModule): Packer {
  const ex = mod.exports
  const heap = mod.heap
  for (const name of REQUIRED) {
    if (typeof ex[name] !== 'function') throw new KernelUnavailableError(`core-wasm ${mod.variant} module lacks export ${name}`)
  }

  /** Scratch for one chunk of `rows` records: [widths][col ptrs][columns][rows]. Returns the pointers. */
  function stageLayout (layout: RecordLayout, rows: number): { base: number, widthsP: number, colsP: number, colP: number[], rowsP: number } {
    const nf = layout.widths.length
    let size = align8(nf) + align8(nf * 4)
    const colOff: number[] = []
    for (const w of layout.widths) { colOff.push(size); size += align8(rows * w) }
    const rowsOff = size
    size += rows * layout.stride
    const base = heap.scratch(size)
    const u8 = heap.u8()
    const dv = heap.dv()
    const widthsP = base
    const colsP = base + align8(nf)
    for (let f = 0; f < nf; f++) {
      u8[widthsP + f] = layout.widths[f]
      dv.setUint32(colsP + f * 4, base + colOff[f], true)
    }
    return { base, widthsP, colsP, colP: colOff.map((o) => base + o), rowsP: base + rowsOff }
  }

  function bytesOf (c: Column, from: number, count: number): Uint8Array {
    const w = c.BYTES_PER_ELEMENT
    return new Uint8Array(c.buffer, c.byteOffset + from * w, count * w)
  }

  function crc (data: Uint8Array, start: number): number {
    let c = start
    for (let i = 0; i < data.length; i += CRC_CHUNK) {
      const part = data.subarray(i, i + CRC_CHUNK)
      const p = heap.scratch(part.length)
      heap.u8().set(part, p)
      c = ex.crc32c_update(c, p, part.length) >>> 0
    }
    return c
  }

  /** The kernel's frame check, copying only a frame whose length passed the bound. */
  function check (bytes: Uint8Array, at: number, max: number): number {
    const avail = bytes.length - at
    if (avail < PACK_FRAME_HEADER_BYTES) return PACK_FRAME_STATUS.needMore
    const len = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, true)
    if (len > max) return PACK_FRAME_STATUS.tooLarge
    if (avail - PACK_FRAME_HEADER_BYTES < len) return PACK_FRAME_STATUS.needMore
    const total = PACK_FRAME_HEADER_BYTES + len
    const p = heap.scratch(total)
    heap.u8().set(bytes.subarray(at, at + total), p)
    return ex.pack_frame_check(p, total, max)
  }

  return Object.freeze({
    name: mod.variant,
    packRecords (layout: RecordLayout, columns: readonly Column[], into?: Uint8Array): Uint8Array {
      const count = checkColumns(layout, columns)
      const stride = layout.stride
      const out = outBuffer(count * stride, into)
      const per = Math.max(1, Math.floor(CHUNK_BYTES / stride))
      for (let r0 = 0; r0 < count; r0 += per) {
        const m = Math.min(per, count - r0)
        const s = stageLayout(layout, m)
        const u8 = heap.u8()
        for (let f = 0; f < columns.length; f++) u8.set(bytesOf(columns[f], r0, m), s.colP[f])
        ex.pack_rows(s.widthsP, columns.length, s.colsP, m, s.rowsP)
        out.set(u8.subarray(s.rowsP, s.rowsP + m * stride), r0 * stride)
      }
      return out
    },
    unpackRecords (layout: RecordLayout, rows: Uint8Array): Column[] {
      const count = checkRows(layout, rows)
      const stride = layout.stride
      const cols = newColumns(layout, count)
      const per = Math.max(1, Math.floor(CHUNK_BYTES / stride))
      for (let r0 = 0; r0 < count; r0 += per) {
        const m = Math.min(per, count - r0)
        const s = stageLayout(layout, m)
        const u8 = heap.u8()
        u8.set(rows.subarray(r0 * stride, (r0 + m) * stride), s.rowsP)
        ex.pack_unrows(s.widthsP, cols.length, s.rowsP, m, s.colsP)
        for (let f = 0; f < cols.length; f++) {
          const w = layout.widths[f]
          bytesOf(cols[f], r0, m).set(u8.subarray(s.colP[f], s.colP[f] + m * w))
        }
      }
      return cols
    },
    crc32c (data: Uint8Array, start = 0): number {
      if (!(data instanceof Uint8Array)) throw new InvalidArgumentError('data must be a Uint8Array')
      if (!Number.isInteger(start) || start < 0 || start > 0xffffffff) throw new InvalidArgumentError('crc must be a u32')
      return crc(data, start)
    },
    encodeFrame (payload: Uint8Array): Uint8Array {
      if (!(payload instanceof Uint8Array)) throw new InvalidArgumentError('payload must be a Uint8Array')
      if (payload.length > PACK_MAX_PAYLOAD_LIMIT) throw new InvalidArgumentError('payload exceeds the frame limit')
      const total = PACK_FRAME_HEADER_BYTES + payload.length
      const p = heap.scratch(total)
      heap.u8().set(payload, p + PACK_FRAME_HEADER_BYTES)
      ex.pack_frame_seal(p, payload.length)
      return heap.u8().slice(p, p + total)
    },
    decodeFrame (frame: Uint8Array, maxPayload = PACK_DEFAULT_MAX_PAYLOAD): Uint8Array {
      return decodeFrameWith(check, frame, maxPayload)
    },
    scanFrames (bytes: Uint8Array, maxPayload = PACK_DEFAULT_MAX_PAYLOAD): { frames: Uint8Array[], consumed: number } {
      return scanFramesWith(check, bytes, maxPayload)
    }
  })
}
