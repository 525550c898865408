/**
 * Loads the core-wasm module (scalar or SIMD build) in any runtime: from the
 * embedded bytes (Node, browsers), or from a precompiled `WebAssembly.Module`
 * (workerd, which forbids compiling from bytes at run time).
 */
import { WasmHeap } from './_heap.ts'
import { KernelUnavailableError } from '../errors.ts'
import { SCALAR_WASM_BASE64, SIMD_WASM_BASE64 } from './generated/wasm-bytes.ts'

export type WasmVariant = 'simd' | 'scalar'

/** Raw exports of the kernel module: functions over numbers, and its memory. */
export type KernelExports = Record<string, (...args: number[]) => number> & { memory: WebAssembly.Memory, heapBase: () => number }

export interface KernelModule {
  readonly variant: WasmVariant
  readonly exports: KernelExports
  readonly heap: WasmHeap
}

let bytesCache: Partial<Record<WasmVariant, Uint8Array>> = {}

/** The embedded bytes of one build. */
export function wasmBytes (variant: WasmVariant): Uint8Array {
  let b = bytesCache[variant]
  if (b === undefined) {
    b = base64ToBytes(variant === 'simd' ? SIMD_WASM_BASE64 : SCALAR_WASM_BASE64)
    bytesCache = { ...bytesCache, [variant]: b }
  }
  return b
}

/** True when this runtime accepts the SIMD build. */
export function simdSupported (): boolean {
  try {
    return WebAssembly.validate(wasmBytes('simd') as BufferSource)
  } catch {
    return false
  }
}

/** The variant to use: SIMD when the runtime validates it, else scalar. */
export function preferredVariant (): WasmVariant {
  return simdSupported() ? 'simd' : 'scalar'
}

function wrap (variant: WasmVariant, instance: WebAssembly.Instance): KernelModule {
  const exports = instance.exports as unknown as KernelExports
  if (!(exports.memory instanceof WebAssembly.Memory) || typeof exports.heapBase !== 'function') {
    throw new KernelUnavailableError(`core-wasm ${variant} module lacks memory or heapBase exports`)
  }
  return Object.freeze({ variant, exports, heap: new WasmHeap(exports.memory, exports.heapBase()) })
}

/**
 * Instantiates synchronously (Node, workers, workerd with a Module). Browsers'
 * main threads may refuse synchronous compilation of large modules: use
 * `loadKernelModule` there.
 */
export function instantiateKernelModule (variant: WasmVariant = preferredVariant(), module?: WebAssembly.Module): KernelModule {
  try {
    const mod = module ?? new WebAssembly.Module(wasmBytes(variant) as BufferSource)
    return wrap(variant, new WebAssembly.Instance(mod, {}))
  } catch (err) {
    if (err instanceof KernelUnavailableError) throw err
    throw new KernelUnavailableError(`cannot instantiate core-wasm ${variant}: ${(err as Error).message}`, { cause: err })
  }
}

/** Asynchronous instantiation, usable on a browser's main thread. */
export async function loadKernelModule (variant: WasmVariant = preferredVariant(), module?: WebAssembly.Module): Promise<KernelModule> {
  try {
    const mod = module ?? await WebAssembly.compile(wasmBytes(variant) as BufferSource)
    return wrap(variant, await WebAssembly.instantiate(mod, {}))
  } catch (err) {
    if (err instanceof KernelUnavailableError) throw err
    throw new KernelUnavailableError(`cannot instantiate core-wasm ${variant}: ${(err as Error).message}`, { cause: err })
  }
}

function base64ToBytes (b64: string): Uint8Array {
  if (typeof atob === 'function') {
    const s = atob(b64)
    const out = new Uint8Array(s.length)
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
    return out
  }
  throw new KernelUnavailableError('no base64 decoder (atob) in this runtime')
}
