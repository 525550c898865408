/**
 * Transport benchmarks on loopback between two processes (the receiver runs
 * in test/perf/_transport-peer.ts, so each side has its own core as two hosts
 * would), each beside a raw Node `net` socket to the same peer process moving
 * the same bytes in the same run:
 *  - one-stream throughput over stoq (TCP + noise + yamux, framed chunks)
 *  - echo RTT p50/p99 over a stoq framed protocol session vs raw TCP echo.
 */
import net from 'node:net'
import { readFileSync } from 'node:fs'
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { createStoq } from '../../ts/stoq/index.ts'
import type { Stoq } from '../../ts/stoq/index.ts'
import { median, percentile, rateRow, latencyRow } from './_harness.ts'
import type { BenchOptions, BenchRow } from './_harness.ts'
import { benchBindingAuthority } from '../stoq/_binding.ts'

const MiB = 1024 * 1024
const BULK = '/hypermesh/bench-bulk/1.0.0'
const ECHO = '/hypermesh/bench-echo/1.0.0'
const PEER = path.join(import.meta.dirname, '_transport-peer.ts')

export interface Peer { proc: ChildProcess, stoq: string, rawSink: number, rawEcho: number }

export async function startPeer (): Promise<Peer> {
  const proc = spawn(process.execPath, [PEER], { stdio: ['pipe', 'pipe', 'inherit'] })
  const info = await new Promise<Omit<Peer, 'proc'>>((resolve, reject) => {
    let buf = ''
    const t = setTimeout(() => reject(new Error('transport peer did not start in 30 s')), 30_000)
    proc.stdout?.on('data', (d: Buffer) => {
      buf += d.toString()
      const nl = buf.indexOf('\n')
      if (nl >= 0) { clearTimeout(t); resolve(JSON.parse(buf.slice(0, nl))) }
    })
    proc.once('exit', (code) => { clearTimeout(t); reject(new Error(`transport peer exited (${code})`)) })
  })
  return { proc, ...info }
}

/** CPU time (user + system, ms) a process has used so far; NaN where /proc is missing. */
function cpuMs (pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid ?? 'self'}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(f[11]) + Number(f[12])) * 10 // clock ticks of 10 ms
  } catch { return NaN }
}

export async function rawThroughput (port: number, total: number, chunk: number): Promise<number> {
  const buf = new Uint8Array(chunk).fill(7)
  const client = net.connect(port, '127.0.0.1')
  await new Promise<void>(resolve => client.once('connect', () => resolve()))
  const acked = new Promise<number>((resolve, reject) => {
    const parts: Buffer[] = []
    client.on('data', (d: Buffer) => { parts.push(d) })
    client.on('end', () => { const a = Buffer.concat(parts); a.length === 8 ? resolve(Number(a.readBigUInt64BE(0))) : reject(new Error('raw sink: bad ack')) })
    client.on('error', reject)
  })
  const t0 = performance.now()
  let sent = 0
  while (sent < total) {
    const n = Math.min(chunk, total - sent)
    sent += n
    if (!client.write(n === chunk ? buf : buf.subarray(0, n))) await new Promise(resolve => client.once('drain', resolve))
  }
  client.end()
  const counted = await acked
  const secs = (performance.now() - t0) / 1000
  client.destroy()
  if (counted !== total) throw new Error(`raw: peer counted ${counted} of ${total}`)
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

export async function rawEcho (port: number, n: number): Promise<number[]> {
  const client = net.connect(port, '127.0.0.1')
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
  return rtts
}

export async function run (opts: BenchOptions): Promise<BenchRow[]> {
  const total = (opts.quick ? 64 : 256) * MiB
  const runs = opts.quick ? 3 : 5
  const echoes = opts.quick ? 1000 : 5000
  const a: Stoq = createStoq({
    binding: benchBindingAuthority(0),
    probeOnConnect: false,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    peerRateLimit: { messagesPerSecond: 1e7, burstMessages: 1e7, bytesPerSecond: 1e12, burstBytes: 1e12 }
  })
  const remote = await startPeer()
  const rows: BenchRow[] = []
  try {
    await a.start()
    const peer = (await a.connect(remote.stoq)).peerId
    for (const chunk of [64 * 1024, 256 * 1024, 1024 * 1024]) {
      await stoqThroughput(a, peer, 8 * MiB, chunk) // warm-up
      await rawThroughput(remote.rawSink, 8 * MiB, chunk)
      const s: number[] = []
      const r: number[] = []
      const cpu = { stoqRecv: [] as number[], rawRecv: [] as number[], stoqSend: [] as number[], rawSend: [] as number[] }
      for (let i = 0; i < runs; i++) {
        let p0 = cpuMs(remote.proc.pid); let m0 = cpuMs(undefined)
        r.push(await rawThroughput(remote.rawSink, total, chunk))
        let p1 = cpuMs(remote.proc.pid); let m1 = cpuMs(undefined)
        cpu.rawRecv.push((p1 - p0) / (total / MiB)); cpu.rawSend.push((m1 - m0) / (total / MiB))
        p0 = p1; m0 = m1
        s.push(await stoqThroughput(a, peer, total, chunk))
        p1 = cpuMs(remote.proc.pid); m1 = cpuMs(undefined)
        cpu.stoqRecv.push((p1 - p0) / (total / MiB)); cpu.stoqSend.push((m1 - m0) / (total / MiB))
        opts.log(`transport: chunk ${chunk / 1024} KiB run ${i}: stoq ${s[i].toFixed(1)} MiB/s, raw ${r[i].toFixed(1)} MiB/s (${(s[i] / r[i]).toFixed(2)}×); CPU ms/MiB receiver ${cpu.stoqRecv[i].toFixed(2)} vs ${cpu.rawRecv[i].toFixed(2)}, sender ${cpu.stoqSend[i].toFixed(2)} vs ${cpu.rawSend[i].toFixed(2)}`)
      }
      const paired = median(s.map((x, i) => x / r[i]))
      const cpuNote = Number.isNaN(median(cpu.stoqRecv)) ? '' : `; CPU per MiB (median): receiver ${median(cpu.stoqRecv).toFixed(2)} ms vs raw ${median(cpu.rawRecv).toFixed(2)} ms, sender ${median(cpu.stoqSend).toFixed(2)} ms vs raw ${median(cpu.rawSend).toFixed(2)} ms`
      rows.push(rateRow(`stoq stream throughput (TCP+noise+yamux, ${chunk / 1024} KiB frames)`, median(s), 'MiB/s', 'raw node:net socket, same bytes, same peer process', median(r),
        `${total / MiB} MiB per run, median of ${runs} runs alternating with raw; median of the per-run ratios ${paired.toFixed(2)}×; receiver in another process${cpuNote}`))
    }
    const session = await a.openFramed(peer, ECHO)
    const msg = new Uint8Array(64).fill(1)
    for (let i = 0; i < 1000; i++) await session.request(msg) // warm-up (the JIT needs ~1000 round trips here)
    const rtts: number[] = []
    for (let i = 0; i < echoes; i++) {
      const t0 = performance.now()
      await session.request(msg)
      rtts.push((performance.now() - t0) * 1000)
    }
    await session.close()
    for (let i = 0; i < 100; i++) await a.requestFramed(peer, ECHO, msg) // warm-up
    const reqRtts: number[] = []
    for (let i = 0; i < Math.min(echoes, 500); i++) {
      const t0 = performance.now()
      await a.requestFramed(peer, ECHO, msg)
      reqRtts.push((performance.now() - t0) * 1000)
    }
    await rawEcho(remote.rawEcho, 1000)
    const raw = await rawEcho(remote.rawEcho, echoes)
    rows.push(latencyRow('stoq framed echo RTT p50 (session, 64 B)', percentile(rtts, 50), 'µs', 'raw node:net echo p50', percentile(raw, 50), `p99 ${percentile(rtts, 99).toFixed(0)} µs vs raw p99 ${percentile(raw, 99).toFixed(0)} µs; ${echoes} echoes`))
    rows.push(latencyRow('stoq framed echo RTT p99 (session, 64 B)', percentile(rtts, 99), 'µs', 'raw node:net echo p99', percentile(raw, 99)))
    rows.push(latencyRow('stoq requestFramed RTT p50 (new stream per request)', percentile(reqRtts, 50), 'µs', 'raw node:net echo p50', percentile(raw, 50), `p99 ${percentile(reqRtts, 99).toFixed(0)} µs; ${reqRtts.length} requests`))
  } finally {
    await a.stop()
    const exited = new Promise((resolve) => remote.proc.once('exit', resolve))
    remote.proc.stdin?.end()
    setTimeout(() => remote.proc.kill('SIGKILL'), 5000).unref()
    await exited
  }
  return rows
}
