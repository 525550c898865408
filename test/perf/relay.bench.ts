/**
 * Edge relay through workerd (the wrangler dry-run bundle in Miniflare on
 * loopback), beside a direct loopback WebSocket echo measured in the same run:
 *  - RTT p50/p99 of a 64 B frame: peer A → relay → peer B, B answers → relay → A
 *    vs A → direct WebSocket echo → A;
 *  - frames/s, 64 B payloads, a window of 64 in flight, echoed by B (both
 *    directions counted) vs the same over the direct WebSocket.
 *  - a job-sized frame (256 KiB) round trip over a relay frame channel
 *    (edge-relay/src/channel.ts: 5 chunks each way, reassembled) vs the same
 *    frame echoed over the direct WebSocket.
 * The relay runs with per-socket limits raised out of the way (and the
 * channel's sending pace with them).
 */
import { connect, createJoinToken } from '../../edge-relay/src/index.ts'
import { RelaySession, SendPacer, decodeChannelMessage, isChannelMessage } from '../../edge-relay/src/channel.ts'
import type { RelayClient } from '../../edge-relay/src/index.ts'
import { testKeyPair } from '../fixtures/keys.ts'
import { wranglerDryRun, startRelay, removeDir } from '../edge-relay/_relay.ts'
import { startWsEcho } from '../edge-relay/_ws-echo.ts'
import { percentile, median, latencyRow, rateRow } from './_harness.ts'
import type { BenchOptions, BenchRow } from './_harness.ts'

const PAYLOAD = 64
const WINDOW = 64
const JOB_FRAME = 256 * 1024
const UNPACED = { msgsPerSec: 1e9, msgBurst: 1e9, bytesPerSec: 1e15, byteBurst: 1e15 }

/** One round trip at a time: µs per trip. */
async function rtts (send: () => void, onReply: (fn: () => void) => void, n: number): Promise<number[]> {
  const out: number[] = []
  let resolve: (() => void) | undefined
  onReply(() => { resolve?.() })
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await new Promise<void>((r) => { resolve = r; send() })
    out.push((performance.now() - t0) * 1000)
  }
  return out
}

/** `total` echoes with WINDOW in flight: frames per second, both directions counted. */
async function windowed (send: () => void, onReply: (fn: () => void) => void, total: number): Promise<number> {
  let sent = 0; let got = 0
  let done!: () => void
  const finished = new Promise<void>((r) => { done = r })
  onReply(() => {
    got++
    if (sent < total) { sent++; send() }
    if (got === total) done()
  })
  const t0 = performance.now()
  for (; sent < Math.min(WINDOW, total);) { sent++; send() }
  await Promise.race([finished, new Promise((_r, reject) => setTimeout(() => reject(new Error(`windowed: ${got}/${total} after 60 s`)), 60_000))])
  return (2 * total) / ((performance.now() - t0) / 1000)
}

export async function run (opts: BenchOptions): Promise<BenchRow[]> {
  const n = opts.quick ? 500 : 3000
  const total = opts.quick ? 5000 : 30000
  const runs = opts.quick ? 3 : 5
  const build = await wranglerDryRun()
  if (build.code !== 0) throw new Error(`wrangler dry-run failed:\n${build.output}`)
  const relay = await startRelay(build.outdir, { RELAY_MSGS_PER_SEC: '1000000', RELAY_MSG_BURST: '1000000', RELAY_BYTES_PER_SEC: '1000000000', RELAY_BYTE_BURST: '1000000000' })
  const echo = await startWsEcho()
  let a: RelayClient | undefined
  let b: RelayClient | undefined
  let direct: WebSocket | undefined
  try {
    const room = 'bench'
    a = await connect(relay.url, room, createJoinToken(testKeyPair(0), room), { keepAliveMs: 0 })
    b = await connect(relay.url, room, createJoinToken(testKeyPair(1), room), { keepAliveMs: 0 })
    const bId = b.nodeId; const aId = a.nodeId
    const payload = new Uint8Array(PAYLOAD).fill(0x5a)
    const bb = b
    bb.on('message', (_from, p) => { if (!isChannelMessage(p)) bb.send(aId, p) })
    let relayReply: () => void = () => {}
    a.on('message', (_from, p) => { if (!isChannelMessage(p)) relayReply() })
    const ra = a
    const relaySend = (): void => { ra.send(bId, payload) }
    const relayOn = (fn: () => void): void => { relayReply = fn }

    const ws = new WebSocket(echo.url)
    direct = ws
    ws.binaryType = 'arraybuffer'
    await new Promise<void>((resolve, reject) => { ws.onopen = () => resolve(); ws.onerror = () => reject(new Error('direct WebSocket failed')) })
    let directReply: () => void = () => {}
    ws.onmessage = () => { directReply() }
    const directSend = (): void => { ws.send(payload) }
    const directOn = (fn: () => void): void => { directReply = fn }

    opts.log(`relay: warm-up (${build.outdir})`)
    await rtts(relaySend, relayOn, 200); await rtts(directSend, directOn, 200)
    const relayRtt: number[] = []; const directRtt: number[] = []
    const relayRate: number[] = []; const directRate: number[] = []
    for (let r = 0; r < runs; r++) {
      relayRtt.push(...await rtts(relaySend, relayOn, n))
      directRtt.push(...await rtts(directSend, directOn, n))
      relayRate.push(await windowed(relaySend, relayOn, total))
      directRate.push(await windowed(directSend, directOn, total))
      opts.log(`relay: run ${r + 1}/${runs}: relay ${median(relayRate.slice(-1)).toFixed(0)} frames/s, direct ${median(directRate.slice(-1)).toFixed(0)} frames/s`)
    }
    // job-sized frames: a relay channel session between the same two peers vs the direct WebSocket
    const ab = a; const bbb = b
    const sa = new RelaySession({ peer: bId, session: 1, pacer: new SendPacer((to, p) => { ab.send(to, p) }, { limits: UNPACED }) })
    const sb = new RelaySession({ peer: aId, session: 1, pacer: new SendPacer((to, p) => { bbb.send(to, p) }, { limits: UNPACED }) })
    bb.on('message', (_from, p) => { if (isChannelMessage(p)) sb.deliver(decodeChannelMessage(p)) })
    a.on('message', (_from, p) => { if (isChannelMessage(p)) sa.deliver(decodeChannelMessage(p)) })
    sb.onFrame((f) => { sb.send(f) })
    let chanReply: () => void = () => {}
    sa.onFrame(() => { chanReply() })
    const big = new Uint8Array(JOB_FRAME).fill(0x3c)
    const m = opts.quick ? 20 : 100
    const chanRtt = await rtts(() => { sa.send(big) }, (fn) => { chanReply = fn }, m)
    const directBigRtt = await rtts(() => { ws.send(big) }, directOn, m)
    directReply = () => {}

    const note = (xs: number[]): string => `p99 ${percentile(xs, 99).toFixed(0)} µs; ${xs.length} trips of ${PAYLOAD} B`
    return [
      latencyRow('edge relay RTT p50 (workerd Durable Object, 64 B)', percentile(relayRtt, 50), 'µs', 'direct loopback WebSocket echo p50', percentile(directRtt, 50), `${note(relayRtt)}; direct ${note(directRtt)}`),
      latencyRow('edge relay RTT p99 (workerd Durable Object, 64 B)', percentile(relayRtt, 99), 'µs', 'direct loopback WebSocket echo p99', percentile(directRtt, 99)),
      rateRow('edge relay frames/s (64 B, window 64, echoed)', median(relayRate), 'frames/s', 'direct loopback WebSocket echo', median(directRate), `median of ${runs} runs of ${total} echoes; both directions counted`),
      latencyRow('relay frame channel RTT p50 (256 KiB job frame, 5 chunks each way)', percentile(chanRtt, 50), 'µs', 'direct loopback WebSocket echo of 256 KiB p50', percentile(directBigRtt, 50), `p99 ${percentile(chanRtt, 99).toFixed(0)} µs vs direct ${percentile(directBigRtt, 99).toFixed(0)} µs; ${m} trips`)
    ]
  } finally {
    direct?.close()
    await a?.close().catch(() => undefined)
    await b?.close().catch(() => undefined)
    await relay.dispose()
    await echo.close()
    await removeDir(build.outdir)
  }
}
