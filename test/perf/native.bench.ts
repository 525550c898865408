/**
 * Native kernel figures (node-host/native): PoW nonce search and the PoTime
 * chain beside WASM SIMD and node:crypto; PoW on all cores beside one core;
 * parallel PoTime verification beside serial. All baselines in the same run.
 * The pool is started (workers spawned, kernel loaded) before timing: the
 * figures are steady-state throughput, pool start-up is reported in a note.
 */
import { createHash } from 'node:crypto'
import os from 'node:os'
import { measureRate, median, rateRow, type BenchOptions, type BenchRow } from './_harness.ts'
import { instantiateKernelModule } from '../../ts/wasm/loader.ts'
import { createWasmKernel } from '../../ts/wasm/wasm-kernel.ts'
import { leadingZeroBits } from '../../ts/wasm/reference.ts'
import { loadNativeKernel } from '../../node-host/kernel/native-kernel.ts'
import { KernelPool, parallelPowSearch, parallelVdfVerify } from '../../node-host/kernel/parallel.ts'

/**
 * Wall time of one call, and the CPU seconds the process (worker threads
 * included) used per wall second: ~N when N threads really ran at once,
 * ~1 when other processes held the other cores (this machine is shared).
 */
async function timed (fn: () => unknown): Promise<{ ms: number, cpu: number }> {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  await fn()
  const ms = performance.now() - t0
  const c = process.cpuUsage(c0)
  return { ms, cpu: ((c.user + c.system) / 1e3) / ms }
}

/** Median rates of `a` (opsA per call) and `b` (opsB per call), samples taken alternately after one warm-up each; `cpu` is a's median CPU-s per wall-s. */
async function alternate (samples: number, opsA: number, opsB: number, a: () => unknown, b: () => unknown): Promise<{ a: number, b: number, cpu: number }> {
  const ra: number[] = []
  const rb: number[] = []
  const cpu: number[] = []
  await timed(a)
  await timed(b)
  for (let i = 0; i < samples; i++) {
    const x = await timed(a)
    ra.push(opsA / (x.ms / 1000))
    cpu.push(x.cpu)
    const y = await timed(b)
    rb.push(opsB / (y.ms / 1000))
  }
  return { a: median(ra), b: median(rb), cpu: median(cpu) }
}

export async function run (opts: BenchOptions): Promise<BenchRow[]> {
  const m = { samples: opts.quick ? 3 : 7, ms: opts.quick ? 200 : 500 }
  const native = loadNativeKernel({ portable: false })
  const shaNiOnly = loadNativeKernel({ avx512: false })
  const portable = loadNativeKernel({ portable: true })
  const simd = createWasmKernel(instantiateKernelModule('simd'))
  const rows: BenchRow[] = []
  const rate = async (label: string, fn: () => unknown, ops: number): Promise<number> => {
    const r = await measureRate(fn, ops, m)
    opts.log(`${label}: ${(r / 1e6).toFixed(2)} M/s`)
    return r
  }
  const names = { 'sha-ni+avx512': 'SHA-NI + AVX-512 PoW', 'sha-ni': 'SHA-NI', avx512: 'AVX-512 PoW, portable C', portable: 'portable C' }
  const path = names[native.path]
  // warm the WASM entry points (V8 tiers them up between calls)
  const warm = new Uint8Array(32).fill(1)
  for (let i = 0; i < 6; i++) { simd.powSearch(warm, 256, 0, 20_000); simd.vdfSegment(warm, 20_000) }

  // --- PoW: 41-byte prefix (opHash ‖ kind ‖ 8), unreachable difficulty so every nonce is tried
  const prefix = new Uint8Array(41).map((_, i) => i * 7)
  const buf = Buffer.alloc(49)
  buf.set(prefix)
  let nn = 0
  const nodePow = await rate('pow node:crypto per call', () => {
    for (let i = 0; i < 1000; i++) {
      buf.writeUInt32BE(nn++ >>> 0, 45)
      if (leadingZeroBits(createHash('sha256').update(buf).digest()) >= 256) return nn
    }
    return -1
  }, 1000)
  let sn = 0
  const powSimd = await rate('pow WASM SIMD', () => { simd.powSearch(prefix, 256, sn, 1 << 17); sn += 1 << 17 }, 1 << 17)
  const chunk = 1 << 21
  let an = 0
  const powNative = await rate(`pow native ${path}`, () => { native.powSearch(prefix, 256, an, chunk); an += chunk }, chunk)
  let qn = 0
  const powShaNi = await rate(`pow native ${names[shaNiOnly.path]}`, () => { shaNiOnly.powSearch(prefix, 256, qn, 1 << 20); qn += 1 << 20 }, 1 << 20)
  let pn = 0
  const powPortable = await rate('pow native portable C', () => { portable.powSearch(prefix, 256, pn, 1 << 19); pn += 1 << 19 }, 1 << 19)
  rows.push(rateRow(`pow nonce search, native ${path}`, powNative, 'nonces/s', 'WASM SIMD 4-way', powSimd, '41-byte prefix; target ≥ 5×'))
  rows.push(rateRow(`pow nonce search, native ${path}`, powNative, 'nonces/s', 'node:crypto per call', nodePow))
  rows.push(rateRow(`pow nonce search, native ${names[shaNiOnly.path]}`, powShaNi, 'nonces/s', 'WASM SIMD 4-way', powSimd, 'HYPERMESH_NATIVE_AVX512=0'))
  rows.push(rateRow('pow nonce search, native portable C', powPortable, 'nonces/s', 'WASM SIMD 4-way', powSimd, 'the path used where the CPU lacks SHA-NI'))

  // --- PoTime chain x = H(x)
  let x: Buffer = createHash('sha256').update('bench').digest()
  const nodeVdf = await rate('chain node:crypto', () => { for (let i = 0; i < 1000; i++) x = createHash('sha256').update(x).digest() }, 1000)
  const seed = new Uint8Array(32).fill(5)
  const vdfSimd = await rate('chain WASM SIMD', () => simd.vdfSegment(seed, 100_000), 100_000)
  const chainPath = native.path.startsWith('sha-ni') ? 'SHA-NI' : 'portable C'
  const vdfNative = await rate(`chain native ${chainPath}`, () => native.vdfSegment(seed, 1_000_000), 1_000_000)
  const vdfPortable = await rate('chain native portable C', () => portable.vdfSegment(seed, 200_000), 200_000)
  rows.push(rateRow(`PoTime chain, native ${chainPath}`, vdfNative, 'steps/s', 'WASM SIMD', vdfSimd, 'sequential: one core by definition; target ≥ 2.5×'))
  rows.push(rateRow(`PoTime chain, native ${chainPath}`, vdfNative, 'steps/s', 'node:crypto per call', nodeVdf))
  rows.push(rateRow('PoTime chain, native portable C', vdfPortable, 'steps/s', 'WASM SIMD', vdfSimd))

  // --- all cores
  const threads = os.availableParallelism()
  const t0 = performance.now()
  const pool = new KernelPool({ threads, kernel: 'native' })
  try {
    await parallelPowSearch(prefix, 0, { count: threads, chunk: 1, pool }) // starts every worker
    await parallelPowSearch(prefix, 256, { count: threads * 4096, chunk: 4096, pool })
    const startupMs = performance.now() - t0
    const perCall = threads * 4 * chunk
    const samples = opts.quick ? 5 : 9
    let wn = 0
    let on = 0
    // serial and parallel samples alternate, so both see the same load from other processes
    const pow = await alternate(samples, perCall, 4 * chunk,
      async () => { await parallelPowSearch(prefix, 256, { start: wn, count: perCall, chunk, pool }); wn += perCall },
      () => { for (let i = 0; i < 4; i++) { native.powSearch(prefix, 256, on, chunk); on += chunk } })
    opts.log(`pow native ${threads} threads ${(pow.a / 1e6).toFixed(2)} M/s, 1 thread ${(pow.b / 1e6).toFixed(2)} M/s, ${pow.cpu.toFixed(2)} CPU-s per wall-s`)
    rows.push(rateRow(`pow nonce search, native on ${threads} threads`, pow.a, 'nonces/s', 'native on 1 thread', pow.b,
      `chunks of 2^21 in order, first nonce kept; pool start-up ${startupMs.toFixed(0)} ms not timed; ${pow.cpu.toFixed(2)} CPU-s per wall-s; load avg ${os.loadavg()[0].toFixed(1)}; target ≥ 1.8× on 2 cores`))

    // --- parallel PoTime verification: s segments of T/k steps
    const k = 16
    const per = opts.quick ? 1 << 20 : 1 << 21
    const segs = [0, 2, 3, 5, 8, 11, 13, 15]
    const chainSeed = new Uint8Array(32).fill(7)
    const cps = native.vdfChain(chainSeed, per * k, k)
    const serialVerify = (): void => {
      const ok = segs.every((j) => {
        const got = native.vdfSegment(j === 0 ? chainSeed : cps.subarray((j - 1) * 32, j * 32), per)
        return Buffer.compare(got, cps.subarray(j * 32, j * 32 + 32)) === 0
      })
      if (!ok) throw new Error('serial PoTime verification failed on a true chain')
    }
    const steps = segs.length * per
    const v = await alternate(samples, steps, steps,
      async () => { if (!await parallelVdfVerify(chainSeed, cps, per * k, k, segs, { pool })) throw new Error('parallel verification failed') },
      serialVerify)
    opts.log(`PoTime verify parallel ${(v.a / 1e6).toFixed(2)} M steps/s, serial ${(v.b / 1e6).toFixed(2)} M steps/s, ${v.cpu.toFixed(2)} CPU-s per wall-s`)
    rows.push(rateRow(`PoTime verify, ${segs.length} segments on ${threads} threads`, v.a, 'steps/s', 'serial on 1 thread', v.b,
      `k = ${k}, T/k = 2^${Math.log2(per)}, native ${chainPath}; ${v.cpu.toFixed(2)} CPU-s per wall-s; load avg ${os.loadavg()[0].toFixed(1)}; target ≥ 1.8× on 2 cores`))
  } finally {
    await pool.close()
  }
  return rows
}
