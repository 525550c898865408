/**
 * The fastest kernel this Node process can use for proofs: node-host's
 * `selectKernel()` (native → simd → scalar → ts with a self-test; honours
 * HYPERMESH_KERNEL) when that module is present, else the WASM kernel,
 * else the TypeScript reference. Modules that may not be built yet are
 * loaded by computed specifier so this file works at every stage.
 */
import type { Kernel } from '../../ts/wasm/kernel.ts'
import { referenceKernel } from '../../ts/wasm/reference.ts'

let cached: Promise<Kernel> | undefined

type Selected = Kernel | { kernel: Kernel }
const isKernel = (k: unknown): k is Kernel => typeof (k as Kernel)?.sha256 === 'function' && typeof (k as Kernel)?.vdfSegment === 'function'

async function tryLoad (): Promise<Kernel> {
  const forced = process.env.HYPERMESH_KERNEL
  const selectSpec = '../kernel/select.ts'
  let selectErr: unknown
  try {
    const mod = await import(selectSpec) as { selectKernel?: () => Selected | Promise<Selected> }
    if (typeof mod.selectKernel === 'function') {
      const sel = await mod.selectKernel()
      const k = isKernel(sel) ? sel : sel?.kernel
      if (isKernel(k)) return k
    }
  } catch (err) {
    selectErr = err
  }
  // A forced kernel that cannot be provided is an error, never a silent fallback.
  if (forced === 'native') throw new Error(`HYPERMESH_KERNEL=native but node-host/kernel could not provide it: ${String(selectErr)}`)
  if (forced === 'ts') return referenceKernel
  const wasmSpec = '../../ts/wasm/wasm-kernel.ts'
  const loaderSpec = '../../ts/wasm/loader.ts'
  try {
    const [wk, loader] = await Promise.all([import(wasmSpec), import(loaderSpec)]) as [
      { createWasmKernel?: (m: unknown) => Kernel }, { instantiateKernelModule?: (v?: string) => unknown }]
    if (typeof wk.createWasmKernel === 'function' && typeof loader.instantiateKernelModule === 'function') {
      const variant = forced === 'scalar' || forced === 'simd' ? forced : undefined
      return wk.createWasmKernel(await loader.instantiateKernelModule(variant))
    }
  } catch (err) {
    if (forced === 'simd' || forced === 'scalar') throw err
  }
  return referenceKernel
}

/** Resolves once per process. */
export async function proofsKernel (): Promise<Kernel> {
  cached ??= tryLoad()
  return await cached
}
