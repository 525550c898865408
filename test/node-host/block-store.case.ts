/**
 * Shared BlockStore suite (hono's *.case.ts pattern): every implementation of
 * the ledger's BlockStore runs these same tests — the in-memory store, the
 * LevelDB store here, and the browser's IndexedDB store can import it too.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest'
import { blockHash, encodeBlock, encodeCert, bytesEqual } from '../../ts/ledger/index.ts'
import type { Block, BlockStore } from '../../ts/ledger/index.ts'
import { genesisBlock, nextBlock, certFor, writesFor } from './_blocks.ts'

export interface StoreHarness {
  store: BlockStore
  /** Closes and reopens the same storage (persistent stores only). */
  reopen?: () => Promise<BlockStore>
  cleanup: () => Promise<void>
}

async function appendChain (store: BlockStore, n: number): Promise<Block[]> {
  const g = genesisBlock()
  await store.installSnapshot(g, undefined, [['test/genesis', new Uint8Array([1, 2, 3])]])
  const chain = [g]
  for (let i = 0; i < n; i++) {
    const b = nextBlock(chain[chain.length - 1])
    await store.put(b, certFor(b), writesFor(b))
    chain.push(b)
  }
  return chain
}

/** The state after applying the chain's writes, computed independently of any store. */
function expectedState (chain: Block[]): Array<[string, Uint8Array]> {
  const m = new Map<string, Uint8Array>([['test/genesis', new Uint8Array([1, 2, 3])]])
  for (const b of chain.slice(1)) for (const [k, v] of writesFor(b)) { if (v === null) m.delete(k); else m.set(k, v) }
  return [...m.entries()].sort((a, b) => a[0] < b[0] ? -1 : 1)
}

export function blockStoreSuite (name: string, make: () => Promise<StoreHarness>, opts: { persistent: boolean }): void {
  describe(`BlockStore: ${name}`, () => {
    let h: StoreHarness
    beforeEach(async () => { h = await make() })
    afterEach(async () => { await h.cleanup() })

    it('starts empty', async () => {
      expect(await h.store.latestHeight()).toBe(-1)
      expect(await h.store.baseHeight()).toBe(0)
      expect(await h.store.getByHeight(0)).toBeUndefined()
      expect(await h.store.getByHash(new Uint8Array(32))).toBeUndefined()
      expect(await h.store.stateSnapshot()).toEqual([])
      expect(await h.store.getConsensusState()).toBeUndefined()
    })

    it('appends blocks and reads them back byte-exact by height and by hash', async () => {
      const chain = await appendChain(h.store, 12)
      expect(await h.store.latestHeight()).toBe(12)
      for (const b of chain) {
        const byH = await h.store.getByHeight(b.height)
        expect(byH).toBeDefined()
        expect(encodeBlock(byH!.block)).toEqual(encodeBlock(b))
        if (b.height === 0) expect(byH!.cert).toBeUndefined()
        else expect(encodeCert(byH!.cert!)).toEqual(encodeCert(certFor(b)))
        const byHash = await h.store.getByHash(blockHash(b))
        expect(byHash?.block.height).toBe(b.height)
      }
      expect(await h.store.getByHeight(13)).toBeUndefined()
      expect(await h.store.getByHeight(-1)).toBeUndefined()
    })

    it('keeps the state the writes produce, key-sorted, with deletes applied', async () => {
      const chain = await appendChain(h.store, 10)
      const snap = await h.store.stateSnapshot()
      const want = expectedState(chain)
      expect(snap.map(([k]) => k)).toEqual(want.map(([k]) => k))
      for (let i = 0; i < want.length; i++) expect(bytesEqual(snap[i][1], want[i][1])).toBe(true)
      expect(snap.some(([k]) => k === 'test/h/00000001')).toBe(false) // deleted by block 3
    })

    it('refuses a block that is not the next height, and stays unchanged', async () => {
      const chain = await appendChain(h.store, 3)
      const b4 = nextBlock(chain[3])
      const b5 = nextBlock(b4)
      await expect(h.store.put(b5, certFor(b5), writesFor(b5))).rejects.toThrow(/expected height 4/)
      await expect(h.store.put(chain[2], certFor(chain[2]), [])).rejects.toThrow(/expected height 4/)
      expect(await h.store.latestHeight()).toBe(3)
      expect(await h.store.getByHeight(5)).toBeUndefined()
      await h.store.put(b4, certFor(b4), writesFor(b4))
      expect(await h.store.latestHeight()).toBe(4)
    })

    it('installs a snapshot in place of everything before it', async () => {
      const chain = await appendChain(h.store, 6)
      let far = chain[6]
      for (let i = 0; i < 4; i++) far = nextBlock(far)
      const entries: Array<[string, Uint8Array]> = [['a/x', new Uint8Array([9])], ['b/y', new Uint8Array(0)]]
      await h.store.installSnapshot(far, certFor(far), entries)
      expect(await h.store.latestHeight()).toBe(10)
      expect(await h.store.baseHeight()).toBe(10)
      expect(await h.store.getByHeight(3)).toBeUndefined()
      expect(await h.store.getByHash(blockHash(chain[3]))).toBeUndefined()
      expect(encodeBlock((await h.store.getByHeight(10))!.block)).toEqual(encodeBlock(far))
      expect(await h.store.stateSnapshot()).toEqual(entries)
      const next = nextBlock(far)
      await h.store.put(next, certFor(next), writesFor(next))
      expect(await h.store.latestHeight()).toBe(11)
    })

    it('keeps the consensus record as a copy', async () => {
      const rec = new Uint8Array([1, 2, 3, 4])
      await h.store.putConsensusState(rec)
      rec[0] = 99
      expect(await h.store.getConsensusState()).toEqual(new Uint8Array([1, 2, 3, 4]))
      await h.store.putConsensusState(new Uint8Array([5]))
      expect(await h.store.getConsensusState()).toEqual(new Uint8Array([5]))
    })

    if (opts.persistent) it('survives reopening with everything in place', async () => {
      const chain = await appendChain(h.store, 8)
      await h.store.putConsensusState(new Uint8Array([7, 7]))
      const s = await h.reopen!()
      expect(await s.latestHeight()).toBe(8)
      for (const b of chain) expect(encodeBlock((await s.getByHeight(b.height))!.block)).toEqual(encodeBlock(b))
      expect((await s.stateSnapshot()).map(([k]) => k)).toEqual(expectedState(chain).map(([k]) => k))
      expect(await s.getConsensusState()).toEqual(new Uint8Array([7, 7]))
      const b9 = nextBlock(chain[8])
      await s.put(b9, certFor(b9), writesFor(b9))
      expect(await s.latestHeight()).toBe(9)
    })
  })
}
