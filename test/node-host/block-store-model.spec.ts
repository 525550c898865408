import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { MemoryBlockStore, encodeBlock, encodeCert, blockHash } from '../../ts/ledger/index.ts'
import type { Block, BlockStore } from '../../ts/ledger/index.ts'
import { LevelBlockStore } from '../../node-host/store/level-block-store.ts'
import { genesisBlock, nextBlock, certFor, writesFor } from './_blocks.ts'

// Model-based test: random operation sequences (appends at right and wrong
// heights, snapshot installs, consensus records, close+reopen) applied to the
// LevelDB store and to the in-memory store as the model; every observation must agree.
type Cmd =
  | { t: 'append' }
  | { t: 'skip', by: number }
  | { t: 'snapshot', ahead: number, keys: string[] }
  | { t: 'wal', bytes: Uint8Array }
  | { t: 'reopen' }

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ t: 'append' as const }) },
  { weight: 1, arbitrary: fc.integer({ min: -2, max: 3 }).filter((x) => x !== 1).map((by) => ({ t: 'skip' as const, by })) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('snapshot' as const), ahead: fc.integer({ min: 0, max: 5 }), keys: fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}$/), { maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('wal' as const), bytes: fc.uint8Array({ maxLength: 16 }) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'reopen' as const }) }
)

async function observe (s: BlockStore, tip: Block | undefined): Promise<unknown> {
  const h = await s.latestHeight()
  const head = await s.getByHeight(h)
  return {
    h,
    base: await s.baseHeight(),
    head: head === undefined ? null : [encodeBlock(head.block), head.cert === undefined ? null : encodeCert(head.cert)],
    byHash: tip === undefined ? null : (await s.getByHash(blockHash(tip)))?.block.height ?? null,
    state: (await s.stateSnapshot()).map(([k, v]) => [k, [...v]]),
    wal: [...((await s.getConsensusState()) ?? [])]
  }
}

describe('LevelBlockStore against the in-memory model', () => {
  it('agrees on every observation over random operation sequences', async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'hm-model-'))
    let run = 0
    try {
      await fc.assert(fc.asyncProperty(fc.array(cmd, { minLength: 1, maxLength: 25 }), async (cmds) => {
        const dir = path.join(base, String(run++))
        let level = await LevelBlockStore.open(dir)
        const model = new MemoryBlockStore()
        let tip: Block | undefined
        try {
          for (const c of cmds) {
            if (c.t === 'append' || c.t === 'skip') {
              const parent = tip ?? genesisBlock()
              let b = tip === undefined ? genesisBlock() : nextBlock(parent)
              if (c.t === 'skip') b = { ...b, height: Math.max(0, b.height + c.by) }
              if (b.height === 0) {
                await level.installSnapshot(b, undefined, []); await model.installSnapshot(b, undefined, [])
                tip = b
              } else {
                const r1 = await level.put(b, certFor(b), writesFor(b)).then(() => true, () => false)
                const r2 = await model.put(b, certFor(b), writesFor(b)).then(() => true, () => false)
                expect(r1).toBe(r2)
                if (r1) tip = b
              }
            } else if (c.t === 'snapshot') {
              let b = tip ?? genesisBlock()
              for (let i = 0; i < c.ahead; i++) b = nextBlock(b)
              const entries = c.keys.sort().map((k, i) => [`snap/${k}`, new Uint8Array([i])] as const)
              await level.installSnapshot(b, b.height === 0 ? undefined : certFor(b), entries)
              await model.installSnapshot(b, b.height === 0 ? undefined : certFor(b), entries)
              tip = b
            } else if (c.t === 'wal') {
              await level.putConsensusState(c.bytes); await model.putConsensusState(c.bytes)
            } else {
              await level.close(); level = await LevelBlockStore.open(dir)
            }
            expect(await observe(level, tip)).toEqual(await observe(model, tip))
          }
        } finally { await level.close() }
      }), { numRuns: 25 })
    } finally { await rm(base, { recursive: true, force: true }) }
  })
})
