/**
 * Proof-of-space plots: the seed bound to a node identity, building the
 * labels and their Merkle tree with the kernel, and the PlotStore interface
 * that hosts implement (node-host: a file; browser-host: IndexedDB).
 *
 * A plot is stored as its whole Merkle tree in the kernel's `merkleTree`
 * layout: the n labels (leaves) first, then each level up, the root last —
 * (2n − 1) · 32 bytes. Labels and paths are both read from it.
 */
import { InvalidArgumentError } from '../errors.ts'
import type { Kernel } from '../wasm/kernel.ts'
import { HASH_BYTES, MAX_PLOT_LOG2, MIN_PLOT_LOG2, NODE_ID_BYTES, PROOF_DOMAINS } from './constants.ts'
import { concatBytes, isBytes, u32be } from './_util.ts'

/** What identifies a plot and what the ledger registers for it. */
export interface PlotInfo {
  nodeId: Uint8Array
  plotIndex: number
  log2Size: number
  root: Uint8Array
}

/** Persisted plot (labels + Merkle tree), read back by node index. */
export interface PlotStore {
  readonly info: PlotInfo
  /** Tree nodes by index in the `merkleTree` layout (leaves 0..n−1, …, root 2n−2). */
  readNodes: (indices: readonly number[]) => Promise<Uint8Array[]>
  close: () => Promise<void>
}

export function checkPlotArgs (nodeId: Uint8Array, plotIndex: number, log2Size: number): void {
  if (!isBytes(nodeId, NODE_ID_BYTES)) throw new InvalidArgumentError('nodeId must be 32 bytes')
  if (!Number.isInteger(plotIndex) || plotIndex < 0 || plotIndex > 0xffffffff) throw new InvalidArgumentError(`plotIndex ${plotIndex} must be a u32`)
  if (!Number.isInteger(log2Size) || log2Size < MIN_PLOT_LOG2 || log2Size > MAX_PLOT_LOG2) throw new InvalidArgumentError(`log2Size ${log2Size} not in [${MIN_PLOT_LOG2}, ${MAX_PLOT_LOG2}]`)
}

/** seed = H(D ‖ nodeId ‖ u32be(plotIndex) ‖ u8(log2Size)): a plot cannot be borrowed by another node. */
export function plotSeed (kernel: Kernel, nodeId: Uint8Array, plotIndex: number, log2Size: number): Uint8Array {
  checkPlotArgs(nodeId, plotIndex, log2Size)
  return kernel.sha256(concatBytes(PROOF_DOMAINS.plotSeed, nodeId, u32be(plotIndex), Uint8Array.of(log2Size)))
}

/** Index in the tree layout of the first node of level `h` (0 = leaves). */
export function levelStart (log2Size: number, h: number): number {
  let start = 0
  for (let l = 0; l < h; l++) start += 2 ** (log2Size - l)
  return start
}

/** Tree node indices of the sibling path of `leaf`, from the leaf level up. */
export function pathNodeIndices (log2Size: number, leaf: number): number[] {
  const out: number[] = []
  let start = 0
  let width = 2 ** log2Size
  let idx = leaf
  for (let h = 0; h < log2Size; h++) {
    out.push(start + (idx ^ 1))
    start += width; width /= 2; idx = Math.floor(idx / 2)
  }
  return out
}

/** Builds a plot in memory: the whole tree (labels first, root last) and its info. */
export function buildPlotTree (kernel: Kernel, nodeId: Uint8Array, plotIndex: number, log2Size: number): { info: PlotInfo, tree: Uint8Array } {
  const seed = plotSeed(kernel, nodeId, plotIndex, log2Size)
  const n = 2 ** log2Size
  const tree = kernel.merkleTree(kernel.plotLabels(seed, n))
  const root = tree.slice(tree.length - HASH_BYTES)
  return { info: { nodeId: nodeId.slice(), plotIndex, log2Size, root }, tree }
}

/** Reads leaf `leaf` and its Merkle path from a store. */
export async function readOpening (store: PlotStore, leaf: number): Promise<{ label: Uint8Array, path: Uint8Array }> {
  const { log2Size } = store.info
  const idx = pathNodeIndices(log2Size, leaf)
  const nodes = await store.readNodes([leaf, ...idx])
  const path = new Uint8Array(log2Size * HASH_BYTES)
  for (let h = 0; h < log2Size; h++) path.set(nodes[h + 1], h * HASH_BYTES)
  return { label: nodes[0], path }
}

/** A plot held in memory (tests, short-lived browser plots, and the source the hosts persist). */
export class MemoryPlotStore implements PlotStore {
  readonly info: PlotInfo
  readonly tree: Uint8Array
  constructor (info: PlotInfo, tree: Uint8Array) {
    if (tree.length !== (2 * 2 ** info.log2Size - 1) * HASH_BYTES) throw new InvalidArgumentError('tree size does not match log2Size')
    this.info = info
    this.tree = tree
  }

  static build (kernel: Kernel, nodeId: Uint8Array, plotIndex: number, log2Size: number): MemoryPlotStore {
    const { info, tree } = buildPlotTree(kernel, nodeId, plotIndex, log2Size)
    return new MemoryPlotStore(info, tree)
  }

  async readNodes (indices: readonly number[]): Promise<Uint8Array[]> {
    const total = this.tree.length / HASH_BYTES
    return indices.map((i) => {
      if (!Number.isInteger(i) || i < 0 || i >= total) throw new InvalidArgumentError(`node index ${i} out of range`)
      return this.tree.slice(i * HASH_BYTES, (i + 1) * HASH_BYTES)
    })
  }

  async close (): Promise<void> {}
}
