/**
 * Jobs: (1) the same proof-of-work job (examples/jobs hash-search, fuel-
 * metered WASM through ts/vm) in headless Chromium beside Node, in one run
 * (target ≥ 0.8×); (2) job round trip on a real node — submit over HTTP to
 * committed on the ledger — for a small job with k = 3 (two worker threads
 * and a WebSocket donor), beside running the same job once locally.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { build } from 'vite'
import { chromium } from 'playwright-core'
import { median, percentile, rateRow, latencyRow, type BenchOptions, type BenchRow } from './_harness.ts'
import { runWasmJob, createJob, encodeJob, runJobOutcome, type JobLimits } from '../../ts/vm/index.ts'
import { buildJobs } from '../../examples/jobs/compile.mjs'
import { HyperMeshNode } from '../../node-host/node/node.ts'
import { webSocketChannel, type WebSocketLike } from '../../ts/jobs/channel.ts'
import { startDonor } from '../../ts/jobs/donor.ts'
import { testKeyPair } from '../fixtures/keys.ts'

const LIMITS: JobLimits = { memoryBytes: 16 << 20, fuel: 1n << 60n, wallMs: 600_000, outputBytes: 1 << 20 }
const PREFIX = new TextEncoder().encode('hypermesh bench')

function searchInput (count: number): Uint8Array {
  const b = new Uint8Array(13 + PREFIX.length)
  b[0] = 255 // never satisfied: every nonce is hashed
  new DataView(b.buffer).setUint32(9, count, true)
  b.set(PREFIX, 13)
  return b
}

async function nodePowRate (module: Uint8Array, input: Uint8Array, count: number, samples: number): Promise<number> {
  await runWasmJob(module, input, LIMITS)
  const rates: number[] = []
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now()
    await runWasmJob(module, input, LIMITS)
    rates.push(count / ((performance.now() - t0) / 1000))
  }
  return median(rates)
}

async function browserPow (opts: BenchOptions, module: Uint8Array, input: Uint8Array, count: number, samples: number): Promise<{ browser: number, node: number }> {
  const out = await build({
    configFile: false, logLevel: 'silent', root: import.meta.dirname,
    build: { write: false, minify: false, lib: { entry: path.join(import.meta.dirname, '_browser-jobs-entry.ts'), formats: ['iife'], name: 'HMJobs', fileName: 'jobs' } }
  })
  const chunk = (Array.isArray(out) ? out : [out]).flatMap((o) => ('output' in o ? o.output : [])).find((c) => c.type === 'chunk')
  if (chunk === undefined || chunk.type !== 'chunk') throw new Error('vite produced no bundle')
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] })
  try {
    const page = await browser.newPage()
    await page.addScriptTag({ content: chunk.code })
    // interleave: browser, node, browser, node … and take the medians
    const b: number[] = []; const n: number[] = []
    for (let r = 0; r < 3; r++) {
      opts.log(`jobs: pow job round ${r + 1}/3 (Chromium, then Node)`)
      b.push(await page.evaluate(async ([m, i, c, s]) => await (globalThis as unknown as { HMJobs: { powRate: (m: number[], i: number[], c: number, s: number) => Promise<number> } }).HMJobs.powRate(m, i, c, s), [Array.from(module), Array.from(input), count, samples] as const))
      n.push(await nodePowRate(module, input, count, samples))
    }
    return { browser: median(b), node: median(n) }
  } finally { await browser.close() }
}

export async function run (opts: BenchOptions): Promise<BenchRow[]> {
  const ex = await buildJobs()
  const count = opts.quick ? 50_000 : 200_000
  const samples = opts.quick ? 3 : 5
  const input = searchInput(count)
  const pow = await browserPow(opts, ex['hash-search'], input, count, samples)

  opts.log('jobs: round trip on a node (k=3: two threads + a WebSocket donor)')
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hm-bench-jobs-'))
  const node = await HyperMeshNode.start({ dataDir: dir, dev: true, http: { host: '127.0.0.1', port: 0 }, txIntervalMs: 0, jobThreads: 2 })
  const trips: number[] = []
  const local: number[] = []
  try {
    const base = node.httpUrl!
    const ws = new WebSocket(base.replace('http', 'ws') + '/jobs/ws')
    await new Promise<void>((resolve, reject) => { ws.addEventListener('open', () => resolve()); ws.addEventListener('error', () => reject(new Error('ws'))) })
    let welcomed: () => void = () => {}
    const ready = new Promise<void>((resolve) => { welcomed = resolve })
    const donor = startDonor({ channel: webSocketChannel(ws as unknown as WebSocketLike), keyPair: testKeyPair(14), kind: 'node', runJob: async (j) => await runJobOutcome(j), onEvent: (e) => { if (e.type === 'connected') welcomed() } })
    await ready
    const n = opts.quick ? 8 : 25
    for (let i = 0; i <= n; i++) {
      const job = createJob({ js: `function run (i) { return i.map((b) => b ^ ${i & 255}) }` }, new Uint8Array([1, 2, 3, i & 255]), { memoryBytes: 1 << 20, fuel: 10n ** 8n, wallMs: 20_000, outputBytes: 1024 })
      const t0 = performance.now()
      const r = await fetch(`${base}/api/jobs?k=3&q=2`, { method: 'POST', body: encodeJob(job) as BodyInit })
      const { id } = await r.json() as { id: string }
      let state = ''
      while (state !== 'committed' && state !== 'failed') state = (await (await fetch(`${base}/api/job?id=${id}&wait=20000`)).json() as { state: string }).state
      if (state !== 'committed') throw new Error(`job ${id} failed`)
      const ms = performance.now() - t0
      const t1 = performance.now()
      await runJobOutcome(job)
      const l = performance.now() - t1
      if (i > 0) { trips.push(ms); local.push(l) } // the first warms the threads' keys and runtimes
    }
    donor.stop()
  } finally {
    await node.stop()
    await rm(dir, { recursive: true, force: true })
  }
  return [
    rateRow('PoW job in headless Chromium (metered WASM, ts/vm)', pow.browser, 'hashes/s', 'same job in Node, same run', pow.node, `hash-search, ${count} nonces per job, interleaved rounds; target ≥ 0.8×`),
    latencyRow('job round trip k=3 q=2 (submit → committed on the ledger)', median(trips), 'ms', 'the same job run once locally', median(local), `p99 ${percentile(trips, 99).toFixed(1)} ms over ${trips.length} jobs; 2 node threads + 1 WebSocket donor; includes a block`)
  ]
}
