import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { createHash } from 'node:crypto'
import { createJob, encodeJob, decodeJob, jobId, jobIdHex, type Job, type JobLimits, MAX_FUEL } from '../../ts/vm/index.ts'

const LIMITS: JobLimits = { memoryBytes: 65536, fuel: 1000n, wallMs: 100, outputBytes: 10 }
const wasm = new Uint8Array([0x00, 0x61, 0x73, 0x6d])

describe('job encoding and JobId', () => {
  it('encodes byte-exactly as documented, and the id is SHA-256 of those bytes', () => {
    const job = createJob(wasm, new Uint8Array([1, 2]), LIMITS)
    const hex = [
      '686d6a6f62', // "hmjob"
      '01', // version
      '00', '04', '0061736d', // module: wasm, length 4, bytes
      '02', '0102', // input
      '00010000', '00000000000003e8', '00000064', '0000000a' // limits: memoryBytes, fuel, wallMs, outputBytes
    ].join('')
    expect(Buffer.from(encodeJob(job)).toString('hex')).toBe(hex)
    expect(jobIdHex(jobId(job))).toBe(createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex'))
    const js = createJob({ js: 'function run(i){return i}' }, new Uint8Array(0), LIMITS)
    expect(Buffer.from(encodeJob(js)).subarray(6, 8).toString('hex')).toBe('0119') // tag 1, 25 UTF-8 bytes
  })

  it('is stable, and any change to module, input or limits changes the id', () => {
    const job = createJob(wasm, new Uint8Array([1, 2]), LIMITS)
    const id = jobIdHex(jobId(job))
    expect(jobIdHex(jobId(createJob(wasm.slice(), new Uint8Array([1, 2]), { ...LIMITS })))).toBe(id)
    const tampered = wasm.slice()
    tampered[3] ^= 1
    const others = [
      createJob(tampered, new Uint8Array([1, 2]), LIMITS),
      createJob(wasm, new Uint8Array([1, 3]), LIMITS),
      createJob(wasm, new Uint8Array([1, 2]), { ...LIMITS, fuel: 1001n }),
      createJob(wasm, new Uint8Array([1, 2]), { ...LIMITS, outputBytes: 11 }),
      createJob({ js: '\x00asm' }, new Uint8Array([1, 2]), LIMITS)
    ]
    for (const o of others) expect(jobIdHex(jobId(o))).not.toBe(id)
  })

  it('refuses out-of-range limits and bad modules with InvalidArgumentError', () => {
    for (const l of [{ ...LIMITS, memoryBytes: 100 }, { ...LIMITS, fuel: 0n }, { ...LIMITS, fuel: MAX_FUEL + 1n }, { ...LIMITS, wallMs: 0 }, { ...LIMITS, outputBytes: -1 }]) {
      expect(() => createJob(wasm, new Uint8Array(0), l)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    }
    expect(() => createJob('x' as unknown as Uint8Array, new Uint8Array(0), LIMITS)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
  })

  it('decode rejects truncation, trailing bytes, bad magic, bad tag and out-of-range limits', () => {
    const b = encodeJob(createJob(wasm, new Uint8Array([1, 2]), LIMITS))
    const bad: Uint8Array[] = [b.subarray(0, b.length - 1), new Uint8Array([...b, 0]), (() => { const c = b.slice(); c[0] = 0; return c })(),
      (() => { const c = b.slice(); c[6] = 7; return c })(), (() => { const c = b.slice(); c[c.length - 5] = 0; return c })(), // wallMs = 0
      (() => { const c = b.slice(); c[c.length - 10] = 0; c[c.length - 9] = 0; return c })()] // fuel = 0
    for (const x of bad) expect(() => decodeJob(x)).toThrow(expect.objectContaining({ name: 'DecodeError' }))
    // a length prefix claiming 2^40 bytes is refused before allocating
    const huge = new Uint8Array([...b.subarray(0, 7), 0x80, 0x80, 0x80, 0x80, 0x80, 0x20])
    expect(() => decodeJob(huge)).toThrow(expect.objectContaining({ name: 'DecodeError' }))
  })

  const arbLimits = fc.record({
    memoryBytes: fc.integer({ min: 65536, max: 1 << 30 }),
    fuel: fc.bigInt({ min: 1n, max: MAX_FUEL }),
    wallMs: fc.integer({ min: 1, max: 3_600_000 }),
    outputBytes: fc.integer({ min: 0, max: 64 << 20 })
  })
  const arbJob: fc.Arbitrary<Job> = fc.record({
    module: fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((value) => ({ type: 'wasm' as const, value })),
      fc.string({ maxLength: 64, unit: 'grapheme' }).map((value) => ({ type: 'js' as const, value }))),
    input: fc.uint8Array({ maxLength: 64 }),
    limits: arbLimits
  })

  it('round-trips every valid job byte-exactly (fast-check)', () => {
    fc.assert(fc.property(arbJob, (job) => {
      const b = encodeJob(job)
      const back = decodeJob(b)
      expect(back.limits).toEqual(job.limits)
      expect(back.module.type).toBe(job.module.type)
      expect(encodeJob(back)).toEqual(b)
      expect(jobId(back)).toEqual(jobId(job))
    }), { numRuns: 300 })
  })

  it('garbage and mutated encodings only ever throw DecodeError (fast-check)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
      try { decodeJob(b) } catch (err) { expect((err as Error).name).toBe('DecodeError') }
    }), { numRuns: 500 })
    fc.assert(fc.property(arbJob, fc.nat(), fc.integer({ min: 0, max: 255 }), (job, at, v) => {
      const b = encodeJob(job).slice()
      b[at % b.length] = v
      try {
        const back = decodeJob(b)
        expect(encodeJob(back)).toEqual(b)
      } catch (err) { expect((err as Error).name).toBe('DecodeError') }
    }), { numRuns: 500 })
  })
})
