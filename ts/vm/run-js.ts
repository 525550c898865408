/**
 * Runs a JavaScript job inside QuickJS compiled to WASM (quickjs-emscripten):
 * a fresh runtime per job, no host objects (no I/O, no fetch, no console),
 * heap capped at `limits.memoryBytes`, fuel and wall time enforced by the
 * interrupt handler (QuickJS polls it about every 10,000 branch/call ticks;
 * each poll costs JS_FUEL_PER_POLL fuel, so fuel is deterministic for a job).
 *
 * JavaScript job ABI (docs/vm.md): the source is a script that defines a
 * global function `run(input)`; `input` is a Uint8Array; `run` returns a
 * Uint8Array, an ArrayBuffer or a string (sent as UTF-8).
 */
import { newQuickJSWASMModule, RELEASE_SYNC, type QuickJSWASMModule, type QuickJSHandle, type QuickJSContext } from 'quickjs-emscripten'
import { JobMemoryError, JobModuleError, JobOutputError, JobTimeoutError, JobTrapError } from './errors.ts'
import type { JobLimits } from './job.ts'
import type { JobResult } from './run-wasm.ts'
import { JS_FUEL_PER_POLL } from './constants.ts'

/** Largest QuickJS stack a job gets (native recursion inside the WASM module). */
const MAX_STACK_BYTES = 128 * 1024

/**
 * A fresh QuickJS WASM instance (a few ms). Each job gets its own: a job
 * that corrupts or exhausts its instance cannot affect the next, and all its
 * memory goes when the instance is dropped.
 */
export function loadQuickJS (): Promise<QuickJSWASMModule> {
  return newQuickJSWASMModule(RELEASE_SYNC)
}

const OUTPUT_HELPER = `(v) => {
  if (typeof v === 'string' || v instanceof ArrayBuffer) return v
  if (ArrayBuffer.isView(v)) return v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength)
  throw new TypeError('run must return a Uint8Array, an ArrayBuffer or a string')
}`

interface ErrorDump { name?: string, message?: string }

function dumpError (ctx: QuickJSContext, h: QuickJSHandle): ErrorDump {
  try {
    const d = ctx.dump(h) as unknown
    if (d !== null && typeof d === 'object') return d as ErrorDump
    return { name: 'Error', message: String(d) }
  } catch {
    return { name: 'InternalError', message: 'out of memory' }
  } finally {
    h.dispose()
  }
}

/** Runs JavaScript `source` on `input` under `limits`. Rejects with a Job*Error. */
export async function runJsJob (source: string, input: Uint8Array, limits: JobLimits): Promise<JobResult> {
  const qjs = await loadQuickJS()
  const rt = qjs.newRuntime()
  const handles: QuickJSHandle[] = []
  let polls = 0n
  const maxPolls = (limits.fuel + JS_FUEL_PER_POLL - 1n) / JS_FUEL_PER_POLL
  const deadline = Date.now() + limits.wallMs
  let stopped: 'fuel' | 'wallMs' | 'memory' | undefined
  // QuickJS's malloc limit does not cover every allocation (array buffers and
  // strings escape it in this build), so the instance's own WASM heap is
  // checked too, at every interrupt poll and at the end.
  const emscripten = (qjs as unknown as { module?: { HEAPU8?: Uint8Array } }).module
  const heapBytes = (): number => emscripten?.HEAPU8?.length ?? 0
  let baseline = heapBytes()
  const heapOver = (): boolean => heapBytes() - baseline > limits.memoryBytes
  const fail = (e: ErrorDump, during: string): Error => {
    if (stopped === 'memory' || heapOver()) return new JobMemoryError(`the job's heap exceeded ${limits.memoryBytes} bytes during ${during}`)
    if (stopped === 'fuel') return new JobTimeoutError(`the job ran out of fuel (${limits.fuel}) during ${during}`, 'fuel')
    if (stopped === 'wallMs') return new JobTimeoutError(`the job ran past its wall-time limit (${limits.wallMs} ms) during ${during}`, 'wallMs')
    if (e.message === 'out of memory') return new JobMemoryError(`the job's heap exceeded ${limits.memoryBytes} bytes during ${during}`)
    if (during === 'evaluation' && e.name === 'SyntaxError') return new JobModuleError(`the job's source does not parse: ${e.message ?? ''}`)
    return new JobTrapError(`the job threw during ${during}: ${e.name ?? 'Error'}: ${e.message ?? ''}`)
  }
  try {
    rt.setMemoryLimit(limits.memoryBytes)
    rt.setMaxStackSize(MAX_STACK_BYTES)
    rt.setInterruptHandler(() => {
      polls++
      if (heapOver()) { stopped = 'memory'; return true }
      if (polls > maxPolls) { stopped = 'fuel'; return true }
      if (Date.now() > deadline) { stopped = 'wallMs'; return true }
      return false
    })
    let ctx: QuickJSContext
    try {
      ctx = rt.newContext()
    } catch (err) {
      throw new JobMemoryError(`a JavaScript context does not fit in ${limits.memoryBytes} bytes`, { cause: err })
    }
    baseline = heapBytes()
    const track = (h: QuickJSHandle): QuickJSHandle => { handles.push(h); return h }
    const helper = ctx.evalCode(OUTPUT_HELPER, 'hypermesh-output.js')
    if (helper.error !== undefined) throw fail(dumpError(ctx, helper.error), 'setup')
    track(helper.value)
    const evaluated = ctx.evalCode(source, 'job.js')
    if (evaluated.error !== undefined) throw fail(dumpError(ctx, evaluated.error), 'evaluation')
    evaluated.value.dispose()
    const run = track(ctx.getProp(ctx.global, 'run'))
    if (ctx.typeof(run) !== 'function') throw new JobModuleError('the JavaScript job must define a global function run(input)')
    const ab = track(ctx.newArrayBuffer(input.slice().buffer))
    const made = ctx.evalCode('(ab) => new Uint8Array(ab)', 'hypermesh-input.js')
    if (made.error !== undefined) throw fail(dumpError(ctx, made.error), 'setup')
    track(made.value)
    const inArr = ctx.callFunction(made.value, ctx.undefined, ab)
    if (inArr.error !== undefined) throw fail(dumpError(ctx, inArr.error), 'setup')
    track(inArr.value)
    const ret = ctx.callFunction(run, ctx.undefined, inArr.value)
    if (ret.error !== undefined) throw fail(dumpError(ctx, ret.error), 'run')
    track(ret.value)
    const out = ctx.callFunction(helper.value, ctx.undefined, ret.value)
    if (out.error !== undefined) throw fail(dumpError(ctx, out.error), 'output')
    const outH = track(out.value)
    let bytes: Uint8Array
    if (ctx.typeof(outH) === 'string') {
      const lenH = track(ctx.getProp(outH, 'length'))
      if (ctx.getNumber(lenH) > limits.outputBytes) throw new JobOutputError(`the job's output (at least ${ctx.getNumber(lenH)} bytes) exceeds the limit (${limits.outputBytes} bytes)`)
      bytes = new TextEncoder().encode(ctx.getString(outH))
    } else {
      const lenH = track(ctx.getProp(outH, 'byteLength'))
      const n = ctx.getNumber(lenH)
      if (n > limits.outputBytes) throw new JobOutputError(`the job's output (${n} bytes) exceeds the limit (${limits.outputBytes} bytes)`)
      const life = ctx.getArrayBuffer(outH)
      try { bytes = life.value.slice() } finally { life.dispose() }
    }
    if (bytes.length > limits.outputBytes) throw new JobOutputError(`the job's output (${bytes.length} bytes) exceeds the limit (${limits.outputBytes} bytes)`)
    if (heapOver()) throw new JobMemoryError(`the job's heap exceeded ${limits.memoryBytes} bytes`)
    const used = polls * JS_FUEL_PER_POLL
    for (let i = handles.length - 1; i >= 0; i--) if (handles[i].alive) handles[i].dispose()
    ctx.dispose()
    rt.dispose()
    return { output: bytes, fuelUsed: used > limits.fuel ? limits.fuel : used }
  } catch (err) {
    // After a failure QuickJS may still hold objects (and would assert in
    // JS_FreeRuntime): nothing is disposed; the instance is this job's alone
    // and is garbage-collected whole.
    const n = (err as Error | null)?.name
    if (typeof n === 'string' && n.startsWith('Job')) throw err
    throw fail({ name: n ?? 'Error', message: (err as Error | null)?.message ?? String(err) }, 'run')
  }
}
