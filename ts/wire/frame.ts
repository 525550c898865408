/**
 * Length-framed messages for stream protocols: `uvarint(length) ‖ payload`.
 * `FrameDecoder` reassembles frames from arbitrary chunks; the length is
 * checked against the frame limit as soon as its header is read, before any
 * of the body is buffered, and partial bodies are held only as the bytes
 * actually received (a header claiming 2^50 bytes costs nothing).
 */
import { Writer, Reader } from './coder.ts'
import { writeUvarint, readUvarint, uvarintLength } from './primitives.ts'
import { DEFAULT_MAX_FRAME_BYTES, MAX_FRAME_LIMIT, MAX_UVARINT_BYTES } from './constants.ts'
import { AbortError, DecodeError, InvalidArgumentError } from '../errors.ts'

export interface FrameOptions {
  /** Largest payload accepted (default 4 MiB, at most 1 GiB). */
  maxFrameBytes?: number
}

function frameLimit (opts?: FrameOptions): number {
  const max = opts?.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
  if (!Number.isSafeInteger(max) || max < 0 || max > MAX_FRAME_LIMIT) throw new InvalidArgumentError(`maxFrameBytes must be an integer in [0, ${MAX_FRAME_LIMIT}], got ${String(max)}`)
  return max
}

/** The uvarint header of a frame whose payload is `length` bytes (send it before the payload to avoid a copy). */
export function frameHeader (length: number, opts?: FrameOptions): Uint8Array {
  const max = frameLimit(opts)
  if (!Number.isSafeInteger(length) || length < 0 || length > max) throw new InvalidArgumentError(`frame length must be an integer in [0, ${max}], got ${String(length)}`)
  const w = new Writer(uvarintLength(length))
  writeUvarint(w, length)
  return w.finish()
}

/** `uvarint(payload.length) ‖ payload`. */
export function encodeFrame (payload: Uint8Array, opts?: FrameOptions): Uint8Array {
  if (!(payload instanceof Uint8Array)) throw new InvalidArgumentError('payload must be a Uint8Array')
  const h = frameHeader(payload.length, opts)
  const out = new Uint8Array(h.length + payload.length)
  out.set(h)
  out.set(payload, h.length)
  return out
}

/** The payload of `bytes`, which must be exactly one frame (a view, no copy). */
export function decodeFrame (bytes: Uint8Array, opts?: FrameOptions): Uint8Array {
  const max = frameLimit(opts)
  const r = new Reader(bytes)
  const len = readUvarint(r, 'frame length')
  if (len > max) throw r.fail('frame', `length ${len} exceeds the limit ${max}`)
  const payload = r.take(len, 'frame payload')
  if (r.remaining !== 0) throw r.fail('frame', `${r.remaining} trailing byte(s)`)
  return payload
}

/**
 * Streaming frame reassembly. `push(chunk)` returns the frames completed by
 * that chunk, in order. Frames that lie whole inside one chunk are views of
 * it (no copy) — don't reuse a chunk's memory after pushing it. After any
 * error the decoder stays failed.
 */
export class FrameDecoder {
  readonly maxFrameBytes: number
  /** Body length of the frame being read, or -1 while reading a header. */
  private want = -1
  private hdrValue = 0
  private hdrBytes = 0
  private hdrMul = 1
  private parts: Uint8Array[] = []
  private have = 0
  private error: DecodeError | undefined

  constructor (opts?: FrameOptions) {
    this.maxFrameBytes = frameLimit(opts)
  }

  /** Bytes of an incomplete frame held (header bytes not counted). */
  get bufferedBytes (): number {
    return this.have
  }

  /** True when no partial frame is pending. */
  get idle (): boolean {
    return this.want < 0 && this.hdrBytes === 0
  }

  push (chunk: Uint8Array): Uint8Array[] {
    if (this.error !== undefined) throw this.error
    if (!(chunk instanceof Uint8Array)) throw new InvalidArgumentError('chunk must be a Uint8Array')
    const out: Uint8Array[] = []
    let i = 0
    const n = chunk.length
    while (i < n) {
      if (this.want < 0) {
        i = this.readHeader(chunk, i, out)
        continue
      }
      const need = this.want - this.have
      const avail = n - i
      if (this.have === 0 && avail >= need) {
        out.push(chunk.subarray(i, i + need))
        i += need
        this.want = -1
        continue
      }
      const take = Math.min(need, avail)
      this.parts.push(chunk.subarray(i, i + take)) // a view: callers never reuse a pushed chunk (see above); concat copies once
      this.have += take
      i += take
      if (this.have === this.want) {
        out.push(concat(this.parts, this.want))
        this.parts = []
        this.have = 0
        this.want = -1
      }
    }
    return out
  }

  /** Call at end of stream: throws DecodeError if a frame was cut off. */
  finish (): void {
    if (this.error !== undefined) throw this.error
    if (!this.idle) throw this.fail(this.want < 0 ? 'stream ended inside a frame header' : `stream ended inside a frame: ${this.have} of ${this.want} bytes`)
  }

  private readHeader (chunk: Uint8Array, i: number, out: Uint8Array[]): number {
    const n = chunk.length
    while (i < n) {
      const b = chunk[i++]
      this.hdrBytes++
      if (this.hdrBytes === MAX_UVARINT_BYTES && b > 0x0f) throw this.fail('frame length exceeds 2^53-1')
      this.hdrValue += (b & 0x7f) * this.hdrMul
      if (this.hdrValue > this.maxFrameBytes) throw this.fail(`frame length ${this.hdrValue}${b >= 0x80 ? '+' : ''} exceeds the limit ${this.maxFrameBytes}`)
      if (b < 0x80) {
        if (b === 0 && this.hdrBytes > 1) throw this.fail('frame length: non-minimal encoding')
        const len = this.hdrValue
        this.hdrValue = 0
        this.hdrBytes = 0
        this.hdrMul = 1
        if (len === 0) out.push(new Uint8Array(0))
        else this.want = len
        return i
      }
      this.hdrMul *= 0x80
    }
    return i
  }

  private fail (msg: string): DecodeError {
    this.error = new DecodeError(msg)
    this.parts = []
    this.have = 0
    return this.error
  }
}

function concat (parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]
  const out = new Uint8Array(total)
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}

/** A chunk as libp2p streams yield it: bytes, or a Uint8ArrayList-like with `subarray()`. */
export type Chunk = Uint8Array | { subarray: () => Uint8Array }

/**
 * Frames from a stream of chunks. Throws DecodeError on an oversize or
 * malformed frame or a frame cut off at the end, AbortError when `signal` fires.
 */
export async function * decodeFrames (source: AsyncIterable<Chunk> | Iterable<Chunk>, opts?: FrameOptions & { signal?: AbortSignal }): AsyncGenerator<Uint8Array, void, undefined> {
  const dec = new FrameDecoder(opts)
  const signal = opts?.signal
  for await (const chunk of source) {
    if (signal?.aborted === true) throw new AbortError(undefined, { cause: signal.reason })
    const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray()
    for (const f of dec.push(bytes)) yield f
  }
  dec.finish()
}
