/**
 * Frame channels over the edge relay: how a donor that cannot dial a node
 * reaches its job service through the relay room (both sides are ordinary
 * relay peers; the relay only forwards SEND/DELIVER payloads).
 *
 * Inside the payload of relay frames between a donor and a node
 * (all integers big-endian; the first byte never collides with the node's
 * request/response messages of node-host/node/relay-link.ts, tags 1 and 2):
 *
 * | type | direction | layout |
 * |---|---|---|
 * | `0x20` OPEN   | donor → node | `20 ‖ session u32` |
 * | `0x21` ACCEPT | node → donor | `21 ‖ session u32` |
 * | `0x22` DATA   | both         | `22 ‖ session u32 ‖ flags u8 ‖ chunk` (flags bit 0: last chunk of the frame) |
 * | `0x23` CLOSE  | both         | `23 ‖ session u32 ‖ reason utf8 (≤ 256 bytes)` |
 *
 * A channel frame (≤ MAX_JOB_FRAME_BYTES, 8 MiB) travels as ⌈n / 65 530⌉ DATA
 * chunks; the receiver reassembles, refusing (CLOSE) a frame that grows past
 * its bound before allocating more. The relay keeps one sender's frames in
 * order, so chunks need no sequence numbers. The donor picks `session`
 * (random); the node keys sessions by (donor NodeId, session).
 *
 * Sending is paced (SendPacer) under the relay's per-socket rate limits: a
 * frame over the rate would be dropped by the relay and lose a chunk. One
 * pacer serves every session over the same relay socket.
 */
import { DecodeError, InvalidArgumentError } from '../../ts/errors.ts'
import { DEFAULT_LIMITS, FRAME_HEADER_BYTES, MAX_PAYLOAD_BYTES } from './constants.ts'

/**
 * The job path's frame channel, exactly as fixed in the jobs contract for
 * ts/jobs/channel.ts (structurally the same type; declared here so the relay
 * does not depend on the jobs service being present).
 */
export interface FrameChannel {
  readonly transport: 'webtransport' | 'websocket' | 'relay' | 'thread' | 'loopback'
  send (frame: Uint8Array): void
  onFrame (handler: (frame: Uint8Array) => void): void
  onClose (handler: (err?: Error) => void): void
  close (): void
}
/** Largest job frame (the contract's MAX_JOB_FRAME_BYTES). */
export const MAX_JOB_FRAME_BYTES = 8 * 1024 * 1024

/** send() on a closed channel, or the reason a channel ended (name 'ChannelClosedError', as the contract's). */
export class ChannelClosedError extends Error {
  static override readonly name = 'ChannelClosedError'
  override readonly name = 'ChannelClosedError'
}

export const CHANNEL_MSG = Object.freeze({ Open: 0x20, Accept: 0x21, Data: 0x22, Close: 0x23 } as const)
/** session (4) + flags (1) after the type byte. */
export const DATA_HEADER_BYTES = 6
/** Largest chunk of a channel frame in one relay payload. */
export const MAX_CHUNK_BYTES = MAX_PAYLOAD_BYTES - DATA_HEADER_BYTES
export const MAX_CLOSE_REASON_BYTES = 256
const FLAG_LAST = 1

export type ChannelMessage =
  | { type: 'open', session: number }
  | { type: 'accept', session: number }
  | { type: 'data', session: number, last: boolean, chunk: Uint8Array }
  | { type: 'close', session: number, reason: string }

const te = new TextEncoder()
const td = new TextDecoder('utf-8', { fatal: true })

/** True when a relay payload is a channel message (type byte 0x20–0x23). */
export function isChannelMessage (payload: Uint8Array): boolean {
  return payload.length > 0 && payload[0] >= CHANNEL_MSG.Open && payload[0] <= CHANNEL_MSG.Close
}

function checkSession (session: number): void {
  if (!Number.isInteger(session) || session < 0 || session > 0xffffffff) throw new InvalidArgumentError(`session must be a u32, got ${session}`)
}

function header (type: number, session: number, extra: number): Uint8Array {
  checkSession(session)
  const b = new Uint8Array(5 + extra)
  b[0] = type
  new DataView(b.buffer).setUint32(1, session)
  return b
}

export function encodeOpen (session: number): Uint8Array { return header(CHANNEL_MSG.Open, session, 0) }
export function encodeAccept (session: number): Uint8Array { return header(CHANNEL_MSG.Accept, session, 0) }
export function encodeData (session: number, last: boolean, chunk: Uint8Array): Uint8Array {
  if (chunk.length > MAX_CHUNK_BYTES) throw new InvalidArgumentError(`chunk of ${chunk.length} bytes exceeds ${MAX_CHUNK_BYTES}`)
  const b = header(CHANNEL_MSG.Data, session, 1 + chunk.length)
  b[5] = last ? FLAG_LAST : 0
  b.set(chunk, DATA_HEADER_BYTES)
  return b
}
export function encodeClose (session: number, reason = ''): Uint8Array {
  let r = te.encode(reason)
  if (r.length > MAX_CLOSE_REASON_BYTES) r = te.encode(reason.slice(0, MAX_CLOSE_REASON_BYTES / 4))
  const b = header(CHANNEL_MSG.Close, session, r.length)
  b.set(r, 5)
  return b
}

/** Decodes a channel message; anything else throws DecodeError. `chunk` is a view into `payload`. */
export function decodeChannelMessage (payload: Uint8Array): ChannelMessage {
  if (!(payload instanceof Uint8Array)) throw new DecodeError('relay channel: expected bytes')
  if (payload.length < 5) throw new DecodeError(`relay channel: ${payload.length} bytes is shorter than a header`)
  if (payload.length > MAX_PAYLOAD_BYTES) throw new DecodeError(`relay channel: ${payload.length} bytes exceed ${MAX_PAYLOAD_BYTES}`)
  const session = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(1)
  switch (payload[0]) {
    case CHANNEL_MSG.Open:
    case CHANNEL_MSG.Accept:
      if (payload.length !== 5) throw new DecodeError('relay channel: open/accept carries no body')
      return { type: payload[0] === CHANNEL_MSG.Open ? 'open' : 'accept', session }
    case CHANNEL_MSG.Data: {
      if (payload.length < DATA_HEADER_BYTES) throw new DecodeError('relay channel: data without flags')
      const flags = payload[5]
      if ((flags & ~FLAG_LAST) !== 0) throw new DecodeError(`relay channel: unknown flags ${flags}`)
      return { type: 'data', session, last: (flags & FLAG_LAST) !== 0, chunk: payload.subarray(DATA_HEADER_BYTES) }
    }
    case CHANNEL_MSG.Close: {
      if (payload.length - 5 > MAX_CLOSE_REASON_BYTES) throw new DecodeError('relay channel: close reason too long')
      let reason: string
      try { reason = td.decode(payload.subarray(5)) } catch { throw new DecodeError('relay channel: close reason is not UTF-8') }
      return { type: 'close', session, reason }
    }
    default:
      throw new DecodeError(`relay channel: unknown message type 0x${payload[0].toString(16)}`)
  }
}

/** Per-socket sending limits the pacer keeps under (the relay's, with a margin). */
export interface PaceLimits { msgsPerSec: number, msgBurst: number, bytesPerSec: number, byteBurst: number }
/** 80 % of the relay's default limits. */
export const DEFAULT_PACE: PaceLimits = Object.freeze({
  msgsPerSec: DEFAULT_LIMITS.msgsPerSec * 0.8,
  msgBurst: DEFAULT_LIMITS.msgBurst * 0.8,
  bytesPerSec: DEFAULT_LIMITS.bytesPerSec * 0.8,
  byteBurst: DEFAULT_LIMITS.byteBurst * 0.8
})
/** Bytes a pacer holds before refusing more (a few full job frames). */
export const DEFAULT_MAX_QUEUED_BYTES = 4 * MAX_JOB_FRAME_BYTES

/**
 * FIFO of relay payloads sent through one socket no faster than `limits`
 * (token buckets over frames and bytes, the relay's own accounting: a frame
 * costs its payload plus the 33-byte SEND header).
 */
export class SendPacer {
  private readonly sendNow: (to: Uint8Array, payload: Uint8Array) => void
  private readonly limits: PaceLimits
  private readonly maxQueuedBytes: number
  private readonly queue: Array<{ to: Uint8Array, payload: Uint8Array }> = []
  private head = 0
  private queuedBytes = 0
  private msgs: number
  private bytes: number
  private at = performance.now()
  private timer: ReturnType<typeof setTimeout> | null = null
  private failed: ((err: Error) => void) | null = null

  constructor (sendNow: (to: Uint8Array, payload: Uint8Array) => void, opts: { limits?: PaceLimits, maxQueuedBytes?: number, onError?: (err: Error) => void } = {}) {
    this.sendNow = sendNow
    this.limits = opts.limits ?? DEFAULT_PACE
    this.maxQueuedBytes = opts.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES
    this.msgs = this.limits.msgBurst
    this.bytes = this.limits.byteBurst
    this.failed = opts.onError ?? null
  }

  /** Bytes waiting to be sent. */
  get queued (): number { return this.queuedBytes }

  /** True when `n` more bytes fit in the queue. */
  fits (n: number): boolean { return this.queuedBytes + n <= this.maxQueuedBytes }

  /** Queues a payload (sent at once when the buckets allow). Throws InvalidArgumentError when the queue is full. */
  send (to: Uint8Array, payload: Uint8Array): void {
    if (!this.fits(payload.length)) throw new InvalidArgumentError(`relay send queue full (${this.queuedBytes} bytes waiting)`)
    this.queue.push({ to, payload })
    this.queuedBytes += payload.length
    if (this.timer === null) this.pump()
  }

  private refill (): void {
    const now = performance.now()
    const dt = (now - this.at) / 1000
    this.at = now
    this.msgs = Math.min(this.limits.msgBurst, this.msgs + dt * this.limits.msgsPerSec)
    this.bytes = Math.min(this.limits.byteBurst, this.bytes + dt * this.limits.bytesPerSec)
  }

  private pump (): void {
    this.timer = null
    this.refill()
    while (this.head < this.queue.length) {
      const item = this.queue[this.head]
      const cost = item.payload.length + FRAME_HEADER_BYTES
      if (this.msgs < 1 || this.bytes < cost) {
        const wait = Math.max((1 - this.msgs) / this.limits.msgsPerSec, (cost - this.bytes) / this.limits.bytesPerSec)
        this.timer = setTimeout(() => { this.pump() }, Math.max(1, Math.ceil(wait * 1000)))
        return
      }
      this.msgs -= 1
      this.bytes -= cost
      this.head++
      this.queuedBytes -= item.payload.length
      try { this.sendNow(item.to, item.payload) } catch (err) { this.clear(); this.failed?.(err as Error); return }
    }
    this.queue.length = 0
    this.head = 0
  }

  /** Resolves once nothing is queued (or after `ms`). */
  async drained (ms = 5000): Promise<void> {
    const end = performance.now() + ms
    while (this.head < this.queue.length && performance.now() < end) await new Promise((resolve) => setTimeout(resolve, 5))
  }

  /** Drops everything queued (the socket closed). */
  clear (): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    this.queue.length = 0
    this.head = 0
    this.queuedBytes = 0
  }
}

export interface RelaySessionOptions {
  /** The other end's NodeId. */
  peer: Uint8Array
  session: number
  pacer: SendPacer
  /** Bound on one reassembled frame (default MAX_JOB_FRAME_BYTES). */
  maxFrameBytes?: number
  /** Called once when the session ends (either side), to forget it. */
  onEnd?: () => void
}

/**
 * One end of a relay channel session: a FrameChannel (transport 'relay').
 * Feed it the session's incoming messages with `deliver`; frames received
 * before the first onFrame handler is set are kept (at most maxFrameBytes in
 * all) and handed over then.
 */
export class RelaySession implements FrameChannel {
  readonly transport = 'relay' as const
  readonly peer: Uint8Array
  readonly session: number
  private readonly pacer: SendPacer
  private readonly maxFrameBytes: number
  private readonly onEnd: (() => void) | undefined
  private readonly frameHandlers: Array<(f: Uint8Array) => void> = []
  private readonly closeHandlers: Array<(err?: Error) => void> = []
  private early: Uint8Array[] = []
  private earlyBytes = 0
  private parts: Uint8Array[] = []
  private partBytes = 0
  private closedWith: { err?: Error } | null = null

  constructor (opts: RelaySessionOptions) {
    this.peer = opts.peer
    this.session = opts.session
    this.pacer = opts.pacer
    this.maxFrameBytes = opts.maxFrameBytes ?? MAX_JOB_FRAME_BYTES
    this.onEnd = opts.onEnd
  }

  get closed (): boolean { return this.closedWith !== null }

  send (frame: Uint8Array): void {
    if (this.closedWith !== null) throw new ChannelClosedError('relay channel is closed')
    if (!(frame instanceof Uint8Array)) throw new InvalidArgumentError('frame must be a Uint8Array')
    if (frame.length > this.maxFrameBytes) throw new InvalidArgumentError(`frame of ${frame.length} bytes exceeds ${this.maxFrameBytes}`)
    const chunks = Math.max(1, Math.ceil(frame.length / MAX_CHUNK_BYTES))
    if (!this.pacer.fits(frame.length + chunks * DATA_HEADER_BYTES)) {
      const err = new ChannelClosedError('relay send queue full')
      this.end(err, 'sender overloaded')
      throw err
    }
    for (let i = 0; i < chunks; i++) {
      const chunk = frame.subarray(i * MAX_CHUNK_BYTES, Math.min(frame.length, (i + 1) * MAX_CHUNK_BYTES))
      this.pacer.send(this.peer, encodeData(this.session, i === chunks - 1, chunk))
    }
  }

  onFrame (handler: (frame: Uint8Array) => void): void {
    this.frameHandlers.push(handler)
    if (this.early.length > 0) {
      const early = this.early
      this.early = []
      this.earlyBytes = 0
      for (const f of early) handler(f)
    }
  }

  onClose (handler: (err?: Error) => void): void {
    if (this.closedWith !== null) { const e = this.closedWith.err; queueMicrotask(() => { handler(e) }); return }
    this.closeHandlers.push(handler)
  }

  close (): void { this.end(undefined, 'closed') }

  /** A DATA or CLOSE message of this session from the peer. */
  deliver (m: ChannelMessage): void {
    if (this.closedWith !== null) return
    if (m.type === 'close') { this.end(m.reason === '' || m.reason === 'closed' ? undefined : new ChannelClosedError(`peer closed the relay channel: ${m.reason}`), null); return }
    if (m.type !== 'data') return
    if (this.partBytes + m.chunk.length > this.maxFrameBytes) {
      this.end(new ChannelClosedError(`peer sent a frame over ${this.maxFrameBytes} bytes`), 'frame too large')
      return
    }
    if (m.chunk.length > 0) { this.parts.push(m.chunk.slice()); this.partBytes += m.chunk.length }
    if (!m.last) return
    let frame: Uint8Array
    if (this.parts.length === 1) frame = this.parts[0]
    else {
      frame = new Uint8Array(this.partBytes)
      let o = 0
      for (const p of this.parts) { frame.set(p, o); o += p.length }
    }
    this.parts = []
    this.partBytes = 0
    if (this.frameHandlers.length === 0) {
      if (this.earlyBytes + frame.length > this.maxFrameBytes) { this.end(new ChannelClosedError('frames arrived before anyone listened'), 'receiver not ready'); return }
      this.early.push(frame)
      this.earlyBytes += frame.length
      return
    }
    for (const h of this.frameHandlers) h(frame)
  }

  /**
   * Ends the session: tells the peer (unless `notify` is null, e.g. the peer
   * closed it or the relay socket is gone) and calls the close handlers once.
   */
  end (err: Error | undefined, notify: string | null): void {
    if (this.closedWith !== null) return
    this.closedWith = { err }
    if (notify !== null) { try { this.pacer.send(this.peer, encodeClose(this.session, notify)) } catch { /* socket gone or queue full */ } }
    this.parts = []
    this.early = []
    this.onEnd?.()
    for (const h of this.closeHandlers.splice(0)) h(err)
  }
}
