/** Bundled (Vite iife `HMJobs`) into headless Chromium by jobs.bench.ts: the same metered-WASM job runner the donate page's worker uses. */
import { runWasmJob } from '../../ts/vm/run-wasm.ts'

/** Median hashes/s of `samples` timed runs (after a warm-up) of the hash-search job over `count` nonces. */
export async function powRate (module: number[], input: number[], count: number, samples: number): Promise<number> {
  const m = new Uint8Array(module); const i = new Uint8Array(input)
  const limits = { memoryBytes: 16 << 20, fuel: 1n << 60n, wallMs: 600_000, outputBytes: 1 << 20 }
  await runWasmJob(m, i, limits)
  const rates: number[] = []
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now()
    await runWasmJob(m, i, limits)
    rates.push(count / ((performance.now() - t0) / 1000))
  }
  rates.sort((a, b) => a - b)
  return rates[Math.floor(rates.length / 2)]
}
