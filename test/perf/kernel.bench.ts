/**
 * Hashing kernel figures: SHA-256 of 64-byte messages, PoW nonce search,
 * the VDF chain and Merkle tree building, each beside a baseline measured
 * in the same run (node:crypto per call, @noble/hashes, the TS reference).
 * Every kernel is warmed up by measureRate's discarded first sample.
 */
import { createHash } from 'node:crypto'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { measureRate, rateRow, type BenchOptions, type BenchRow } from './_harness.ts'
import { instantiateKernelModule } from '../../ts/wasm/loader.ts'
import { createWasmKernel } from '../../ts/wasm/wasm-kernel.ts'
import { referenceKernel, leadingZeroBits } from '../../ts/wasm/reference.ts'

export async function run (opts: BenchOptions): Promise<BenchRow[]> {
  const m = { samples: opts.quick ? 3 : 7, ms: opts.quick ? 150 : 400 }
  const scalar = createWasmKernel(instantiateKernelModule('scalar'))
  const simd = createWasmKernel(instantiateKernelModule('simd'))
  const rows: BenchRow[] = []
  // Warm up every WASM entry point before timing: the first calls run in V8's
  // baseline tier, and the optimised code only replaces it between calls.
  const warmSeed = new Uint8Array(32).fill(1)
  const warmMsgs = new Uint8Array(64 * 1024).fill(2)
  for (let round = 0; round < 6; round++) {
    for (const k of [scalar, simd]) {
      k.sha256Batch(warmMsgs, 64)
      k.sha256(warmMsgs)
      k.powSearch(warmSeed, 256, 0, 20_000)
      k.vdfSegment(warmSeed, 20_000)
      k.merkleTree(warmMsgs.subarray(0, 512 * 32))
      k.plotLabels(warmSeed, 256)
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const rate = async (label: string, fn: () => unknown, ops: number): Promise<number> => {
    const r = await measureRate(fn, ops, m)
    opts.log(`${label}: ${(r / 1e6).toFixed(3)} M/s`)
    return r
  }

  // --- SHA-256 of 64-byte messages
  const N = 4096
  const msgs = new Uint8Array(64 * N).map((_, i) => (i * 2654435761) >>> 24)
  const one = msgs.subarray(0, 64)
  const nodeCall = await rate('sha256 node:crypto per call', () => {
    for (let i = 0; i < 256; i++) createHash('sha256').update(msgs.subarray(i * 64, i * 64 + 64)).digest()
  }, 256)
  const noble = await rate('sha256 @noble/hashes per call', () => {
    for (let i = 0; i < 256; i++) nobleSha256(msgs.subarray(i * 64, i * 64 + 64))
  }, 256)
  const wScalar = await rate('sha256 WASM scalar batch', () => scalar.sha256Batch(msgs, 64), N)
  const wSimd = await rate('sha256 WASM SIMD batch', () => simd.sha256Batch(msgs, 64), N)
  const wCall = await rate('sha256 WASM SIMD per call', () => { for (let i = 0; i < 256; i++) simd.sha256(one) }, 256)
  rows.push(rateRow('sha256 64 B, WASM scalar batch', wScalar, 'hash/s', 'node:crypto per call', nodeCall))
  rows.push(rateRow('sha256 64 B, WASM SIMD 4-way batch', wSimd, 'hash/s', 'node:crypto per call', nodeCall))
  rows.push(rateRow('sha256 64 B, WASM SIMD 4-way batch', wSimd, 'hash/s', '@noble/hashes per call', noble))
  rows.push(rateRow('sha256 64 B, WASM per call (kernel.sha256)', wCall, 'hash/s', 'node:crypto per call', nodeCall, 'includes the JS↔WASM copy per message'))

  // --- PoW: 41-byte prefix (opHash ‖ kind), unreachable difficulty so every nonce is tried
  const prefix = new Uint8Array(41).map((_, i) => i * 7)
  const buf = Buffer.alloc(49)
  buf.set(prefix)
  let nn = 0
  const nodePow = await rate('pow node:crypto per-call loop', () => {
    for (let i = 0; i < 1000; i++) {
      buf.writeUInt32BE(nn++ >>> 0, 45)
      if (leadingZeroBits(createHash('sha256').update(buf).digest()) >= 256) return nn
    }
    return -1
  }, 1000)
  const powChunk = opts.quick ? 1 << 17 : 1 << 19
  let sn = 0
  const powScalar = await rate('pow WASM scalar', () => { scalar.powSearch(prefix, 256, sn, powChunk); sn += powChunk }, powChunk)
  let vn = 0
  const powSimd = await rate('pow WASM SIMD', () => { simd.powSearch(prefix, 256, vn, powChunk); vn += powChunk }, powChunk)
  rows.push(rateRow('pow nonce search, WASM scalar', powScalar, 'tries/s', 'node:crypto per-call loop', nodePow, '41-byte prefix, midstate + constant tail words'))
  rows.push(rateRow('pow nonce search, WASM SIMD 4-way', powSimd, 'tries/s', 'node:crypto per-call loop', nodePow, '41-byte prefix, midstate + constant tail words'))

  // --- VDF chain
  let x: Buffer = createHash('sha256').update('bench').digest()
  const nodeVdf = await rate('vdf node:crypto chain', () => { for (let i = 0; i < 1000; i++) x = createHash('sha256').update(x).digest() }, 1000)
  const seed = new Uint8Array(x)
  const vdfSteps = opts.quick ? 100_000 : 400_000
  const vdfScalar = await rate('vdf WASM scalar', () => scalar.vdfSegment(seed, vdfSteps), vdfSteps)
  const vdfSimd = await rate('vdf WASM SIMD build', () => simd.vdfSegment(seed, vdfSteps), vdfSteps)
  rows.push(rateRow('vdf chain, WASM scalar', vdfScalar, 'steps/s', 'node:crypto chain', nodeVdf, '32-byte message: constant padding words folded'))
  rows.push(rateRow('vdf chain, WASM SIMD build', vdfSimd, 'steps/s', 'node:crypto chain', nodeVdf, 'same sequential code; a chain cannot use lanes'))

  // --- Merkle tree over 4096 leaves (4095 node hashes)
  const leaves = msgs.subarray(0, 4096 * 32)
  const refTree = await rate('merkle reference TS', () => referenceKernel.merkleTree(leaves), 4095)
  const treeScalar = await rate('merkle WASM scalar', () => scalar.merkleTree(leaves), 4095)
  const treeSimd = await rate('merkle WASM SIMD', () => simd.merkleTree(leaves), 4095)
  rows.push(rateRow('merkle tree 4096 leaves, WASM scalar', treeScalar, 'node/s', 'reference TS', refTree))
  rows.push(rateRow('merkle tree 4096 leaves, WASM SIMD 4-way', treeSimd, 'node/s', 'reference TS', refTree))
  return rows
}
