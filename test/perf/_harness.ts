/**
 * Benchmark harness shared by every test/perf/*.bench.ts module. A module
 * exports `run(opts)` returning rows; `npm run bench` collects them.
 * Every figure is a median over several runs after a warm-up, beside a
 * baseline measured in the same run.
 */
export interface BenchRow {
  /** What was measured, e.g. "pow SIMD". */
  name: string
  value: number
  unit: string
  /** What it is compared with, e.g. "node:crypto per call". */
  baseline: string
  baselineValue: number
  /** value / baselineValue for rates (higher is better); for latencies baselineValue / value. */
  ratio: number
  /** Optional extra context (parameters, p99, ...). */
  note?: string
}

export interface BenchOptions {
  quick: boolean
  /** Progress lines go here (stderr), never to stdout. */
  log: (line: string) => void
}

export type BenchModule = { run: (opts: BenchOptions) => Promise<BenchRow[]> }

export function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

export function percentile (xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))
  return s[i]
}

/**
 * Rate of `fn` in operations per second: `fn()` performs `opsPerCall`
 * operations; runs it for about `ms` milliseconds per sample, `samples`
 * times after one warm-up sample, and returns the median rate.
 */
export async function measureRate (fn: () => unknown | Promise<unknown>, opsPerCall: number, opts: { samples?: number, ms?: number } = {}): Promise<number> {
  const samples = opts.samples ?? 5
  const ms = opts.ms ?? 300
  const rates: number[] = []
  for (let s = -1; s < samples; s++) {
    let calls = 0
    const t0 = performance.now()
    let t = t0
    while (t - t0 < ms) {
      const r = fn()
      if (r instanceof Promise) await r
      calls++
      t = performance.now()
    }
    if (s >= 0) rates.push((calls * opsPerCall) / ((t - t0) / 1000))
  }
  return median(rates)
}

/** Row for two rates (higher is better). */
export function rateRow (name: string, value: number, unit: string, baseline: string, baselineValue: number, note?: string): BenchRow {
  return { name, value, unit, baseline, baselineValue, ratio: value / baselineValue, ...(note !== undefined ? { note } : {}) }
}

/** Row for two latencies (lower is better): ratio = baseline / value. */
export function latencyRow (name: string, value: number, unit: string, baseline: string, baselineValue: number, note?: string): BenchRow {
  return { name, value, unit, baseline, baselineValue, ratio: baselineValue / value, ...(note !== undefined ? { note } : {}) }
}
