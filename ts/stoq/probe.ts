/**
 * The link probe, `/hypermesh/probe/1.0.0`. Frames, first byte a tag:
 *   0x01 ‖ 8 bytes   ping, echoed back unchanged
 *   0x02 ‖ payload   bulk bytes, counted
 *   0x03             end of bulk; answered by 0x03 ‖ u64be bytes received
 * The client times `pings` echoes (RTT), then pushes `bytes` and times until
 * the answer: throughput = bytes / (elapsed - min RTT).
 */
import { DecodeError } from '../errors.ts'
import { LINK_TIERS, MAX_PROBE_BYTES, PROBE_CHUNK_BYTES } from './constants.ts'
import type { LinkTier } from './constants.ts'
import { classifyLink } from './tiers.ts'
import type { FramedStream } from './_framed-stream.ts'
import type { BufferPool } from './buffer-pool.ts'
import { RemoteRefusedError } from './errors.ts'

const PING = 0x01
const DATA = 0x02
const DONE = 0x03

/** Largest probe frame (a DATA frame of one chunk). */
export const PROBE_MAX_FRAME = PROBE_CHUNK_BYTES + 1

export interface ProbeResult {
  /** RTT of each ping, ms. */
  rttsMs: number[]
  rttMinMs: number
  rttMedianMs: number
  /** Payload pushed and acknowledged. */
  bytes: number
  transferMs: number
  throughputMbps: number
  tier: Readonly<LinkTier>
}

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Client side: runs pings then a bulk push on `fs`, using one pooled chunk (sent repeatedly, never written while in flight). */
export async function runProbe (fs: FramedStream, opts: { pings: number, bytes: number, pool: BufferPool, signal?: AbortSignal }): Promise<ProbeResult> {
  const rtts: number[] = []
  const ping = new Uint8Array(9)
  ping[0] = PING
  for (let i = 0; i < opts.pings; i++) {
    crypto.getRandomValues(ping.subarray(1))
    const t0 = performance.now()
    await fs.write(ping, opts.signal)
    const echo = await fs.read(opts.signal)
    const dt = performance.now() - t0
    if (echo === undefined || echo.length !== 9 || echo.some((b, j) => b !== ping[j])) throw new RemoteRefusedError('probe: bad ping echo')
    rtts.push(dt)
  }
  const chunk = opts.pool.acquire()
  try {
    if (chunk.length !== PROBE_MAX_FRAME) throw new RangeError('probe pool must hold PROBE_MAX_FRAME-byte buffers')
    chunk[0] = DATA
    crypto.getRandomValues(chunk.subarray(1, 1 + Math.min(65536, PROBE_CHUNK_BYTES)))
    const t0 = performance.now()
    let sent = 0
    while (sent < opts.bytes) {
      const n = Math.min(PROBE_CHUNK_BYTES, opts.bytes - sent)
      await fs.write(n === PROBE_CHUNK_BYTES ? chunk : chunk.subarray(0, n + 1), opts.signal)
      sent += n
    }
    await fs.write(Uint8Array.of(DONE), opts.signal)
    const ack = await fs.read(opts.signal)
    const elapsed = performance.now() - t0
    if (ack === undefined || ack.length !== 9 || ack[0] !== DONE) throw new RemoteRefusedError('probe: bad bulk acknowledgement')
    const got = Number(new DataView(ack.buffer, ack.byteOffset, 9).getBigUint64(1))
    if (got !== sent) throw new RemoteRefusedError(`probe: peer counted ${got} of ${sent} bytes`)
    const rttMin = rtts.length > 0 ? Math.min(...rtts) : 0
    const transferMs = Math.max(elapsed - rttMin, elapsed / 2, 0.001)
    const mbps = sent === 0 ? 0 : (sent * 8) / (transferMs / 1000) / 1e6
    return {
      rttsMs: rtts,
      rttMinMs: rttMin,
      rttMedianMs: rtts.length > 0 ? median(rtts) : 0,
      bytes: sent,
      transferMs,
      throughputMbps: mbps,
      tier: sent === 0 ? LINK_TIERS[0] : classifyLink(mbps)
    }
  } finally {
    opts.pool.release(chunk)
  }
}

/**
 * Server side: answers pings and counts bulk bytes until the client closes.
 * `beforeFrame` is the rate-limit hook (it may delay). Throws DecodeError on
 * an unknown tag or more than MAX_PROBE_BYTES of bulk on one stream.
 */
export async function serveProbe (fs: FramedStream, opts: { beforeFrame: (bytes: number) => Promise<void>, signal?: AbortSignal }): Promise<void> {
  let received = 0
  for (;;) {
    const f = await fs.read(opts.signal)
    if (f === undefined) return
    await opts.beforeFrame(f.length)
    if (f.length === 0) throw new DecodeError('probe: empty frame')
    switch (f[0]) {
      case PING:
        if (f.length !== 9) throw new DecodeError('probe: ping must be 9 bytes')
        await fs.write(f, opts.signal)
        break
      case DATA:
        received += f.length - 1
        if (received > MAX_PROBE_BYTES) throw new DecodeError(`probe: more than ${MAX_PROBE_BYTES} bulk bytes`)
        break
      case DONE: {
        if (f.length !== 1) throw new DecodeError('probe: done must be 1 byte')
        const ack = new Uint8Array(9)
        ack[0] = DONE
        new DataView(ack.buffer).setBigUint64(1, BigInt(received))
        received = 0
        await fs.write(ack, opts.signal)
        break
      }
      default:
        throw new DecodeError(`probe: unknown tag ${f[0]}`)
    }
  }
}
