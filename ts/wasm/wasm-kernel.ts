/**
 * The `Kernel` interface over the core-wasm exports (scalar or SIMD build).
 * Inputs are copied into the heap's scratch region, the WASM function runs,
 * and outputs are copied out; views are re-taken after every scratch call
 * because memory may have grown.
 * @module
 */
import type { Kernel } from './kernel.ts'
import type { KernelModule } from './loader.ts'
import { HASH_BYTES } from './kernel.ts'
import {
  checkBatch, checkBytes, checkLeaves, checkPathArgs, checkPlot, checkPow, checkVdf, checkVerifyArgs
} from './_args.ts'
import { KernelUnavailableError } from '../errors.ts'

/** Bytes streamed per WASM call when hashing large inputs (a multiple of 64). */
const STREAM_CHUNK = 256 * 1024
/** Input bytes per sha256Batch call into WASM. */
const BATCH_CHUNK = 1024 * 1024

type Fn = (...args: number[]) => number

const REQUIRED = [
  'sha256_init', 'sha256_update', 'sha256_final', 'sha256_digest', 'sha256_batch',
  'pow_search', 'vdf_segment', 'vdf_chain', 'plot_labels', 'merkle_tree', 'merkle_verify'
] as const

/** A Kernel backed by a loaded core-wasm module; its name is the module's variant. */
export function createWasmKernel (mod: KernelModule): Kernel {
  const ex = mod.exports
  const heap = mod.heap
  for (const name of REQUIRED) {
    if (typeof ex[name] !== 'function') throw new KernelUnavailableError(`core-wasm ${mod.variant} module lacks export ${name}`)
  }
  const fn = (name: string, fallback: string): Fn => {
    const f = mod.variant === 'simd' ? ex[name] : undefined
    return typeof f === 'function' ? f : ex[fallback]
  }
  const batchFn = fn('sha256_batch_x4', 'sha256_batch')
  const powFn = fn('pow_search_x4', 'pow_search')
  const treeFn = fn('merkle_tree_x4', 'merkle_tree')
  const ctx = heap.alloc(64)

  /** Copies `bytes` into memory at `ptr`. */
  const put = (ptr: number, bytes: Uint8Array): void => { heap.u8().set(bytes, ptr) }
  /** A copy of `len` bytes at `ptr`. */
  const get = (ptr: number, len: number): Uint8Array => heap.u8().slice(ptr, ptr + len)

  function sha256 (data: Uint8Array): Uint8Array {
    checkBytes('data', data)
    const len = data.length
    if (len <= STREAM_CHUNK) {
      const p = heap.scratch(len + 64)
      const out = p + align64(len)
      put(p, data)
      ex.sha256_digest(p, len, out)
      return get(out, HASH_BYTES)
    }
    const p = heap.scratch(STREAM_CHUNK + 64)
    ex.sha256_init(ctx)
    const full = len - (len % 64)
    for (let o = 0; o < full; o += STREAM_CHUNK) {
      const n = Math.min(STREAM_CHUNK, full - o)
      put(p, data.subarray(o, o + n))
      ex.sha256_update(ctx, p, n / 64)
    }
    put(p, data.subarray(full))
    ex.sha256_final(ctx, p, len - full, len, p + 64)
    return get(p + 64, HASH_BYTES)
  }

  function sha256Batch (data: Uint8Array, size: number): Uint8Array {
    checkBatch(data, size)
    const n = data.length / size
    const out = new Uint8Array(n * HASH_BYTES)
    if (size > BATCH_CHUNK) {
      for (let i = 0; i < n; i++) out.set(sha256(data.subarray(i * size, (i + 1) * size)), i * HASH_BYTES)
      return out
    }
    const per = Math.max(1, Math.floor(BATCH_CHUNK / size))
    for (let i = 0; i < n; i += per) {
      const m = Math.min(per, n - i)
      const inLen = m * size
      const p = heap.scratch(align64(inLen) + m * HASH_BYTES)
      const o = p + align64(inLen)
      put(p, data.subarray(i * size, i * size + inLen))
      batchFn(p, size, m, o)
      out.set(heap.u8().subarray(o, o + m * HASH_BYTES), i * HASH_BYTES)
    }
    return out
  }

  function powSearch (prefix: Uint8Array, bits: number, start: number, count: number): number {
    checkPow(prefix, bits, start, count)
    if (count === 0) return -1
    const p = heap.scratch(prefix.length)
    put(p, prefix)
    return powFn(p, prefix.length, bits, start, count)
  }

  function vdfSegment (start: Uint8Array, steps: number): Uint8Array {
    checkBytes('start', start, HASH_BYTES)
    if (!Number.isSafeInteger(steps) || steps < 0) throw new RangeError(`steps must be a non-negative integer, got ${steps}`)
    const p = heap.scratch(64)
    put(p, start)
    ex.vdf_segment(p, steps, p + 32)
    return get(p + 32, HASH_BYTES)
  }

  function vdfChain (seed: Uint8Array, steps: number, k: number): Uint8Array {
    checkVdf(seed, steps, k)
    const p = heap.scratch(32 + k * HASH_BYTES)
    put(p, seed)
    ex.vdf_chain(p, steps, k, p + 32)
    return get(p + 32, k * HASH_BYTES)
  }

  function plotLabels (seed: Uint8Array, n: number): Uint8Array {
    checkPlot(seed, n)
    const p = heap.scratch(64 + n * HASH_BYTES)
    put(p, seed)
    ex.plot_labels(p, n, p + 64)
    return get(p + 64, n * HASH_BYTES)
  }

  function merkleTree (leaves: Uint8Array): Uint8Array {
    const n = checkLeaves(leaves)
    const size = (2 * n - 1) * HASH_BYTES
    const p = heap.scratch(size)
    put(p, leaves)
    treeFn(p, n)
    return get(p, size)
  }

  function merklePath (tree: Uint8Array, n: number, index: number): Uint8Array {
    checkPathArgs(tree, n, index)
    // Pure copying: the siblings are already in the tree.
    const height = Math.log2(n)
    const path = new Uint8Array(height * HASH_BYTES)
    let levelStart = 0
    let width = n
    let idx = index
    for (let h = 0; h < height; h++) {
      const sib = levelStart + (idx ^ 1)
      path.set(tree.subarray(sib * HASH_BYTES, sib * HASH_BYTES + HASH_BYTES), h * HASH_BYTES)
      levelStart += width
      width /= 2
      idx >>>= 1
    }
    return path
  }

  function merkleVerify (leaf: Uint8Array, index: number, path: Uint8Array, root: Uint8Array): boolean {
    const height = checkVerifyArgs(leaf, index, path, root)
    const p = heap.scratch(64 + path.length)
    put(p, leaf)
    put(p + 32, root)
    put(p + 64, path)
    return ex.merkle_verify(p, index >>> 0, p + 64, height, p + 32) === 1
  }

  return Object.freeze({
    name: mod.variant,
    sha256,
    sha256Batch,
    powSearch,
    vdfChain,
    vdfSegment,
    plotLabels,
    merkleTree,
    merklePath,
    merkleVerify
  })
}

function align64 (n: number): number {
  return Math.ceil(n / 64) * 64
}
