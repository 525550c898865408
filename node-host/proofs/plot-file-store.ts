/**
 * On-disk PoSpace plot: one file holding a 128-byte header and the plot's
 * whole Merkle tree (labels first, root last; ts/proofs/plot.ts layout).
 *
 * Header: "HMPLOT01" ‖ u8 log2Size ‖ 3 zero bytes ‖ u32be plotIndex ‖
 * nodeId[32] ‖ root[32] ‖ SHA-256(previous 80 bytes)[32] ‖ 16 zero bytes.
 * Written to `<path>.tmp` then renamed, so a crash never leaves a
 * half-written plot under the real name. Opening checks the header hash,
 * the file size and that the last tree node equals the recorded root.
 */
import { createHash } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { DecodeError, InvalidArgumentError, throwIfAborted } from '../../ts/errors.ts'
import type { Kernel } from '../../ts/wasm/kernel.ts'
import type { PlotInfo, PlotStore } from '../../ts/proofs/plot.ts'
import { buildPlotTree, checkPlotArgs } from '../../ts/proofs/plot.ts'
import { MAX_PLOT_LOG2, MIN_PLOT_LOG2 } from '../../ts/proofs/constants.ts'

const MAGIC = Buffer.from('HMPLOT01')
export const PLOT_HEADER_BYTES = 128

function headerOf (info: PlotInfo): Buffer {
  const h = Buffer.alloc(PLOT_HEADER_BYTES)
  MAGIC.copy(h, 0)
  h[8] = info.log2Size
  h.writeUInt32BE(info.plotIndex, 12)
  h.set(info.nodeId, 16)
  h.set(info.root, 48)
  createHash('sha256').update(h.subarray(0, 80)).digest().copy(h, 80)
  return h
}

function parseHeader (h: Buffer, path: string): PlotInfo {
  const bad = (m: string): never => { throw new DecodeError(`plot file ${path}: ${m}`) }
  if (h.length < PLOT_HEADER_BYTES) bad('shorter than its header')
  if (!h.subarray(0, 8).equals(MAGIC)) bad('not a HyperMesh plot (bad magic)')
  if (!createHash('sha256').update(h.subarray(0, 80)).digest().equals(h.subarray(80, 112))) bad('header checksum mismatch')
  const log2Size = h[8]
  if (log2Size < MIN_PLOT_LOG2 || log2Size > MAX_PLOT_LOG2) bad(`log2Size ${log2Size} out of range`)
  return { log2Size, plotIndex: h.readUInt32BE(12), nodeId: new Uint8Array(h.subarray(16, 48)), root: new Uint8Array(h.subarray(48, 80)) }
}

const treeBytes = (log2Size: number): number => (2 * 2 ** log2Size - 1) * 32

/** A plot file opened for reading. */
export class FilePlotStore implements PlotStore {
  readonly info: PlotInfo
  readonly path: string
  private readonly fh: FileHandle
  constructor (path: string, fh: FileHandle, info: PlotInfo) { this.path = path; this.fh = fh; this.info = info }

  async readNodes (indices: readonly number[]): Promise<Uint8Array[]> {
    const total = 2 * 2 ** this.info.log2Size - 1
    const out: Uint8Array[] = []
    for (const i of indices) {
      if (!Number.isInteger(i) || i < 0 || i >= total) throw new InvalidArgumentError(`node index ${i} out of range`)
      const b = new Uint8Array(32)
      const { bytesRead } = await this.fh.read(b, 0, 32, PLOT_HEADER_BYTES + i * 32)
      if (bytesRead !== 32) throw new DecodeError(`plot file ${this.path}: short read at node ${i}`)
      out.push(b)
    }
    return out
  }

  async close (): Promise<void> { await this.fh.close() }
}

/** Opens an existing plot file, checking header, size and root. */
export async function openFilePlot (path: string): Promise<FilePlotStore> {
  const fh = await open(path, 'r')
  try {
    const h = Buffer.alloc(PLOT_HEADER_BYTES)
    await fh.read(h, 0, PLOT_HEADER_BYTES, 0)
    const info = parseHeader(h, path)
    const { size } = await fh.stat()
    if (size !== PLOT_HEADER_BYTES + treeBytes(info.log2Size)) throw new DecodeError(`plot file ${path}: size ${size} does not match 2^${info.log2Size} labels`)
    const last = Buffer.alloc(32)
    await fh.read(last, 0, 32, size - 32)
    if (!last.equals(Buffer.from(info.root))) throw new DecodeError(`plot file ${path}: stored root does not match the tree`)
    return new FilePlotStore(path, fh, info)
  } catch (err) {
    await fh.close()
    throw err
  }
}

/**
 * Builds the plot of (nodeId, plotIndex) with 2^log2Size labels, writes it
 * to `path` (atomically) and returns it opened. Building happens in memory
 * (3 · 2^log2Size · 32 bytes at the peak); run it in a worker for big plots.
 */
export async function createFilePlot (path: string, kernel: Kernel, nodeId: Uint8Array, plotIndex: number, log2Size: number, opts: { signal?: AbortSignal } = {}): Promise<FilePlotStore> {
  checkPlotArgs(nodeId, plotIndex, log2Size)
  throwIfAborted(opts.signal)
  const { info, tree } = buildPlotTree(kernel, nodeId, plotIndex, log2Size)
  throwIfAborted(opts.signal)
  const tmp = `${path}.tmp`
  const fh = await open(tmp, 'w', 0o600)
  try {
    await fh.write(headerOf(info), 0, PLOT_HEADER_BYTES, 0)
    const step = 1 << 24
    for (let o = 0; o < tree.length; o += step) {
      throwIfAborted(opts.signal)
      const part = tree.subarray(o, Math.min(tree.length, o + step))
      await fh.write(part, 0, part.length, PLOT_HEADER_BYTES + o)
    }
    await fh.sync()
  } catch (err) {
    await fh.close(); await rm(tmp, { force: true })
    throw err
  }
  await fh.close()
  await rename(tmp, path)
  return await openFilePlot(path)
}
