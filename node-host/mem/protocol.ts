/**
 * The mem protocol (`/hypermesh/mem/1.0.0`): one framed request → one framed
 * answer, in order, on a long-lived stream (clients pipeline: many requests
 * in flight, answers matched in order). The first request of a stream is
 * `open` with a capability token; the server checks it once and holds it for
 * the stream. Offsets are absolute within the asset's region; words are
 * 8 bytes, little-endian, 8-byte aligned.
 */
import {
  bool, bytes, tagged, struct, u8, u32, u64, utf8, varBytes, encodeCanonical, type CoderType
} from '../../ts/wire/index.ts'

/** Largest READ or WRITE payload in one request (larger transfers are chunked). */
export const MAX_MEM_CHUNK = 4 * 1024 * 1024
export const MAX_CAPABILITY_BYTES = 4096

export const MemRequest = tagged({
  open: [0, struct({ capability: varBytes(MAX_CAPABILITY_BYTES) })],
  read: [1, struct({ offset: u64, length: u32 })],
  write: [2, struct({ offset: u64, data: varBytes(MAX_MEM_CHUNK) })],
  cas: [3, struct({ offset: u64, expected: u64, desired: u64 })],
  fadd: [4, struct({ offset: u64, delta: u64 })]
} as const, u8, 'mem request')
export type MemRequestValue = CoderType<typeof MemRequest>

export const MEM_ERRORS = Object.freeze({
  malformed: 1, notOpen: 2, capability: 3, noRegion: 4, bounds: 5, permission: 6, alignment: 7, tooLarge: 8
} as const)
export type MemErrorCode = typeof MEM_ERRORS[keyof typeof MEM_ERRORS]

export const MemResponse = tagged({
  ok: [0, struct({ asset: bytes(32), size: u64 })],
  data: [1, struct({ data: varBytes(MAX_MEM_CHUNK) })],
  written: [2, struct({ length: u32 })],
  word: [3, struct({ value: u64, swapped: bool })],
  error: [4, struct({ code: u8, message: utf8(300) })]
} as const, u8, 'mem response')
export type MemResponseValue = CoderType<typeof MemResponse>

export function encodeRequest (r: MemRequestValue): Uint8Array { return encodeCanonical(MemRequest, r) }
export function encodeResponse (r: MemResponseValue): Uint8Array { return encodeCanonical(MemResponse, r) }

/** A refusal from the remote node (bounds, permission, capability ...). */
export class MemError extends Error {
  static override readonly name = 'MemError'
  override readonly name = 'MemError'
  readonly code: number
  constructor (code: number, message: string) { super(message); this.code = code }
}
