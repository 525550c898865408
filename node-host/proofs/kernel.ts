/**
 * The fastest kernel this Node process can use for proofs: the native
 * addon's selection (node-host/kernel) when present, else the WASM kernel,
 * else the TypeScript reference. Modules that may not exist yet are loaded
 * by computed specifier so this file works at every stage of the build.
 */
import type { Kernel } from '../../ts/wasm/kernel.ts'
import { referenceKernel } from '../../ts/wasm/reference.ts'

let cached: Promise<Kernel> | undefined

async function tryLoad (): Promise<Kernel> {
  const selectSpec = '../kernel/select.ts'
  try {
    const mod = await import(selectSpec) as { selectKernel?: () => Kernel | Promise<Kernel> }
    if (typeof mod.selectKernel === 'function') {
      const k = await mod.selectKernel()
      if (k !== undefined && typeof k.sha256 === 'function') return k
    }
  } catch {}
  const wasmSpec = '../../ts/wasm/wasm-kernel.ts'
  const loaderSpec = '../../ts/wasm/loader.ts'
  try {
    const [wk, loader] = await Promise.all([import(wasmSpec), import(loaderSpec)]) as [
      { createWasmKernel?: (m: unknown) => Kernel }, { instantiateKernelModule?: (v?: string) => unknown }]
    if (typeof wk.createWasmKernel === 'function' && typeof loader.instantiateKernelModule === 'function') {
      return wk.createWasmKernel(await loader.instantiateKernelModule())
    }
  } catch {}
  return referenceKernel
}

/** Resolves once per process; `HYPERMESH_KERNEL=ts` forces the reference. */
export async function proofsKernel (): Promise<Kernel> {
  if (process.env.HYPERMESH_KERNEL === 'ts') return referenceKernel
  cached ??= tryLoad()
  return await cached
}
