/**
 * Kernel selection for the Node host: tries native → simd → scalar → ts,
 * keeps the first that loads AND passes a start-up self-test (known answers
 * against the TypeScript reference, the definition), and says why.
 * `HYPERMESH_KERNEL=native|simd|scalar|ts` (or `force`) picks one; a forced
 * kernel that fails is an error, never a silent fallback.
 *
 * @example
 * const { kernel, reason } = selectKernel({ log: (l) => logger(l) })
 * kernel.powSearch(prefix, 20, 0, 1 << 24)
 * @module
 */
import type { Kernel, KernelName } from '../../ts/wasm/kernel.ts'
import { referenceKernel } from '../../ts/wasm/reference.ts'
import { instantiateKernelModule } from '../../ts/wasm/loader.ts'
import { createWasmKernel } from '../../ts/wasm/wasm-kernel.ts'
import { InvalidArgumentError, KernelUnavailableError } from '../../ts/errors.ts'
import { loadNativeKernel, type NativeKernel } from './native-kernel.ts'

/** Candidates, fastest first. */
export const KERNEL_NAMES: readonly KernelName[] = Object.freeze(['native', 'simd', 'scalar', 'ts'])

export interface KernelAttempt {
  name: KernelName
  ok: boolean
  /** Why it was not taken (load failure or self-test mismatch). */
  error?: string
}

export interface KernelSelection {
  kernel: Kernel
  /** One line: what runs and why. */
  reason: string
  tried: KernelAttempt[]
}

export interface SelectKernelOptions {
  /** Use exactly this kernel (default: HYPERMESH_KERNEL when set). */
  force?: KernelName
  /** Receives one line per candidate and the choice. */
  log?: (line: string) => void
  /** Native kernel on its portable C path (default: HYPERMESH_NATIVE_PORTABLE=1). */
  nativePortable?: boolean
}

function isKernelName (s: string): s is KernelName {
  return (KERNEL_NAMES as readonly string[]).includes(s)
}

/** Loads one kernel by name, without the self-test (workers use it for the name the main thread chose). */
export function loadKernelByName (name: KernelName, opts: { nativePortable?: boolean } = {}): Kernel {
  switch (name) {
    case 'native': return loadNativeKernel(opts.nativePortable !== undefined ? { portable: opts.nativePortable } : {})
    case 'simd':
    case 'scalar': {
      const k = createWasmKernel(instantiateKernelModule(name))
      if (k.name !== name) throw new KernelUnavailableError(`core-wasm ${name} loaded as ${k.name}`)
      return k
    }
    case 'ts': return referenceKernel
    default: throw new InvalidArgumentError(`unknown kernel ${String(name)}`)
  }
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
const bytes = (n: number, mul: number, add: number): Uint8Array => new Uint8Array(n).map((_, i) => (i * mul + add) & 0xff)

/**
 * Known answers: fixed FIPS 180-4 digests, and for every operation the
 * reference's answer on small inputs. Throws KernelUnavailableError naming
 * the first mismatch.
 */
export function selfTest (k: Kernel): void {
  const ref = referenceKernel
  const fail = (what: string): never => { throw new KernelUnavailableError(`${k.name} kernel failed its self-test: ${what}`) }
  const abc = new Uint8Array([0x61, 0x62, 0x63])
  if (hex(k.sha256(abc)) !== 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad') fail('sha256("abc")')
  if (hex(k.sha256(new Uint8Array(0))) !== 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855') fail('sha256("")')
  for (const len of [1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
    const d = bytes(len, 31, len)
    if (hex(k.sha256(d)) !== hex(ref.sha256(d))) fail(`sha256 of ${len} bytes`)
  }
  const batch = bytes(64 * 5, 7, 3)
  if (hex(k.sha256Batch(batch, 64)) !== hex(ref.sha256Batch(batch, 64))) fail('sha256Batch')
  for (const len of [0, 41, 56, 60, 100]) {
    const prefix = bytes(len, 13, 5)
    const want = ref.powSearch(prefix, 8, 1000, 3000)
    if (k.powSearch(prefix, 8, 1000, 3000) !== want) fail(`powSearch with a ${len}-byte prefix`)
  }
  if (k.powSearch(abc, 1, 2 ** 53 - 10, 9) !== ref.powSearch(abc, 1, 2 ** 53 - 10, 9)) fail('powSearch near 2^53')
  const seed = bytes(32, 17, 1)
  const cps = k.vdfChain(seed, 96, 4)
  if (hex(cps) !== hex(ref.vdfChain(seed, 96, 4))) fail('vdfChain')
  if (hex(k.vdfSegment(cps.subarray(32, 64), 24)) !== hex(cps.subarray(64, 96))) fail('vdfSegment')
  const labels = k.plotLabels(seed, 8)
  if (hex(labels) !== hex(ref.plotLabels(seed, 8))) fail('plotLabels')
  const tree = k.merkleTree(labels)
  if (hex(tree) !== hex(ref.merkleTree(labels))) fail('merkleTree')
  const root = tree.subarray(tree.length - 32)
  const path = k.merklePath(tree, 8, 5)
  if (hex(path) !== hex(ref.merklePath(tree, 8, 5))) fail('merklePath')
  if (!k.merkleVerify(labels.subarray(160, 192), 5, path, root)) fail('merkleVerify of a valid path')
  if (k.merkleVerify(labels.subarray(160, 192), 4, path, root)) fail('merkleVerify of a wrong index')
}

function describe (k: Kernel): string {
  if (k.name === 'native') {
    const n = k as NativeKernel
    const extra = [n.cpu.avx2 ? 'AVX2' : '', n.cpu.avx512f ? 'AVX-512F' : ''].filter((s) => s !== '').join(', ')
    const paths = { 'sha-ni+avx512': 'SHA-NI, AVX-512 PoW', 'sha-ni': 'SHA-NI', avx512: 'portable C, AVX-512 PoW', portable: 'portable C' }
    return `native (${paths[n.path]}; CPU: ${extra !== '' ? extra : 'no AVX2/AVX-512'})`
  }
  if (k.name === 'simd') return 'WASM SIMD'
  if (k.name === 'scalar') return 'WASM scalar'
  return 'TypeScript reference'
}

/**
 * Picks the kernel: the forced one (option or HYPERMESH_KERNEL) or the first
 * candidate that loads and passes `selfTest`.
 */
export function selectKernel (opts: SelectKernelOptions = {}): KernelSelection {
  const env = process.env.HYPERMESH_KERNEL
  const forced = opts.force ?? (env !== undefined && env !== '' ? env : undefined)
  if (forced !== undefined && !isKernelName(forced)) {
    throw new InvalidArgumentError(`HYPERMESH_KERNEL must be one of ${KERNEL_NAMES.join('|')}, got ${JSON.stringify(forced)}`)
  }
  const candidates = forced !== undefined ? [forced] : KERNEL_NAMES
  const tried: KernelAttempt[] = []
  for (const name of candidates) {
    try {
      const k = loadKernelByName(name, opts.nativePortable !== undefined ? { nativePortable: opts.nativePortable } : {})
      selfTest(k)
      tried.push({ name, ok: true })
      const why = forced !== undefined
        ? `forced by ${opts.force !== undefined ? 'option' : 'HYPERMESH_KERNEL'}`
        : tried.length === 1 ? 'fastest available' : `fallback after ${tried.filter((t) => !t.ok).map((t) => `${t.name}: ${t.error ?? ''}`).join('; ')}`
      const reason = `kernel ${describe(k)}: ${why}`
      opts.log?.(reason)
      return { kernel: k, reason, tried }
    } catch (err) {
      const msg = (err as Error).message
      tried.push({ name, ok: false, error: msg })
      opts.log?.(`kernel ${name} unavailable: ${msg}`)
      if (forced !== undefined) {
        throw new KernelUnavailableError(`forced kernel ${name} is unavailable: ${msg}`, { cause: err })
      }
    }
  }
  // unreachable in practice: the reference always passes its own self-test
  throw new KernelUnavailableError(`no kernel passed its self-test: ${tried.map((t) => `${t.name}: ${t.error ?? ''}`).join('; ')}`)
}

let cached: KernelSelection | undefined

/** The process-wide selection (selected once, on first use). */
export function selectedKernel (opts: Omit<SelectKernelOptions, 'force'> = {}): KernelSelection {
  cached ??= selectKernel(opts)
  return cached
}
