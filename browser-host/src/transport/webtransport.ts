/**
 * The donate page's WebTransport transport: one bidirectional stream per
 * session carrying u32 big-endian length-prefixed frames (≤ MAX_JOB_FRAME_BYTES),
 * to the node's WebTransport gateway, which pins its self-issued certificate
 * by hash (`serverCertificateHashes`).
 */
import { ChannelClosedError, MAX_JOB_FRAME_BYTES, type FrameChannel } from '../../../ts/jobs/channel.ts'

function b64ToBytes (s: string): Uint8Array {
  const bin = atob(s)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

/** True when this browser has WebTransport. */
export function hasWebTransport (): boolean { return typeof (globalThis as { WebTransport?: unknown }).WebTransport === 'function' }

export async function openWebTransportChannel (url: string, certHashes: string[], timeoutMs = 10_000): Promise<FrameChannel> {
  const WT = (globalThis as unknown as { WebTransport: new (url: string, o: unknown) => { ready: Promise<void>, closed: Promise<unknown>, close: () => void, createBidirectionalStream: () => Promise<{ readable: ReadableStream<Uint8Array>, writable: WritableStream<Uint8Array> }> } }).WebTransport
  const wt = new WT(url, { serverCertificateHashes: certHashes.map((h) => ({ algorithm: 'sha-256', value: b64ToBytes(h) })) })
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    await Promise.race([wt.ready, new Promise((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`no WebTransport session with ${url} within ${timeoutMs} ms`)), timeoutMs) })])
  } catch (err) { try { wt.close() } catch { /* never opened */ } throw err } finally { clearTimeout(timer) }
  const stream = await wt.createBidirectionalStream()
  const writer = stream.writable.getWriter()
  const reader = stream.readable.getReader()
  const frameFns: Array<(f: Uint8Array) => void> = []
  const closeFns: Array<(e?: Error) => void> = []
  const early: Uint8Array[] = []
  let closed = false
  const finish = (err?: Error): void => {
    if (closed) return
    closed = true
    for (const fn of closeFns.splice(0)) fn(err)
    try { wt.close() } catch { /* closed */ }
  }
  void wt.closed.then(() => { finish(new ChannelClosedError('WebTransport session closed')) }, (e: unknown) => { finish(new ChannelClosedError(`WebTransport session failed: ${String(e)}`)) })
  void (async () => {
    let buf = new Uint8Array(0)
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        const next = new Uint8Array(buf.length + value.length); next.set(buf); next.set(value, buf.length); buf = next
        while (buf.length >= 4) {
          const n = new DataView(buf.buffer, buf.byteOffset, 4).getUint32(0)
          if (n > MAX_JOB_FRAME_BYTES) { finish(new ChannelClosedError(`frame of ${n} bytes exceeds ${MAX_JOB_FRAME_BYTES}`)); return }
          if (buf.length < 4 + n) break
          const f = buf.slice(4, 4 + n)
          buf = buf.slice(4 + n)
          if (frameFns.length === 0) early.push(f); else for (const fn of frameFns) fn(f)
        }
      }
      finish(new ChannelClosedError('the gateway ended the stream'))
    } catch (err) { finish(new ChannelClosedError(`WebTransport stream failed: ${(err as Error).message}`)) }
  })()
  return {
    transport: 'webtransport',
    send (frame) {
      if (closed) throw new ChannelClosedError('channel is closed')
      if (frame.length > MAX_JOB_FRAME_BYTES) throw new RangeError(`frame of ${frame.length} bytes exceeds ${MAX_JOB_FRAME_BYTES}`)
      const out = new Uint8Array(4 + frame.length)
      new DataView(out.buffer).setUint32(0, frame.length)
      out.set(frame, 4)
      writer.write(out).catch((err: unknown) => { finish(new ChannelClosedError(`WebTransport write failed: ${String(err)}`)) })
    },
    onFrame (fn) { frameFns.push(fn); if (frameFns.length === 1) for (const f of early.splice(0)) fn(f) },
    onClose (fn) { if (closed) queueMicrotask(() => fn()); else closeFns.push(fn) },
    close () { finish() }
  }
}
