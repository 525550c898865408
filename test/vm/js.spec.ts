import { describe, it, expect } from 'vitest'
import { runJsJob, runJob, runJobOutcome, outcomeDigest, createJob, type JobLimits } from '../../ts/vm/index.ts'

const LIMITS: JobLimits = { memoryBytes: 8 << 20, fuel: 10n ** 9n, wallMs: 5000, outputBytes: 1024 }

async function expectJobError (p: Promise<unknown>, name: string, match?: RegExp): Promise<Error> {
  const err = await p.then(() => undefined, (e: Error) => e)
  expect(err, `expected ${name}`).toBeInstanceOf(Error)
  expect(err!.name).toBe(name)
  if (match !== undefined) expect(err!.message).toMatch(match)
  return err!
}

describe('JavaScript jobs in QuickJS', () => {
  it('runs run(input) and returns bytes or UTF-8', async () => {
    const sum = await runJsJob('function run (i) { let s = 0; for (const b of i) s += b; return "sum=" + s }', new Uint8Array([1, 2, 3, 250]), LIMITS)
    expect(new TextDecoder().decode(sum.output)).toBe('sum=256')
    const twice = await runJsJob('function run (i) { return i.map((x) => x * 2) }', new Uint8Array([1, 2, 3]), LIMITS)
    expect([...twice.output]).toEqual([2, 4, 6])
    const sub = await runJsJob('function run (i) { return new Uint8Array(i.buffer, 1, 2) }', new Uint8Array([5, 6, 7, 8]), LIMITS)
    expect([...sub.output]).toEqual([6, 7])
  })

  it('has no host objects', async () => {
    const r = await runJsJob('function run () { return [typeof console, typeof fetch, typeof process, typeof require, typeof setTimeout].join(",") }', new Uint8Array(0), LIMITS)
    expect(new TextDecoder().decode(r.output)).toBe('undefined,undefined,undefined,undefined,undefined')
  })

  it('stops while(true){} at its fuel limit, and at its wall-time limit', async () => {
    const t0 = performance.now()
    const e = await expectJobError(runJsJob('function run () { while (true) {} }', new Uint8Array(0), { ...LIMITS, fuel: 2_000_000n }), 'JobTimeoutError', /fuel/)
    expect((e as unknown as { limit: string }).limit).toBe('fuel')
    const w = await expectJobError(runJsJob('function run () { while (true) {} }', new Uint8Array(0), { ...LIMITS, fuel: 10n ** 15n, wallMs: 200 }), 'JobTimeoutError', /wall-time/)
    expect((w as unknown as { limit: string }).limit).toBe('wallMs')
    expect(performance.now() - t0).toBeLessThan(10_000)
  })

  it('fails a memory bomb with JobMemoryError, and the next job still runs', async () => {
    await expectJobError(runJsJob('function run () { const a = []; while (true) a.push("x".repeat(1000) + a.length) }', new Uint8Array(0), LIMITS), 'JobMemoryError')
    await expectJobError(runJsJob('function run () { const a = []; while (true) a.push({ n: a.length }) }', new Uint8Array(0), LIMITS), 'JobMemoryError')
    const ok = await runJsJob('function run () { return "ok" }', new Uint8Array(0), LIMITS)
    expect(new TextDecoder().decode(ok.output)).toBe('ok')
  })

  it('reports output bombs, throws, stack overflow, syntax errors and a missing run', async () => {
    await expectJobError(runJsJob('function run () { return "x".repeat(5000) }', new Uint8Array(0), LIMITS), 'JobOutputError')
    await expectJobError(runJsJob('function run () { return new Uint8Array(2000) }', new Uint8Array(0), LIMITS), 'JobOutputError')
    await expectJobError(runJsJob('function run () { throw new RangeError("bad input") }', new Uint8Array(0), LIMITS), 'JobTrapError', /RangeError: bad input/)
    await expectJobError(runJsJob('function run () { return f() } function f () { return f() }', new Uint8Array(0), LIMITS), 'JobTrapError', /stack overflow/)
    await expectJobError(runJsJob('function run (i {', new Uint8Array(0), LIMITS), 'JobModuleError', /does not parse/)
    await expectJobError(runJsJob('const x = 1', new Uint8Array(0), LIMITS), 'JobModuleError', /run\(input\)/)
    await expectJobError(runJsJob('function run () { return 5 }', new Uint8Array(0), LIMITS), 'JobTrapError', /must return/)
  })

  it('runJob dispatches on the module type; outcomes vote by output digest or error name', async () => {
    const job = createJob({ js: 'function run (i) { return i.reverse() }' }, new Uint8Array([1, 2, 3]), LIMITS)
    expect([...(await runJob(job)).output]).toEqual([3, 2, 1])
    const a = await runJobOutcome(job)
    const b = await runJobOutcome(createJob({ js: 'function run (i) { return new Uint8Array([3, 2, 1]) }' }, new Uint8Array(0), LIMITS))
    expect(outcomeDigest(a)).toEqual(outcomeDigest(b))
    const f1 = await runJobOutcome(createJob({ js: 'function run () { throw 1 }' }, new Uint8Array(0), LIMITS))
    const f2 = await runJobOutcome(createJob({ js: 'function run () { null.x }' }, new Uint8Array(0), LIMITS))
    expect(f1.ok).toBe(false)
    expect(outcomeDigest(f1)).toEqual(outcomeDigest(f2))
    expect(outcomeDigest(f1)).not.toEqual(outcomeDigest(a))
  })
})
