/**
 * node-host benchmarks: LevelDB BlockStore appends (one fsync'd batch per
 * block + certificate + state) beside the in-memory store and beside a raw
 * classic-level put of the same bytes with the same sync setting, all in one run.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { ClassicLevel } from 'classic-level'
import { MemoryBlockStore, encodeBlock } from '../../ts/ledger/index.ts'
import type { Block } from '../../ts/ledger/index.ts'
import { LevelBlockStore } from '../../node-host/store/level-block-store.ts'
import { genesisBlock, nextBlock, certFor, writesFor } from '../node-host/_blocks.ts'
import { median, rateRow } from './_harness.ts'
import type { BenchOptions, BenchRow } from './_harness.ts'

function chain (n: number): Block[] {
  const out = [genesisBlock()]
  for (let i = 0; i < n; i++) out.push(nextBlock(out[out.length - 1]))
  return out
}

async function appendRate (open: () => Promise<{ store: { put: LevelBlockStore['put'], installSnapshot: LevelBlockStore['installSnapshot'] }, close: () => Promise<void> }>, blocks: Block[]): Promise<number> {
  const { store, close } = await open()
  await store.installSnapshot(blocks[0], undefined, [])
  const t0 = performance.now()
  for (const b of blocks.slice(1)) await store.put(b, certFor(b), writesFor(b))
  const dt = performance.now() - t0
  await close()
  return (blocks.length - 1) / (dt / 1000)
}

async function rawRate (dir: string, blocks: Block[], sync: boolean): Promise<number> {
  const db = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' })
  await db.open()
  const t0 = performance.now()
  for (const b of blocks.slice(1)) await db.put(`b/${b.height}`, encodeBlock(b), { sync })
  const dt = performance.now() - t0
  await db.close()
  return (blocks.length - 1) / (dt / 1000)
}

export async function run (opts: BenchOptions): Promise<BenchRow[]> {
  const n = opts.quick ? 200 : 1000
  const samples = opts.quick ? 3 : 5
  const blocks = chain(n)
  const base = await mkdtemp(path.join(os.tmpdir(), 'hm-bench-store-'))
  const r: Record<string, number[]> = { level: [], levelNoSync: [], memory: [], raw: [], rawNoSync: [] }
  try {
    for (let s = 0; s < samples; s++) {
      const d = (x: string): string => path.join(base, `${x}-${s}`)
      r.level.push(await appendRate(async () => { const st = await LevelBlockStore.open(d('l')); return { store: st, close: () => st.close() } }, blocks))
      r.levelNoSync.push(await appendRate(async () => { const st = await LevelBlockStore.open(d('ln'), { sync: false }); return { store: st, close: () => st.close() } }, blocks))
      r.memory.push(await appendRate(async () => ({ store: new MemoryBlockStore(), close: async () => {} }), blocks))
      r.raw.push(await rawRate(d('r'), blocks, true))
      r.rawNoSync.push(await rawRate(d('rn'), blocks, false))
      opts.log(`  store sample ${s + 1}/${samples}`)
    }
  } finally { await rm(base, { recursive: true, force: true }) }
  const note = `${n} blocks of 0-3 txs, cert with 3 sigs, 1-2 state writes`
  return [
    rateRow('LevelBlockStore.put, sync', median(r.level), 'blocks/s', 'raw classic-level put of the block bytes, sync', median(r.raw), note),
    rateRow('LevelBlockStore.put, no sync', median(r.levelNoSync), 'blocks/s', 'raw classic-level put, no sync', median(r.rawNoSync), note),
    rateRow('LevelBlockStore.put, sync', median(r.level), 'blocks/s', 'MemoryBlockStore.put', median(r.memory), note)
  ]
}
