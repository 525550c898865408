/**
 * Browser PoSpace plot store on IndexedDB (via `idb`). A plot is its whole
 * Merkle tree (ts/proofs/plot.ts layout) cut into chunks of 4 096 nodes
 * (128 KiB) in the `chunks` store, keyed [plotKey, chunkIndex]; its info
 * (nodeId, plotIndex, log2Size, root, chunk count) is in `plots`.
 * Opening checks that the last node equals the recorded root.
 */
import { openDB } from 'idb'
import type { DBSchema, IDBPDatabase } from 'idb'
import { DecodeError, InvalidArgumentError, throwIfAborted } from '../../../ts/errors.ts'
import type { Kernel } from '../../../ts/wasm/kernel.ts'
import type { PlotInfo, PlotStore } from '../../../ts/proofs/plot.ts'
import { buildPlotTree, checkPlotArgs } from '../../../ts/proofs/plot.ts'

export const PLOT_DB_NAME = 'hypermesh-plots'
const CHUNK_NODES = 4096
const CHUNK_BYTES = CHUNK_NODES * 32

interface PlotRecord {
  key: string
  nodeId: Uint8Array
  plotIndex: number
  log2Size: number
  root: Uint8Array
  chunks: number
}

interface PlotDB extends DBSchema {
  plots: { key: string, value: PlotRecord }
  chunks: { key: [string, number], value: Uint8Array }
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
export const plotKey = (nodeId: Uint8Array, plotIndex: number): string => `${hex(nodeId)}:${plotIndex}`

async function db (name: string): Promise<IDBPDatabase<PlotDB>> {
  return await openDB<PlotDB>(name, 1, {
    upgrade (d) {
      d.createObjectStore('plots', { keyPath: 'key' })
      d.createObjectStore('chunks')
    }
  })
}

export class IdbPlotStore implements PlotStore {
  readonly info: PlotInfo
  private readonly d: IDBPDatabase<PlotDB>
  private readonly key: string
  private cache = new Map<number, Uint8Array>()
  constructor (d: IDBPDatabase<PlotDB>, key: string, info: PlotInfo) { this.d = d; this.key = key; this.info = info }

  private async chunk (c: number): Promise<Uint8Array> {
    let b = this.cache.get(c)
    if (b === undefined) {
      b = await this.d.get('chunks', [this.key, c])
      if (!(b instanceof Uint8Array)) throw new DecodeError(`plot ${this.key}: chunk ${c} missing in IndexedDB`)
      if (this.cache.size >= 64) this.cache.delete(this.cache.keys().next().value as number)
      this.cache.set(c, b)
    }
    return b
  }

  async readNodes (indices: readonly number[]): Promise<Uint8Array[]> {
    const total = 2 * 2 ** this.info.log2Size - 1
    const out: Uint8Array[] = []
    for (const i of indices) {
      if (!Number.isInteger(i) || i < 0 || i >= total) throw new InvalidArgumentError(`node index ${i} out of range`)
      const c = await this.chunk(Math.floor(i / CHUNK_NODES))
      const o = (i % CHUNK_NODES) * 32
      if (c.length < o + 32) throw new DecodeError(`plot ${this.key}: chunk too short`)
      out.push(c.slice(o, o + 32))
    }
    return out
  }

  async close (): Promise<void> { this.d.close() }
}

/** Builds the plot and stores it in IndexedDB (replacing any plot under the same key). */
export async function createIdbPlot (kernel: Kernel, nodeId: Uint8Array, plotIndex: number, log2Size: number, opts: { dbName?: string, signal?: AbortSignal } = {}): Promise<IdbPlotStore> {
  checkPlotArgs(nodeId, plotIndex, log2Size)
  const { info, tree } = buildPlotTree(kernel, nodeId, plotIndex, log2Size)
  const d = await db(opts.dbName ?? PLOT_DB_NAME)
  const key = plotKey(nodeId, plotIndex)
  const chunks = Math.ceil(tree.length / CHUNK_BYTES)
  try {
    // The record goes in last: a plot without its record is invisible to openIdbPlot.
    await d.delete('plots', key)
    for (let c = 0; c < chunks; c += 16) {
      throwIfAborted(opts.signal)
      const tx = d.transaction('chunks', 'readwrite')
      for (let j = c; j < Math.min(chunks, c + 16); j++) void tx.store.put(tree.slice(j * CHUNK_BYTES, Math.min(tree.length, (j + 1) * CHUNK_BYTES)), [key, j])
      await tx.done
    }
    await d.put('plots', { key, nodeId: info.nodeId, plotIndex, log2Size, root: info.root, chunks })
  } catch (err) {
    d.close()
    throw err
  }
  return new IdbPlotStore(d, key, info)
}

/** Reopens a stored plot; undefined when none is stored for (nodeId, plotIndex). */
export async function openIdbPlot (nodeId: Uint8Array, plotIndex: number, opts: { dbName?: string } = {}): Promise<IdbPlotStore | undefined> {
  const d = await db(opts.dbName ?? PLOT_DB_NAME)
  const key = plotKey(nodeId, plotIndex)
  const rec = await d.get('plots', key)
  if (rec === undefined) { d.close(); return undefined }
  const info: PlotInfo = { nodeId: rec.nodeId, plotIndex: rec.plotIndex, log2Size: rec.log2Size, root: rec.root }
  const store = new IdbPlotStore(d, key, info)
  const [last] = await store.readNodes([2 * 2 ** rec.log2Size - 2]).catch(async (err) => { d.close(); throw err })
  if (hex(last) !== hex(rec.root)) { d.close(); throw new DecodeError(`plot ${key}: stored root does not match the tree`) }
  return store
}
