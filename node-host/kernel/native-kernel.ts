/**
 * The native Node-API kernel (node-host/native, C with SHA-NI where the CPU
 * has it) behind the `Kernel` interface, with the same argument checks as
 * every other implementation (ts/wasm/_args.ts).
 *
 * The addon is found at `HYPERMESH_NATIVE_PATH` or in node-host/native/build.
 * Paths, chosen at run time from CPUID: SHA-NI for every compression (the
 * chain, plot, Merkle, SHA-256), 16-lane AVX-512 for the PoW search (about
 * twice SHA-NI there), portable C otherwise. `HYPERMESH_NATIVE_PORTABLE=1`
 * (or `{ portable: true }`) forces portable C; `HYPERMESH_NATIVE_AVX512=0`
 * (or `{ avx512: false }`) keeps PoW on SHA-NI.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import type { Kernel } from '../../ts/wasm/kernel.ts'
import { HASH_BYTES } from '../../ts/wasm/kernel.ts'
import {
  checkBatch, checkBytes, checkLeaves, checkPlot, checkPow, checkVdf, checkVerifyArgs
} from '../../ts/wasm/_args.ts'
import { merklePath } from '../../ts/wasm/reference.ts'
import { KernelUnavailableError } from '../../ts/errors.ts'

/** CPU features the addon detected (CPUID, with XGETBV for AVX2/AVX-512 OS support). */
export interface CpuFeatures {
  x86: boolean
  sse41: boolean
  ssse3: boolean
  sha: boolean
  avx2: boolean
  avx512f: boolean
  /** The SHA-NI path can run (sha && sse4.1 && ssse3). */
  shaNi: boolean
}

/** The raw addon exports; `impl` is a set of flags: 1 SHA-NI, 2 AVX-512 PoW, 0 portable C. Outputs go into caller-allocated arrays. */
export interface NativeAddon {
  abiVersion: number
  cpuFeatures: () => CpuFeatures
  sha256: (data: Uint8Array, out: Uint8Array, impl: number) => void
  sha256Batch: (data: Uint8Array, size: number, out: Uint8Array, impl: number) => void
  powSearch: (prefix: Uint8Array, bits: number, start: number, count: number, impl: number) => number
  vdfSegment: (x: Uint8Array, steps: number, impl: number) => void
  vdfChain: (seed: Uint8Array, steps: number, k: number, out: Uint8Array, impl: number) => void
  plotLabels: (seed: Uint8Array, n: number, out: Uint8Array, impl: number) => void
  merkleTree: (tree: Uint8Array, n: number, impl: number) => void
  merkleVerify: (leaf: Uint8Array, index: number, path: Uint8Array, root: Uint8Array, impl: number) => boolean
}

/** Which code runs: SHA-NI and/or AVX-512 (PoW only), else portable C. */
export type NativePath = 'sha-ni+avx512' | 'sha-ni' | 'avx512' | 'portable'

/** A Kernel on the native addon; `path` says which SHA-256 implementation runs. */
export interface NativeKernel extends Kernel {
  readonly name: 'native'
  readonly path: NativePath
  readonly cpu: CpuFeatures
}

export interface NativePathOptions {
  /** Portable C only, whatever the CPU has (default: HYPERMESH_NATIVE_PORTABLE=1). */
  portable?: boolean
  /** Use SHA-NI where the CPU has it (default true). */
  shaNi?: boolean
  /** Use AVX-512 for the PoW search where the CPU has it (default: not HYPERMESH_NATIVE_AVX512=0). */
  avx512?: boolean
}

export interface NativeKernelOptions extends NativePathOptions {
  /** The .node file (default: HYPERMESH_NATIVE_PATH, else node-host/native/build/Release/hypermesh_native.node). */
  addonPath?: string
}

const NATIVE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'native')
/** Where scripts/build-native.mjs puts the addon. */
export const DEFAULT_ADDON_PATH = path.join(NATIVE_DIR, 'build', 'Release', 'hypermesh_native.node')
const STATUS_PATH = path.join(NATIVE_DIR, 'build', 'status.json')
const ABI_VERSION = 2
const EXPORTS = ['cpuFeatures', 'sha256', 'sha256Batch', 'powSearch', 'vdfSegment', 'vdfChain', 'plotLabels', 'merkleTree', 'merkleVerify'] as const

/** The addon path this process uses. */
export function nativeAddonPath (): string {
  const p = process.env.HYPERMESH_NATIVE_PATH
  return p !== undefined && p !== '' ? path.resolve(p) : DEFAULT_ADDON_PATH
}

/** Why the build did not produce the addon, from the status the build script wrote. */
function buildFailureReason (): string | undefined {
  try {
    const s = JSON.parse(readFileSync(STATUS_PATH, 'utf8')) as { ok?: boolean, reason?: string }
    return s.ok === false && typeof s.reason === 'string' ? s.reason : undefined
  } catch {
    return undefined
  }
}

const addons = new Map<string, NativeAddon>()

/** Loads (once per path and thread) and checks the addon; throws KernelUnavailableError saying why it cannot. */
export function loadNativeAddon (addonPath: string = nativeAddonPath()): NativeAddon {
  const cached = addons.get(addonPath)
  if (cached !== undefined) return cached
  if (!existsSync(addonPath)) {
    const why = addonPath === DEFAULT_ADDON_PATH ? buildFailureReason() : undefined
    throw new KernelUnavailableError(`native addon not found at ${addonPath}${why !== undefined ? ` (build: ${why})` : ' (run npm run build)'}`)
  }
  const mod = { exports: {} as Record<string, unknown> }
  try {
    process.dlopen(mod, addonPath)
  } catch (err) {
    throw new KernelUnavailableError(`native addon at ${addonPath} does not load: ${(err as Error).message}`, { cause: err })
  }
  for (const name of EXPORTS) {
    if (typeof mod.exports[name] !== 'function') throw new KernelUnavailableError(`native addon at ${addonPath} lacks ${name}`)
  }
  if (mod.exports.abiVersion !== ABI_VERSION) {
    throw new KernelUnavailableError(`native addon at ${addonPath} has ABI ${String(mod.exports.abiVersion)}, expected ${ABI_VERSION}: rebuild it`)
  }
  const addon = mod.exports as unknown as NativeAddon
  addons.set(addonPath, addon)
  return addon
}

/** A Kernel over a loaded addon. */
export function createNativeKernel (addon: NativeAddon, opts: NativePathOptions = {}): NativeKernel {
  const cpu = Object.freeze({ ...addon.cpuFeatures() })
  const portable = opts.portable === true
  const useShaNi = !portable && opts.shaNi !== false && cpu.shaNi
  const useAvx512 = !portable && opts.avx512 !== false && cpu.avx512f
  const impl = (useShaNi ? 1 : 0) | (useAvx512 ? 2 : 0)
  const path: NativePath = useShaNi ? (useAvx512 ? 'sha-ni+avx512' : 'sha-ni') : (useAvx512 ? 'avx512' : 'portable')

  function sha256 (data: Uint8Array): Uint8Array {
    checkBytes('data', data)
    const out = new Uint8Array(HASH_BYTES)
    addon.sha256(data, out, impl)
    return out
  }

  function sha256Batch (data: Uint8Array, size: number): Uint8Array {
    checkBatch(data, size)
    const out = new Uint8Array((data.length / size) * HASH_BYTES)
    addon.sha256Batch(data, size, out, impl)
    return out
  }

  function powSearch (prefix: Uint8Array, bits: number, start: number, count: number): number {
    checkPow(prefix, bits, start, count)
    return addon.powSearch(prefix, bits, start, count, impl)
  }

  function vdfSegment (start: Uint8Array, steps: number): Uint8Array {
    checkBytes('start', start, HASH_BYTES)
    if (!Number.isSafeInteger(steps) || steps < 0) throw new RangeError(`steps must be a non-negative integer, got ${steps}`)
    const x = new Uint8Array(HASH_BYTES)
    x.set(start) // a copy even when start is a Buffer (Buffer#slice is a view)
    addon.vdfSegment(x, steps, impl)
    return x
  }

  function vdfChain (seed: Uint8Array, steps: number, k: number): Uint8Array {
    checkVdf(seed, steps, k)
    const out = new Uint8Array(k * HASH_BYTES)
    addon.vdfChain(seed, steps, k, out, impl)
    return out
  }

  function plotLabels (seed: Uint8Array, n: number): Uint8Array {
    checkPlot(seed, n)
    const out = new Uint8Array(n * HASH_BYTES)
    addon.plotLabels(seed, n, out, impl)
    return out
  }

  function merkleTree (leaves: Uint8Array): Uint8Array {
    const n = checkLeaves(leaves)
    const tree = new Uint8Array((2 * n - 1) * HASH_BYTES)
    tree.set(leaves)
    addon.merkleTree(tree, n, impl)
    return tree
  }

  function merkleVerify (leaf: Uint8Array, index: number, path: Uint8Array, root: Uint8Array): boolean {
    checkVerifyArgs(leaf, index, path, root)
    return addon.merkleVerify(leaf, index, path, root, impl)
  }

  return Object.freeze({
    name: 'native',
    path,
    cpu,
    sha256,
    sha256Batch,
    powSearch,
    vdfChain,
    vdfSegment,
    plotLabels,
    merkleTree,
    // no hashing: the sibling copy of the reference is already as fast as a native call
    merklePath,
    merkleVerify
  })
}

/**
 * The native kernel, or a KernelUnavailableError saying why not (addon not
 * built, wrong ABI, does not load).
 */
export function loadNativeKernel (opts: NativeKernelOptions = {}): NativeKernel {
  const addon = loadNativeAddon(opts.addonPath ?? nativeAddonPath())
  return createNativeKernel(addon, {
    portable: opts.portable ?? process.env.HYPERMESH_NATIVE_PORTABLE === '1',
    avx512: opts.avx512 ?? process.env.HYPERMESH_NATIVE_AVX512 !== '0',
    ...(opts.shaNi !== undefined ? { shaNi: opts.shaNi } : {})
  })
}
