/**
 * VM: the hash-search example job's rate (metered and unmetered) beside the
 * same search in plain TS (@noble/hashes), and job start-up latency beside
 * a bare instantiate-and-call of the same tiny module, all in one run.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { measureRate, median, percentile, rateRow, latencyRow, type BenchOptions, type BenchRow } from './_harness.ts'
import { runWasmJob, runJsJob, createJob, type JobLimits } from '../../ts/vm/index.ts'
import { runJobInWorker } from '../../ts/vm/node-runner.ts'
import { leadingZeroBits } from '../../ts/wasm/reference.ts'
import { buildJobs } from '../../examples/jobs/compile.mjs'

const LIMITS: JobLimits = { memoryBytes: 16 << 20, fuel: 1n << 60n, wallMs: 60_000, outputBytes: 1 << 20 }
const PREFIX = new TextEncoder().encode('hypermesh bench')

function searchInput (count: number): Uint8Array {
  const b = new Uint8Array(13 + PREFIX.length)
  b[0] = 255 // never satisfied: every nonce is hashed
  new DataView(b.buffer).setUint32(9, count, true)
  b.set(PREFIX, 13)
  return b
}

function tsSearch (count: number): number {
  const m = new Uint8Array(PREFIX.length + 8)
  m.set(PREFIX)
  const dv = new DataView(m.buffer)
  for (let n = 0; n < count; n++) {
    dv.setBigUint64(PREFIX.length, BigInt(n))
    if (leadingZeroBits(sha256(m)) >= 255) return n
  }
  return -1
}

async function rawRun (module: Uint8Array, input: Uint8Array): Promise<number> {
  const compiled = await WebAssembly.compile(module as BufferSource) // same path as runWasmJob
  const instance = await WebAssembly.instantiate(compiled, { env: { abort: () => { throw new Error('abort') } } })
  const ex = instance.exports as { memory: WebAssembly.Memory, alloc: (n: number) => number, run: (p: number, n: number) => number }
  const p = ex.alloc(input.length)
  new Uint8Array(ex.memory.buffer, p, input.length).set(input)
  return ex.run(p, input.length)
}

async function latencies (fn: () => Promise<unknown>, n: number): Promise<number[]> {
  await fn()
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await fn()
    out.push(performance.now() - t0)
  }
  return out
}

export async function run (opts: BenchOptions): Promise<BenchRow[]> {
  const ex = await buildJobs()
  const count = opts.quick ? 50_000 : 200_000
  const ms = opts.quick ? 300 : 1000
  const samples = opts.quick ? 3 : 5
  const input = searchInput(count)
  opts.log('vm: hash search (metered job, unmetered module, plain TS)')
  const metered = await measureRate(() => runWasmJob(ex['hash-search'], input, LIMITS), count, { ms, samples })
  const raw = await measureRate(() => rawRun(ex['hash-search'], input), count, { ms, samples })
  const tsCount = Math.max(5_000, count / 10)
  const ts = await measureRate(() => tsSearch(tsCount), tsCount, { ms, samples })

  opts.log('vm: start-up latency')
  const n = opts.quick ? 15 : 50
  const tiny = new Uint8Array([1, 0, 0, 0, ...new Uint8Array(16)])
  const bare = await latencies(() => rawRun(ex.matmul, tiny), n)
  const wasmJob = await latencies(() => runWasmJob(ex.matmul, tiny, LIMITS), n)
  const jsJob = await latencies(() => runJsJob('function run (i) { return i }', tiny, LIMITS), n)
  const workerJob = await latencies(() => runJobInWorker(createJob(ex.matmul, tiny, LIMITS)), opts.quick ? 5 : 15)
  const bareP50 = median(bare)
  const fmt = (xs: number[]): string => `p99 ${percentile(xs, 99).toFixed(2)} ms`
  return [
    rateRow('hash-search job (fuel-metered WASM)', metered, 'hashes/s', 'same search, plain TS (@noble/hashes)', ts, `${count} nonces per job, incl. metering+compile per job`),
    rateRow('hash-search module unmetered', raw, 'hashes/s', 'same search, plain TS (@noble/hashes)', ts, `metered/unmetered ${(metered / raw).toFixed(2)}× in this run`),
    latencyRow('WASM job start-up (meter+compile+instantiate+run)', median(wasmJob), 'ms', 'bare instantiate+run, unmetered', bareP50, fmt(wasmJob)),
    latencyRow('JS job start-up (new QuickJS instance+run)', median(jsJob), 'ms', 'bare instantiate+run, unmetered', bareP50, fmt(jsJob)),
    latencyRow('job in a Node worker thread (spawn+run)', median(workerJob), 'ms', 'bare instantiate+run, unmetered', bareP50, fmt(workerJob))
  ]
}
