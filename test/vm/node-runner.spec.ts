import { describe, it, expect } from 'vitest'
import { runJobInWorker } from '../../ts/vm/node-runner.ts'
import { createJob, type JobLimits } from '../../ts/vm/index.ts'
import { examples } from './_examples.ts'
import { jobModule, i32c, OP } from './_wasm.ts'

const LIMITS: JobLimits = { memoryBytes: 16 << 20, fuel: 10n ** 15n, wallMs: 10_000, outputBytes: 1024 }

describe('runJobInWorker (Node worker thread)', () => {
  it('runs a job and returns its output and fuel', async () => {
    const ex = await examples()
    const input = new Uint8Array([2, 0, 0, 0, ...new Uint8Array(64)])
    const r = await runJobInWorker(createJob(ex.matmul, input, LIMITS))
    expect(r.output.length).toBe(32)
    expect(r.fuelUsed).toBeGreaterThan(0n)
  })

  it('terminates an infinite WASM loop at the wall-time limit even with unlimited fuel', async () => {
    const loop = jobModule([OP.loop, OP.void, OP.br, 0, OP.end, ...i32c(0)])
    const t0 = performance.now()
    const err = await runJobInWorker(createJob(loop, new Uint8Array(0), { ...LIMITS, wallMs: 500 })).catch((e: Error) => e)
    const ms = performance.now() - t0
    expect((err as Error).name).toBe('JobTimeoutError')
    expect((err as unknown as { limit: string }).limit).toBe('wallMs')
    expect(ms).toBeGreaterThanOrEqual(450)
    expect(ms).toBeLessThan(5000)
  })

  it('passes typed failures through and stops on abort', async () => {
    const err = await runJobInWorker(createJob(jobModule([OP.unreachable]), new Uint8Array(0), LIMITS)).catch((e: Error) => e)
    expect((err as Error).name).toBe('JobTrapError')
    const js = await runJobInWorker(createJob({ js: 'function run () { return "x".repeat(2000) }' }, new Uint8Array(0), LIMITS)).catch((e: Error) => e)
    expect((js as Error).name).toBe('JobOutputError')
    const ac = new AbortController()
    const p = runJobInWorker(createJob({ js: 'function run () { while (true) {} }' }, new Uint8Array(0), LIMITS), { signal: ac.signal })
    setTimeout(() => ac.abort(), 100)
    expect((await p.catch((e: Error) => e) as Error).name).toBe('AbortError')
  })
})
