/**
 * Length-framed messages (ts/wire frames: `uvarint(length) ‖ payload`) over a
 * libp2p 3 `Stream`. libp2p 3 streams are event based: `send()` returns false
 * when the write buffer is full (wait for 'drain'), and reading is async
 * iteration over chunks. Frame lengths are checked against the limit as soon
 * as the header arrives, before any body byte is buffered.
 */
import type { Stream } from '@libp2p/interface'
import { FrameDecoder, frameHeader } from '../wire/index.ts'
import { AbortError } from '../errors.ts'
import { MessageTooLargeError, RemoteRefusedError, TimeoutError } from './errors.ts'

/** What a libp2p 3 stream yields: a buffer, or a list of buffers (uint8arraylist's Uint8ArrayList, iterable over its parts). */
type Chunk = Uint8Array | (Iterable<Uint8Array> & { byteLength: number })

/** Messages up to this size are copied behind their header and sent in one piece. */
const COALESCE_BYTES = 32 * 1024

export interface FramedStreamInit {
  maxFrameBytes: number
  /** Called with the byte count of every chunk read / frame written (metrics). */
  onBytesIn?: (n: number) => void
  onBytesOut?: (n: number) => void
}

function abortReason (signal: AbortSignal): Error {
  const r: any = signal.reason
  if (r?.name === 'TimeoutError') return r instanceof TimeoutError ? r : new TimeoutError('operation timed out', { cause: r })
  return r instanceof AbortError ? r : new AbortError(undefined, { cause: r })
}

export class FramedStream {
  readonly stream: Stream
  private readonly decoder: FrameDecoder
  private readonly frames: Uint8Array[] = []
  private readonly iter: AsyncIterator<Chunk>
  private readonly init: FramedStreamInit
  private ended = false

  constructor (stream: Stream, init: FramedStreamInit) {
    this.stream = stream
    this.init = init
    this.decoder = new FrameDecoder({ maxFrameBytes: init.maxFrameBytes })
    this.iter = stream[Symbol.asyncIterator]()
  }

  /**
   * The next frame, or `undefined` when the remote closed its side cleanly
   * between frames. Throws MessageTooLargeError (over the limit), DecodeError
   * (malformed or cut off), RemoteRefusedError (reset), AbortError/TimeoutError.
   */
  async read (signal?: AbortSignal): Promise<Uint8Array | undefined> {
    for (;;) {
      const f = this.frames.shift()
      if (f !== undefined) return f
      if (this.ended) return undefined
      let r: IteratorResult<Chunk>
      try {
        r = await raceAbort(this.iter.next(), signal)
      } catch (err: any) {
        if (err?.name === 'AbortError' || err?.name === 'TimeoutError') throw err
        throw new RemoteRefusedError(`stream ${this.stream.protocol ?? ''} failed: ${String(err?.message ?? err)}`, { cause: err })
      }
      if (r.done === true) {
        this.ended = true
        this.decoder.finish()
        if (this.stream.status === 'reset' || this.stream.status === 'aborted') throw new RemoteRefusedError(`stream ${this.stream.protocol ?? ''} was reset`)
        continue
      }
      this.init.onBytesIn?.(r.value.byteLength)
      try {
        // A chunk from the muxer is often a list of several buffers: feed them
        // one by one (the decoder keeps views) instead of concatenating them first.
        if (r.value instanceof Uint8Array) this.pushBytes(r.value)
        else for (const part of r.value) this.pushBytes(part)
      } catch (err: any) {
        if (err?.name === 'DecodeError' && /exceeds/.test(String(err.message))) {
          throw new MessageTooLargeError(`frame over the limit of ${this.init.maxFrameBytes} bytes`, { cause: err })
        }
        throw err
      }
    }
  }

  private pushBytes (bytes: Uint8Array): void {
    for (const frame of this.decoder.push(bytes)) this.frames.push(frame)
  }

  /**
   * Sends one frame; waits for the stream to drain when its buffer is full.
   * `signal` may be a function: it is called only when there is a wait (so a
   * write that completes at once allocates no signal and no timer).
   */
  async write (payload: Uint8Array, signal?: AbortSignal | (() => AbortSignal)): Promise<void> {
    if (payload.byteLength > this.init.maxFrameBytes) throw new MessageTooLargeError(`message of ${payload.byteLength} bytes over the limit of ${this.init.maxFrameBytes}`)
    const header = frameHeader(payload.byteLength, { maxFrameBytes: this.init.maxFrameBytes })
    let ok: boolean
    if (payload.byteLength <= COALESCE_BYTES) {
      // One send, so one muxer frame and one noise message: a separate header
      // send costs its own frame, encryption and socket writes (more than the copy).
      const one = new Uint8Array(header.byteLength + payload.byteLength)
      one.set(header, 0)
      one.set(payload, header.byteLength)
      ok = this.stream.send(one)
    } else {
      this.stream.send(header)
      ok = this.stream.send(payload)
    }
    this.init.onBytesOut?.(header.byteLength + payload.byteLength)
    if (!ok) {
      const s = typeof signal === 'function' ? signal() : signal
      await raceAbort(this.stream.onDrain({ signal: s }), s)
    }
  }

  /** Closes our writing side, flushing what is queued. */
  async closeWrite (signal?: AbortSignal): Promise<void> {
    await this.stream.close({ signal })
  }

  abort (err: Error): void {
    this.stream.abort(err)
  }
}

/** `p`, or a rejection with AbortError/TimeoutError when `signal` fires first. */
export async function raceAbort<T> (p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal === undefined) return await p
  if (signal.aborted) {
    p.catch(() => {})
    throw abortReason(signal)
  }
  let onAbort: (() => void) | undefined
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(abortReason(signal))
    signal.addEventListener('abort', onAbort, { once: true })
  })
  aborted.catch(() => {}) // the race below observes it; this one must never be an unhandled rejection
  try {
    return await Promise.race([p, aborted])
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort)
    p.catch(() => {})
  }
}
