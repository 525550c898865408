/**
 * The HyperMesh kernel: SHA-256, proof-of-work search, the sequential PoTime
 * chain, proof-of-space labels and Merkle trees, behind one `Kernel`
 * interface with several implementations — the TypeScript reference, and the
 * core-wasm module in its scalar and SIMD builds (node-host adds a native
 * addon). All of them return identical bytes.
 *
 * @example
 * ```ts
 * import { loadKernel } from './ts/wasm/index.ts'
 * const kernel = await loadKernel()          // SIMD where the runtime validates it
 * kernel.sha256(new TextEncoder().encode('abc'))
 * kernel.powSearch(prefix, 16, 0, 1 << 20)   // first nonce with 16 leading zero bits, or -1
 * ```
 * @module
 */
import type { Kernel, KernelName } from './kernel.ts'
import { referenceKernel } from './reference.ts'
import { createWasmKernel } from './wasm-kernel.ts'
import { instantiateKernelModule, loadKernelModule, simdSupported } from './loader.ts'
import type { WasmVariant } from './loader.ts'

export type { Kernel, KernelName } from './kernel.ts'
export { HASH_BYTES, MAX_NONCE } from './kernel.ts'
export { referenceKernel } from './reference.ts'
export { createWasmKernel } from './wasm-kernel.ts'
export { powSolve } from './pow.ts'
export type { PowSolveOptions, PowProgress } from './pow.ts'
export { instantiateKernelModule, loadKernelModule, simdSupported, preferredVariant, wasmBytes } from './loader.ts'
export type { KernelModule, WasmVariant } from './loader.ts'

/**
 * The fastest portable kernel this runtime can run: WASM SIMD, else WASM
 * scalar, else the TypeScript reference. `prefer` forces one ('native' is
 * node-host only: see node-host/kernel/select.ts).
 */
export async function loadKernel (prefer?: Exclude<KernelName, 'native'>, module?: WebAssembly.Module): Promise<Kernel> {
  if (prefer === 'ts') return referenceKernel
  const variants: WasmVariant[] = prefer !== undefined ? [prefer] : (simdSupported() ? ['simd', 'scalar'] : ['scalar'])
  let lastError: unknown
  for (const v of variants) {
    try {
      return createWasmKernel(await loadKernelModule(v, module))
    } catch (err) {
      lastError = err
    }
  }
  if (prefer !== undefined) throw lastError
  return referenceKernel
}

/** Synchronous `loadKernel` for runtimes that allow synchronous compilation (Node, workers). */
export function loadKernelSync (prefer?: Exclude<KernelName, 'native'>): Kernel {
  if (prefer === 'ts') return referenceKernel
  const variants: WasmVariant[] = prefer !== undefined ? [prefer] : (simdSupported() ? ['simd', 'scalar'] : ['scalar'])
  let lastError: unknown
  for (const v of variants) {
    try {
      return createWasmKernel(instantiateKernelModule(v))
    } catch (err) {
      lastError = err
    }
  }
  if (prefer !== undefined) throw lastError
  return referenceKernel
}
