/**
 * Remote memory over loopback, the owner in another process
 * (test/perf/_transport-peer.ts serves a 64 MiB region): WRITE and READ
 * throughput in 1 MiB blocks beside a raw node:net socket moving the same
 * bytes to the same process, 4 KiB READ latency beside a raw TCP echo, and
 * address translations/s (core-wasm table, batch) beside a JS Map<string>.
 */
import { createStoq } from '../../ts/stoq/index.ts'
import { issueCapability, ALL_MEM_OPS, GlobalAddress, Translator, MEM_OPS } from '../../ts/nat/index.ts'
import { nodeIdOf } from '../../ts/identity/index.ts'
import { NatTable } from '../../ts/wasm/nat.ts'
import { loadKernelModule } from '../../ts/wasm/loader.ts'
import { MemSession } from '../../node-host/mem/client.ts'
import { benchBindingAuthority } from '../stoq/_binding.ts'
import { testKeyPair } from '../fixtures/keys.ts'
import { BENCH_ASSET, BENCH_REGION_BYTES } from './_peer-region.ts'
import { startPeer, rawThroughput, rawEcho } from './transport.bench.ts'
import { latencyRow, measureRate, median, percentile, rateRow, type BenchOptions, type BenchRow } from './_harness.ts'

const MiB = 1024 * 1024

async function translationRows (opts: BenchOptions): Promise<BenchRow[]> {
  const n = 4096
  const t = new Translator(new NatTable(await loadKernelModule('simd')))
  const map = new Map<string, { peer: Uint8Array, size: number }>()
  const peer = new Uint8Array(32).fill(1)
  const addrs: GlobalAddress[] = []
  for (let i = 0; i < n; i++) {
    const node = new Uint8Array(32); node[0] = i & 0xff; node[1] = i >> 8
    const a = GlobalAddress.from({ node, kind: 2, index: i & 0xfff, offset: 0 })
    t.set({ address: a, peer, assetId: node, size: 1 << 20, permissions: MEM_OPS.read, expiresAt: Infinity })
    map.set(a.toString(), { peer, size: 1 << 20 })
    addrs.push(a.add(i * 8))
  }
  const batch = await measureRate(() => t.translateBatch(addrs), n, { samples: opts.quick ? 3 : 5 })
  // The JS alternative keyed by text must make the key from the address it is given.
  const js = await measureRate(() => {
    let hit = 0
    for (const a of addrs) { const e = map.get(a.base().toString()); if (e !== undefined && a.offset < e.size) hit++ }
    return hit
  }, n, { samples: opts.quick ? 3 : 5 })
  return [rateRow('address translation, batch (core-wasm table)', batch, 'lookups/s', 'JS Map<string> keyed by the address text', js, `${n} assets; both check bounds, the table also expiry; the raw table lookup is in the kernel bench`)]
}

export async function run (opts: BenchOptions): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  const remote = await startPeer()
  const me = testKeyPair(0)
  const a = createStoq({ binding: benchBindingAuthority(0), listen: ['/ip4/127.0.0.1/tcp/0'], probeOnConnect: false,
    peerRateLimit: { messagesPerSecond: 1e7, burstMessages: 1e7, bytesPerSecond: 1e12, burstBytes: 1e12 } })
  try {
    await a.start()
    const peer = (await a.connect(remote.stoq)).peerId
    const cap = issueCapability(testKeyPair(1), { holder: nodeIdOf(me.publicKey), asset: BENCH_ASSET, offset: 0n, length: BigInt(BENCH_REGION_BYTES), ops: ALL_MEM_OPS, expires: BigInt(Date.now() + 3_600_000) })
    const s = await MemSession.open(a, peer, cap)
    const blocks = opts.quick ? 32 : 128
    const block = new Uint8Array(MiB).fill(0x5a)
    const runs = opts.quick ? 3 : 5
    const w: number[] = []; const r: number[] = []; const raw: number[] = []
    for (let k = 0; k <= runs; k++) {
      let t0 = performance.now()
      await Promise.all(Array.from({ length: blocks }, async (_, i) => { await s.write((i * MiB) % (BENCH_REGION_BYTES - MiB), block) }))
      const wr = blocks / ((performance.now() - t0) / 1000)
      t0 = performance.now()
      await Promise.all(Array.from({ length: blocks }, async (_, i) => await s.read((i * MiB) % (BENCH_REGION_BYTES - MiB), MiB)))
      const rr = blocks / ((performance.now() - t0) / 1000)
      const rw = await rawThroughput(remote.rawSink, blocks * MiB, MiB)
      if (k === 0) continue // warm-up
      w.push(wr); r.push(rr); raw.push(rw)
      opts.log(`mem: run ${k}: write ${wr.toFixed(0)} MiB/s, read ${rr.toFixed(0)} MiB/s, raw TCP ${rw.toFixed(0)} MiB/s`)
    }
    const note = `${blocks} × 1 MiB per run, chunks of ${s.chunk / 1024} KiB, ${s.window} in flight; owner in another process; median of ${runs}`
    rows.push(rateRow('remote memory WRITE, 1 MiB blocks', median(w), 'MiB/s', 'raw node:net socket, same bytes, same peer process', median(raw), note))
    rows.push(rateRow('remote memory READ, 1 MiB blocks', median(r), 'MiB/s', 'raw node:net socket, same bytes, same peer process', median(raw), note))
    const lat: number[] = []
    for (let i = 0; i < (opts.quick ? 1000 : 4000); i++) {
      const t0 = performance.now()
      await s.read((i * 4096) % (BENCH_REGION_BYTES - 4096), 4096)
      lat.push((performance.now() - t0) * 1000)
    }
    const echo = await rawEcho(remote.rawEcho, 1000)
    rows.push(latencyRow('remote memory 4 KiB READ p50', percentile(lat, 50), 'µs', 'raw node:net 64 B echo p50', percentile(echo, 50), `p99 ${percentile(lat, 99).toFixed(0)} µs; ${lat.length} sequential reads`))
    rows.push(latencyRow('remote memory 4 KiB READ p99', percentile(lat, 99), 'µs', 'raw node:net 64 B echo p99', percentile(echo, 99)))
    await s.close()
  } finally {
    await a.stop()
    const exited = new Promise((resolve) => remote.proc.once('exit', resolve))
    remote.proc.stdin?.end()
    setTimeout(() => remote.proc.kill('SIGKILL'), 5000).unref()
    await exited
  }
  rows.push(...await translationRows(opts))
  return rows
}
