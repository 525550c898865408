import { describe, it, expect, beforeAll } from 'vitest'
import fc from 'fast-check'
import { sha256 } from '@noble/hashes/sha2.js'
import { leadingZeroBits } from '../../ts/wasm/reference.ts'
import { runWasmJob, meterModule, type JobLimits } from '../../ts/vm/index.ts'
import { examples } from './_examples.ts'
import { buildModule, jobModule, i32c, OP } from './_wasm.ts'

const LIMITS: JobLimits = { memoryBytes: 16 << 20, fuel: 10n ** 12n, wallMs: 10_000, outputBytes: 1 << 20 }
let ex: Record<string, Uint8Array>
beforeAll(async () => { ex = await examples() })

function u64be (n: bigint): Uint8Array {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, n)
  return b
}

function hashSearchInput (bits: number, start: bigint, count: number, prefix: Uint8Array): Uint8Array {
  const b = new Uint8Array(13 + prefix.length)
  const dv = new DataView(b.buffer)
  b[0] = bits
  dv.setBigUint64(1, start, true)
  dv.setUint32(9, count, true)
  b.set(prefix, 13)
  return b
}

async function expectJobError (p: Promise<unknown>, name: string, match?: RegExp): Promise<Error> {
  const err = await p.then(() => undefined, (e: Error) => e)
  expect(err, `expected ${name}`).toBeInstanceOf(Error)
  expect(err!.name).toBe(name)
  if (match !== undefined) expect(err!.message).toMatch(match)
  return err!
}

describe('AssemblyScript examples: known answers computed independently in TS', () => {
  it('hash search finds the smallest nonce with N leading zero bits', async () => {
    const prefix = new TextEncoder().encode('hypermesh job')
    const bits = 12
    let nonce = -1n
    let digest = new Uint8Array(0)
    for (let n = 5n; n < 100_005n; n++) {
      const m = new Uint8Array(prefix.length + 8)
      m.set(prefix)
      m.set(u64be(n), prefix.length)
      const d = sha256(m)
      if (leadingZeroBits(d) >= bits) { nonce = n; digest = d; break }
    }
    expect(nonce).toBeGreaterThan(0n)
    const r = await runWasmJob(ex['hash-search'], hashSearchInput(bits, 5n, 100_000, prefix), LIMITS)
    const want = new Uint8Array(41)
    want[0] = 1
    want.set(u64be(nonce), 1)
    want.set(digest, 9)
    expect(Buffer.from(r.output).toString('hex')).toBe(Buffer.from(want).toString('hex'))
    expect(r.fuelUsed).toBeGreaterThan(0n)
  })

  it('hash search reports "none" as a single 0 byte, and bad input as error code -1', async () => {
    const r = await runWasmJob(ex['hash-search'], hashSearchInput(40, 0n, 50, new Uint8Array(3)), LIMITS)
    expect([...r.output]).toEqual([0])
    await expectJobError(runWasmJob(ex['hash-search'], new Uint8Array(5), LIMITS), 'JobTrapError', /code -1/)
  })

  it('matmul is bit-exact with the same summation order in TS', async () => {
    const n = 6
    const a = Float64Array.from({ length: n * n }, (_, i) => ((i * 7) % 13) - 6.5 + i / 3)
    const b = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i) * 1e3 + 1 / (i + 1))
    const input = new Uint8Array(4 + 16 * n * n)
    const dv = new DataView(input.buffer)
    dv.setUint32(0, n, true)
    a.forEach((v, i) => dv.setFloat64(4 + 8 * i, v, true))
    b.forEach((v, i) => dv.setFloat64(4 + 8 * n * n + 8 * i, v, true))
    const want = new Uint8Array(8 * n * n)
    const wv = new DataView(want.buffer)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0
        for (let k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j]
        wv.setFloat64(8 * (i * n + j), s, true)
      }
    }
    const r = await runWasmJob(ex.matmul, input, LIMITS)
    expect(Buffer.from(r.output).equals(Buffer.from(want))).toBe(true)
  })

  it('blur matches a TS 3×3 box blur with clamped edges', async () => {
    const w = 7
    const h = 5
    const img = Uint8Array.from({ length: w * h * 4 }, (_, i) => (i * 37 + (i >> 3) * 11) & 0xff)
    const input = new Uint8Array(8 + img.length)
    new DataView(input.buffer).setUint32(0, w, true)
    new DataView(input.buffer).setUint32(4, h, true)
    input.set(img, 8)
    const want = new Uint8Array(img.length)
    const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi)
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 3; c++) {
          let s = 0
          for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) s += img[(clamp(y + dy, 0, h - 1) * w + clamp(x + dx, 0, w - 1)) * 4 + c]
          want[(y * w + x) * 4 + c] = Math.floor((s + 4) / 9)
        }
        want[(y * w + x) * 4 + 3] = img[(y * w + x) * 4 + 3]
      }
    }
    const r = await runWasmJob(ex.blur, input, LIMITS)
    expect([...r.output]).toEqual([...want])
  })
})

describe('fuel', () => {
  it('is deterministic, and exactly fuelUsed is enough while one less is not', async () => {
    const input = hashSearchInput(8, 0n, 10_000, new Uint8Array([1, 2, 3]))
    const a = await runWasmJob(ex['hash-search'], input, LIMITS)
    const b = await runWasmJob(ex['hash-search'], input, LIMITS)
    expect(a.fuelUsed).toBe(b.fuelUsed)
    const exact = await runWasmJob(ex['hash-search'], input, { ...LIMITS, fuel: a.fuelUsed })
    expect(exact.output).toEqual(a.output)
    const e = await expectJobError(runWasmJob(ex['hash-search'], input, { ...LIMITS, fuel: a.fuelUsed - 1n }), 'JobTimeoutError')
    expect((e as unknown as { limit: string }).limit).toBe('fuel')
  })

  it('stops an infinite loop in run, and in a start function', async () => {
    const loop = [OP.loop, OP.void, OP.br, 0, OP.end]
    const t0 = performance.now()
    await expectJobError(runWasmJob(jobModule([...loop, ...i32c(0)]), new Uint8Array(4), { ...LIMITS, fuel: 2_000_000n }), 'JobTimeoutError', /fuel/)
    await expectJobError(runWasmJob(jobModule(i32c(0), { start: loop }), new Uint8Array(0), { ...LIMITS, fuel: 2_000_000n }), 'JobTimeoutError', /during start/)
    expect(performance.now() - t0).toBeLessThan(5000)
  })

  it('charges bulk memory operations by length', async () => {
    // memory.fill(0, 0, 60000) once: 60000 / 64 = 937 fuel on top of a handful of instructions
    const fill = [...i32c(0), ...i32c(0), ...i32c(60000), 0xfc, 11, 0x00, ...i32c(0)]
    const r = await runWasmJob(jobModule(fill), new Uint8Array(0), LIMITS)
    expect(r.fuelUsed).toBeGreaterThanOrEqual(937n)
    expect(r.fuelUsed).toBeLessThan(960n)
  })
})

describe('memory', () => {
  const grow1 = [OP.loop, OP.void, ...i32c(1), OP.memoryGrow, 0, ...i32c(-1), OP.i32Ne, OP.brIf, 0, OP.end, ...i32c(0)]

  it('a job that keeps growing memory fails with JobMemoryError at the limit, and the host carries on', async () => {
    await expectJobError(runWasmJob(jobModule(grow1), new Uint8Array(0), { ...LIMITS, memoryBytes: 4 * 65536 }), 'JobMemoryError', /4 pages/)
    const huge = [...i32c(-1), OP.memoryGrow, 0, OP.drop, ...i32c(0)]
    await expectJobError(runWasmJob(jobModule(huge), new Uint8Array(0), LIMITS), 'JobMemoryError')
    const ok = await runWasmJob(ex.matmul, new Uint8Array([1, 0, 0, 0, ...new Uint8Array(16)]), LIMITS)
    expect(ok.output.length).toBe(8)
  })

  it('growing within the limit works', async () => {
    const grow2 = [...i32c(2), OP.memoryGrow, 0, OP.drop, OP.memorySize, 0]
    const r = await runWasmJob(jobModule(grow2), new Uint8Array(0), { ...LIMITS, memoryBytes: 3 * 65536 })
    expect(r.output.length).toBe(3) // 3 pages: output length = memory.size
  })

  it('refuses a module whose initial memory exceeds the limit', async () => {
    await expectJobError(runWasmJob(jobModule(i32c(0), { memory: { min: 10 } }), new Uint8Array(0), { ...LIMITS, memoryBytes: 4 * 65536 }), 'JobMemoryError', /initial memory/)
  })

  it('lowers the declared maximum to the limit', () => {
    const m = meterModule(jobModule(i32c(0), { memory: { min: 1, max: 1000 } }), { fuel: 1n, memoryBytes: 5 * 65536 })
    const mem = new WebAssembly.Module(m.bytes as BufferSource)
    expect(WebAssembly.Module.exports(mem).map((e) => e.name)).toContain('__hm_fuel')
    const inst = new WebAssembly.Instance(mem, {})
    const memory = inst.exports.memory as WebAssembly.Memory
    expect(() => memory.grow(5)).toThrow(RangeError)
    expect(memory.grow(4)).toBe(1)
  })
})

describe('output, traps and the ABI', () => {
  it('output over the limit fails with JobOutputError', async () => {
    await expectJobError(runWasmJob(jobModule(i32c(1 << 20)), new Uint8Array(0), { ...LIMITS, outputBytes: 1000 }), 'JobOutputError', /exceeds the limit/)
    await expectJobError(runWasmJob(jobModule(i32c(100), { outPtr: 65530 }), new Uint8Array(0), LIMITS), 'JobOutputError', /outside its memory/)
  })

  it('traps are JobTrapError (unreachable, divide by zero, AssemblyScript abort)', async () => {
    await expectJobError(runWasmJob(jobModule([OP.unreachable]), new Uint8Array(0), LIMITS), 'JobTrapError', /unreachable/)
    await expectJobError(runWasmJob(jobModule([...i32c(1), ...i32c(0), OP.i32DivU]), new Uint8Array(0), LIMITS), 'JobTrapError', /divide by zero/)
    const withAbort = buildModule({
      importAbort: true,
      memory: { min: 1 },
      funcs: [
        { params: 1, results: 1, code: i32c(1024), export: 'alloc' },
        { params: 2, results: 1, code: [...i32c(0), ...i32c(0), ...i32c(7), ...i32c(9), 0x10, 0x00, ...i32c(0)], export: 'run' },
        { params: 0, results: 1, code: i32c(0), export: 'output' }
      ]
    })
    await expectJobError(runWasmJob(withAbort, new Uint8Array(0), LIMITS), 'JobTrapError', /aborted.*:7:9/)
  })

  it('an input the module does not accept comes back as its error code', async () => {
    await expectJobError(runWasmJob(jobModule(i32c(-3)), new Uint8Array(0), LIMITS), 'JobTrapError', /code -3/)
  })

  it('copies the input where alloc says and returns the output bytes', async () => {
    // run: output is at inputPtr; echo the first inputLen bytes
    const echo = [OP.localGet, 1]
    const r = await runWasmJob(jobModule(echo, { outPtr: 1024 }), new Uint8Array([9, 8, 7, 6]), LIMITS)
    expect([...r.output]).toEqual([9, 8, 7, 6])
  })

  it('refuses modules that break the ABI or import anything but env.abort', async () => {
    const noMemExport = buildModule({ memory: { min: 1 }, exportMemory: false, funcs: [{ params: 2, results: 1, code: i32c(0), export: 'run' }] })
    await expectJobError(runWasmJob(noMemExport, new Uint8Array(0), LIMITS), 'JobModuleError', /export/)
    const noRun = buildModule({ memory: { min: 1 }, funcs: [{ params: 1, results: 1, code: i32c(0), export: 'alloc' }, { params: 0, results: 1, code: i32c(0), export: 'output' }] })
    await expectJobError(runWasmJob(noRun, new Uint8Array(0), LIMITS), 'JobModuleError', /"run"/)
    const abortMod = Buffer.from(ex['hash-search'])
    const at = abortMod.indexOf('abort')
    expect(at).toBeGreaterThan(0)
    abortMod.write('fetch', at)
    await expectJobError(runWasmJob(new Uint8Array(abortMod), new Uint8Array(0), LIMITS), 'JobModuleError', /env\.fetch/)
    await expectJobError(runWasmJob(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), new Uint8Array(0), LIMITS), 'JobModuleError', /not a WASM module/)
    await expectJobError(runWasmJob(ex.blur.subarray(0, ex.blur.length - 7), new Uint8Array(0), LIMITS), 'JobModuleError')
  })

  it('metering never throws anything but JobModuleError/JobMemoryError on mutated modules, and keeps valid modules valid', () => {
    const allowed = new Set(['JobModuleError', 'JobMemoryError'])
    for (const base of [ex.matmul, ex['hash-search']]) fc.assert(fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (muts) => {
      const m = base.slice()
      for (const [i, v] of muts) m[i] = v
      let out: Uint8Array
      try {
        out = meterModule(m, { fuel: 1000n, memoryBytes: 1 << 20 }).bytes
      } catch (err) {
        expect(allowed.has((err as Error).name), String(err)).toBe(true)
        return
      }
      if (WebAssembly.validate(m as BufferSource)) expect(WebAssembly.validate(out as BufferSource)).toBe(true)
    }), { numRuns: 500 })
  })
})
