/**
 * Frame channels: how a donor (a browser, a Node process, a worker thread)
 * and a node's job service exchange the messages of ./protocol.ts. Each
 * transport (WebSocket, WebTransport stream, edge relay session, in-memory
 * pair) is wrapped into the same small interface, so the coordinator and the
 * donor never know which one carries them. Platform-neutral.
 */
import { InvalidArgumentError } from '../errors.ts'

/** An ordered, reliable channel of binary frames. */
export interface FrameChannel {
  /** How the bytes travel: shown on the donate page, recorded by the node. */
  readonly transport: 'webtransport' | 'websocket' | 'relay' | 'thread' | 'loopback'
  /** Sends one frame; throws ChannelClosedError once closed, InvalidArgumentError past MAX_JOB_FRAME_BYTES. */
  send (frame: Uint8Array): void
  onFrame (handler: (frame: Uint8Array) => void): void
  onClose (handler: (err?: Error) => void): void
  close (): void
}

/** Largest frame either side sends or accepts. */
export const MAX_JOB_FRAME_BYTES = 8 * 1024 * 1024

/** send() on a closed channel, or the reason a channel ended. */
export class ChannelClosedError extends Error {
  static override readonly name = 'ChannelClosedError'
  override readonly name = 'ChannelClosedError'
}

/** Frames that arrive before a handler is set are kept (bounded) and delivered to the first handler. */
class Handlers {
  private frameFns: Array<(f: Uint8Array) => void> = []
  private closeFns: Array<(err?: Error) => void> = []
  private early: Uint8Array[] = []
  closed = false
  closeErr: Error | undefined
  onFrame (fn: (f: Uint8Array) => void): void {
    this.frameFns.push(fn)
    if (this.frameFns.length === 1 && this.early.length > 0) { const e = this.early; this.early = []; for (const f of e) fn(f) }
  }
  onClose (fn: (err?: Error) => void): void {
    if (this.closed) { queueMicrotask(() => fn(this.closeErr)); return }
    this.closeFns.push(fn)
  }
  frame (f: Uint8Array): void {
    if (this.closed) return
    if (this.frameFns.length === 0) { if (this.early.length < 1024) this.early.push(f); return }
    for (const fn of this.frameFns) fn(f)
  }
  close (err?: Error): void {
    if (this.closed) return
    this.closed = true
    this.closeErr = err
    const fns = this.closeFns; this.closeFns = []
    for (const fn of fns) fn(err)
  }
}

function checkFrame (frame: Uint8Array): void {
  if (!(frame instanceof Uint8Array)) throw new InvalidArgumentError('a frame is a Uint8Array')
  if (frame.length > MAX_JOB_FRAME_BYTES) throw new InvalidArgumentError(`frame of ${frame.length} bytes exceeds ${MAX_JOB_FRAME_BYTES}`)
}

/** Two linked in-memory channels (transport 'loopback' unless given): what one sends the other receives, asynchronously, in order. */
export function channelPair (transport: FrameChannel['transport'] = 'loopback'): [FrameChannel, FrameChannel] {
  const h = [new Handlers(), new Handlers()]
  const make = (me: number): FrameChannel => ({
    transport,
    send (frame) {
      if (h[me].closed) throw new ChannelClosedError('channel is closed')
      checkFrame(frame)
      const copy = frame.slice()
      queueMicrotask(() => h[1 - me].frame(copy))
    },
    onFrame (fn) { h[me].onFrame(fn) },
    onClose (fn) { h[me].onClose(fn) },
    close () { if (h[me].closed) return; h[me].close(); queueMicrotask(() => h[1 - me].close(new ChannelClosedError('the other end closed'))) }
  })
  return [make(0), make(1)]
}

/** The parts of a standard WebSocket (browsers, Node 22's global WebSocket, the `ws` package) this module uses. */
export interface WebSocketLike {
  readonly readyState: number
  binaryType: string
  send (data: Uint8Array): void
  close (code?: number, reason?: string): void
  addEventListener (type: 'message', fn: (ev: { data: unknown }) => void): void
  addEventListener (type: 'close', fn: (ev: { code?: number, reason?: string }) => void): void
  addEventListener (type: 'error', fn: (ev: unknown) => void): void
}

/**
 * Wraps an open WebSocket: one binary message is one frame. A text message
 * or an oversized one closes the socket (1003 / 1009) with ChannelClosedError.
 */
export function webSocketChannel (ws: WebSocketLike, transport: FrameChannel['transport'] = 'websocket'): FrameChannel {
  const h = new Handlers()
  ws.binaryType = 'arraybuffer'
  const fail = (code: number, why: string): void => { try { ws.close(code, why) } catch { /* already closing */ } h.close(new ChannelClosedError(why)) }
  ws.addEventListener('message', (ev) => {
    const d = ev.data
    let f: Uint8Array
    if (d instanceof ArrayBuffer) f = new Uint8Array(d)
    else if (ArrayBuffer.isView(d)) f = new Uint8Array(d.buffer, d.byteOffset, d.byteLength)
    else { fail(1003, 'text messages are not frames'); return }
    if (f.length > MAX_JOB_FRAME_BYTES) { fail(1009, `frame of ${f.length} bytes exceeds ${MAX_JOB_FRAME_BYTES}`); return }
    h.frame(f)
  })
  ws.addEventListener('close', (ev) => { h.close(new ChannelClosedError(`socket closed (${ev.code ?? 0}${ev.reason !== undefined && ev.reason !== '' ? `: ${ev.reason}` : ''})`)) })
  ws.addEventListener('error', () => { h.close(new ChannelClosedError('socket error')) })
  return {
    transport,
    send (frame) {
      if (h.closed || ws.readyState > 1) throw new ChannelClosedError('channel is closed')
      checkFrame(frame)
      ws.send(frame)
    },
    onFrame (fn) { h.onFrame(fn) },
    onClose (fn) { h.onClose(fn) },
    close () { if (h.closed) return; try { ws.close(1000, 'done') } catch { /* already closing */ } h.close() }
  }
}
