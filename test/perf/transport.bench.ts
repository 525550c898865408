/**
 * Transport benchmarks on loopback, each beside a raw Node `net` socket
 * moving the same bytes in the same run:
 *  - one-stream throughput over stoq (TCP + noise + yamux, framed chunks)
 *  - echo RTT p50/p99 over a stoq framed protocol session vs raw TCP echo.
 */
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { createStoq } from '../../ts/stoq/index.ts'
import type { Stoq, FramedContext } from '../../ts/stoq/index.ts'
import { median, percentile, rateRow, latencyRow } from './_harness.ts'
import type { BenchOptions, BenchRow } from './_harness.ts'
import { benchBindingAuthority } from '../stoq/_binding.ts'

const MiB = 1024 * 1024
const BULK = '/hypermesh/bench-bulk/1.0.0'
const ECHO = '/hypermesh/bench-echo/1.0.0'

async function rawThroughput (total: number, chunk: number): Promise<number> {
  const buf = new Uint8Array(chunk).fill(7)
  let done!: () => void
  const finished = new Promise<void>(resolve => { done = resolve })
  let got = 0
  const server = net.createServer(sock => {
    sock.on('data', (d: Buffer) => { got += d.length; if (got >= total) { sock.end(); done() } })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const client = net.connect(port, '127.0.0.1')
  await new Promise<void>(resolve => client.once('connect', () => resolve()))
  const t0 = performance.now()
  let sent = 0
  while (sent < total) {
    const n = Math.min(chunk, total - sent)
    sent += n
    if (!client.write(n === chunk ? buf : buf.subarray(0, n))) await new Promise(resolve => client.once('drain', resolve))
  }
  await finished
  const secs = (performance.now() - t0) / 1000
  client.destroy()
  await new Promise(resolve => server.close(resolve))
  return total / MiB / secs
}

async function stoqThroughput (a: Stoq, peer: string, total: number, chunk: number): Promise<number> {
  const buf = new Uint8Array(chunk).fill(7)
  const session = await a.openFramed(peer, BULK, { maxMessageBytes: 4 * MiB, timeoutMs: 120_000 })
  const t0 = performance.now()
  let sent = 0
  while (sent < total) {
    const n = Math.min(chunk, total - sent)
    sent += n
    await session.send(n === chunk ? buf : buf.subarray(0, n))
  }
  const ack = await session.request(new Uint8Array(0), { timeoutMs: 120_000 })
  const secs = (performance.now() - t0) / 1000
  await session.close()
  const counted = Number(new DataView(ack.buffer, ack.byteOffset, 8).getBigUint64(0))
  if (counted !== total) throw new Error(`bulk: peer counted ${counted} of ${total}`)
  return total / MiB / secs
}

async function rawEcho (n: number): Promise<number[]> {
  const server = net.createServer(sock => { sock.setNoDelay(true); sock.on('data', d => sock.write(d)) })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const client = net.connect((server.address() as AddressInfo).port, '127.0.0.1')
  client.setNoDelay(true)
  await new Promise<void>(resolve => client.once('connect', () => resolve()))
  const msg = new Uint8Array(64).fill(1)
  const rtts: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    let got = 0
    await new Promise<void>(resolve => {
      const on = (d: Buffer): void => { got += d.length; if (got >= 64) { client.off('data', on); resolve() } }
      client.on('data', on)
      client.write(msg)
    })
    rtts.push((performance.now() - t0) * 1000)
  }
  client.destroy()
  await new Promise(resolve => server.close(resolve))
  return rtts
}

export async function run (opts: BenchOptions): Promise<BenchRow[]> {
  const total = (opts.quick ? 64 : 256) * MiB
  const runs = opts.quick ? 3 : 5
  const echoes = opts.quick ? 1000 : 5000
  const mk = (i: number): Stoq => createStoq({
    binding: benchBindingAuthority(i),
    probeOnConnect: false,
    peerRateLimit: { messagesPerSecond: 1e7, burstMessages: 1e7, bytesPerSecond: 1e12, burstBytes: 1e12 }
  })
  const a = mk(0)
  const b = mk(1)
  const counts = new WeakMap<FramedContext, number>()
  await b.handleFramed(BULK, (msg, ctx) => {
    if (msg.length > 0) { counts.set(ctx, (counts.get(ctx) ?? 0) + msg.length); return }
    const ack = new Uint8Array(8)
    new DataView(ack.buffer).setBigUint64(0, BigInt(counts.get(ctx) ?? 0))
    counts.set(ctx, 0)
    return ack
  }, { maxMessageBytes: 4 * MiB, rateLimit: { messagesPerSecond: 1e7, burstMessages: 1e7, bytesPerSecond: 1e12, burstBytes: 1e12 } })
  await b.handleFramed(ECHO, msg => msg, { rateLimit: { messagesPerSecond: 1e7, burstMessages: 1e7, bytesPerSecond: 1e12, burstBytes: 1e12 } })
  const rows: BenchRow[] = []
  try {
    await Promise.all([a.start(), b.start()])
    const peer = (await a.connect(b.addresses()[0])).peerId
    for (const chunk of [64 * 1024, 256 * 1024, 1024 * 1024]) {
      await stoqThroughput(a, peer, 8 * MiB, chunk) // warm-up
      await rawThroughput(8 * MiB, chunk)
      const s: number[] = []
      const r: number[] = []
      for (let i = 0; i < runs; i++) {
        r.push(await rawThroughput(total, chunk))
        s.push(await stoqThroughput(a, peer, total, chunk))
        opts.log(`transport: chunk ${chunk / 1024} KiB run ${i}: stoq ${s[i].toFixed(1)} MiB/s, raw ${r[i].toFixed(1)} MiB/s`)
      }
      rows.push(rateRow(`stoq stream throughput (TCP+noise+yamux, ${chunk / 1024} KiB frames)`, median(s), 'MiB/s', 'raw node:net socket, same bytes', median(r), `${total / MiB} MiB per run, median of ${runs}`))
    }
    const session = await a.openFramed(peer, ECHO)
    const msg = new Uint8Array(64).fill(1)
    for (let i = 0; i < 200; i++) await session.request(msg)
    const rtts: number[] = []
    for (let i = 0; i < echoes; i++) {
      const t0 = performance.now()
      await session.request(msg)
      rtts.push((performance.now() - t0) * 1000)
    }
    await session.close()
    const reqRtts: number[] = []
    for (let i = 0; i < Math.min(echoes, 500); i++) {
      const t0 = performance.now()
      await a.requestFramed(peer, ECHO, msg)
      reqRtts.push((performance.now() - t0) * 1000)
    }
    await rawEcho(200)
    const raw = await rawEcho(echoes)
    rows.push(latencyRow('stoq framed echo RTT p50 (session, 64 B)', percentile(rtts, 50), 'µs', 'raw node:net echo p50', percentile(raw, 50), `p99 ${percentile(rtts, 99).toFixed(0)} µs vs raw p99 ${percentile(raw, 99).toFixed(0)} µs; ${echoes} echoes`))
    rows.push(latencyRow('stoq framed echo RTT p99 (session, 64 B)', percentile(rtts, 99), 'µs', 'raw node:net echo p99', percentile(raw, 99)))
    rows.push(latencyRow('stoq requestFramed RTT p50 (new stream per request)', percentile(reqRtts, 50), 'µs', 'raw node:net echo p50', percentile(raw, 50), `p99 ${percentile(reqRtts, 99).toFixed(0)} µs; ${reqRtts.length} requests`))
  } finally {
    await Promise.all([a.stop(), b.stop()])
  }
  return rows
}
