/**
 * Runs a WASM job in the calling thread with its fuel and memory limits
 * enforced by the metering rewrite (see meter.ts). Wall time is not
 * enforced here (a synchronous WASM call cannot be interrupted from its own
 * thread): use a worker runner for that (node-runner.ts, or a Web Worker
 * calling `runJob` that the page terminates at `limits.wallMs`).
 *
 * Job ABI (docs/vm.md): the module defines and exports `memory`, and
 * exports `alloc(len: i32) -> i32` (where to put the input),
 * `run(inputPtr: i32, inputLen: i32) -> i32` (the output length; negative
 * = the job's own error code) and `output() -> i32` (where the output is).
 * It may import `env.abort(msg, file, line, col)` (AssemblyScript) and
 * nothing else.
 */
import { meterModule } from './meter.ts'
import { JobMemoryError, JobModuleError, JobOutputError, JobTimeoutError, JobTrapError } from './errors.ts'
import type { JobLimits } from './job.ts'
import { FUEL_EXPORT, OOM_EXPORT, START_EXPORT } from './constants.ts'

export interface JobResult {
  output: Uint8Array
  /** Fuel consumed (deterministic for a given job). */
  fuelUsed: bigint
}

const MAX_ABORT_MESSAGE_CHARS = 1024

function readAsString (mem: WebAssembly.Memory, ptr: number): string {
  ptr >>>= 0
  const buf = new Uint8Array(mem.buffer)
  if (ptr < 4 || ptr > buf.length) return ''
  const bytes = new DataView(mem.buffer).getUint32(ptr - 4, true)
  const chars = Math.min(Math.floor(bytes / 2), MAX_ABORT_MESSAGE_CHARS, Math.floor((buf.length - ptr) / 2))
  let s = ''
  const dv = new DataView(mem.buffer)
  for (let i = 0; i < chars; i++) s += String.fromCharCode(dv.getUint16(ptr + 2 * i, true))
  return s
}

function isJobError (err: unknown): boolean {
  const n = (err as Error | null)?.name
  return n === 'JobTimeoutError' || n === 'JobMemoryError' || n === 'JobOutputError' || n === 'JobTrapError' || n === 'JobModuleError'
}

/** Runs `module` on `input` under `limits`. Rejects with a Job*Error. */
export async function runWasmJob (module: Uint8Array, input: Uint8Array, limits: JobLimits): Promise<JobResult> {
  const metered = meterModule(module, { fuel: limits.fuel, memoryBytes: limits.memoryBytes })
  let compiled: WebAssembly.Module
  try {
    compiled = await WebAssembly.compile(metered.bytes as BufferSource)
  } catch (err) {
    throw new JobModuleError(`the job module does not compile: ${(err as Error).message}`, { cause: err })
  }
  let memory: WebAssembly.Memory | undefined
  const imports: WebAssembly.Imports = {}
  if (metered.importsAbort) {
    imports.env = {
      abort: (msg: number, file: number, line: number, col: number) => {
        const m = memory === undefined ? '' : readAsString(memory, msg)
        const f = memory === undefined ? '' : readAsString(memory, file)
        throw new JobTrapError(`job aborted: ${m} (${f}:${line}:${col})`)
      }
    }
  }
  let fuel: WebAssembly.Global | undefined
  let oom: WebAssembly.Global | undefined
  const classify = (err: unknown, during: string): Error => {
    if (isJobError(err)) return err as Error
    if (oom !== undefined && oom.value === 1) return new JobMemoryError(`the job grew its memory beyond ${metered.memoryPages} pages (${limits.memoryBytes} bytes)`, { cause: err })
    if (fuel !== undefined && (fuel.value as bigint) < 0n) return new JobTimeoutError(`the job ran out of fuel (${limits.fuel}) during ${during}`, 'fuel', { cause: err })
    if (err instanceof WebAssembly.RuntimeError || err instanceof RangeError) return new JobTrapError(`the job trapped during ${during}: ${(err as Error).message}`, { cause: err })
    if (err instanceof WebAssembly.LinkError || err instanceof TypeError) return new JobModuleError(`the job breaks the ABI during ${during}: ${(err as Error).message}`, { cause: err })
    return new JobTrapError(`the job failed during ${during}: ${String((err as Error)?.message ?? err)}`, { cause: err })
  }
  let instance: WebAssembly.Instance
  try {
    instance = await WebAssembly.instantiate(compiled, imports)
  } catch (err) {
    throw classify(err, 'instantiation')
  }
  const ex = instance.exports
  memory = ex.memory as WebAssembly.Memory
  fuel = ex[FUEL_EXPORT] as WebAssembly.Global
  oom = ex[OOM_EXPORT] as WebAssembly.Global
  const alloc = ex.alloc as (n: number) => number
  const run = ex.run as (p: number, n: number) => number
  const output = ex.output as () => number
  if (!(memory instanceof WebAssembly.Memory) || typeof alloc !== 'function' || typeof run !== 'function' || typeof output !== 'function') {
    throw new JobModuleError('the job module does not have the job ABI exports (memory, alloc, run, output)')
  }
  const start = ex[START_EXPORT]
  if (typeof start === 'function') {
    try {
      (start as () => void)()
    } catch (err) {
      throw classify(err, 'start')
    }
  }
  let inPtr: number
  try {
    inPtr = alloc(input.length) >>> 0
  } catch (err) {
    throw classify(err, 'alloc')
  }
  if (inPtr + input.length > memory.buffer.byteLength) throw new JobTrapError(`alloc(${input.length}) returned ${inPtr}, outside the job's memory`)
  new Uint8Array(memory.buffer, inPtr, input.length).set(input)
  let outLen: number
  let outPtr: number
  try {
    outLen = run(inPtr, input.length)
    outPtr = output() >>> 0
  } catch (err) {
    throw classify(err, 'run')
  }
  if (typeof outLen !== 'number' || !Number.isInteger(outLen)) throw new JobModuleError('run must return an i32 output length')
  if (outLen < 0) throw new JobTrapError(`the job reported error code ${outLen}`)
  if (outLen > limits.outputBytes) throw new JobOutputError(`the job's output (${outLen} bytes) exceeds the limit (${limits.outputBytes} bytes)`)
  if (outPtr + outLen > memory.buffer.byteLength) throw new JobOutputError(`the job's output range [${outPtr}, +${outLen}) lies outside its memory`)
  const out = new Uint8Array(memory.buffer, outPtr, outLen).slice()
  const left = fuel.value as bigint
  return { output: out, fuelUsed: limits.fuel - (left < 0n ? 0n : left) }
}
