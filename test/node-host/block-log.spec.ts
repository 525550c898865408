/**
 * The node's transparency log of finalized blocks, read as a tlog client
 * would: the signed checkpoint verifies with the published Ed25519 and
 * FALCON keys, the entry bundle holds one entry per block that matches the
 * chain, the root recomputed from the entries is the checkpoint's, and after
 * a restart the log extends what it published (no rewrite).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { HyperMeshNode } from '../../node-host/node/node.ts'
import { decodeBlockEntry } from '../../node-host/node/block-log.ts'
import { MerkleHashStore, decodeEntryBundle, encodeTilePath, hashLeaf, merkleTreeHash, openCheckpoint, verifierFromKey, verifyConsistency, consistencyProof } from '../../ts/trustchain/log/index.ts'
import { blockHash, toHex } from '../../ts/ledger/index.ts'

let dir: string
beforeAll(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'hm-blog-')) })
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

async function readLog (base: string): Promise<{ size: number, root: Uint8Array, entries: Uint8Array[], origin: string }> {
  const info = await (await fetch(base + '/api/log')).json() as { origin: string, verifierKeys: { ed25519: string, falcon: string } }
  const note = await (await fetch(base + '/log/checkpoint')).text()
  const cp = openCheckpoint(note, { origin: info.origin, log: [verifierFromKey(info.verifierKeys.ed25519), verifierFromKey(info.verifierKeys.falcon)] }).checkpoint
  const entries: Uint8Array[] = []
  for (let n = 0; n * 256 < cp.size; n++) {
    const width = Math.min(256, cp.size - n * 256)
    const p = encodeTilePath({ level: 'entries', index: n, width })
    const r = await fetch(`${base}/log/${p}`)
    expect(r.status, p).toBe(200)
    entries.push(...decodeEntryBundle(new Uint8Array(await r.arrayBuffer())))
  }
  return { size: cp.size, root: cp.rootHash, entries, origin: info.origin }
}

describe('the transparency log of finalized blocks', () => {
  it('publishes a checkpoint signed with Ed25519 and FALCON-1024 over one entry per finalized block', async () => {
    const node = await HyperMeshNode.start({ dataDir: dir, dev: true, http: { host: '127.0.0.1', port: 0 }, txIntervalMs: 0 })
    try {
      while (node.ledger.height < 5) await new Promise((r) => setTimeout(r, 100))
      await new Promise((r) => setTimeout(r, 1500)) // a publication interval
      const { size, root, entries } = await readLog(node.httpUrl as string)
      expect(size).toBeGreaterThanOrEqual(5)
      expect(entries).toHaveLength(size)
      expect(toHex(merkleTreeHash(entries))).toBe(toHex(root))
      for (const e of entries) {
        const d = decodeBlockEntry(e)
        const sb = await node.ledger.store.getByHeight(d.height)
        expect(toHex(d.hash)).toBe(toHex(blockHash(sb!.block)))
        expect(toHex(d.stateRoot)).toBe(toHex(sb!.block.stateRoot))
      }
      expect(entries.map((e) => decodeBlockEntry(e).height)).toEqual(Array.from({ length: size }, (_, i) => i + 1))
      // a tampered checkpoint does not open
      const note = await (await fetch(node.httpUrl + '/log/checkpoint')).text()
      const info = await (await fetch(node.httpUrl + '/api/log')).json() as { origin: string, verifierKeys: { ed25519: string, falcon: string } }
      const bad = note.replace(/\n(\d+)\n/, (_m, n: string) => `\n${Number(n) + 1}\n`)
      expect(() => openCheckpoint(bad, { origin: info.origin, log: [verifierFromKey(info.verifierKeys.ed25519), verifierFromKey(info.verifierKeys.falcon)] })).toThrow()
    } finally { await node.stop() }
  }, 60_000)

  it('after a restart the log extends what it published before', async () => {
    let first: Awaited<ReturnType<typeof readLog>>
    let node = await HyperMeshNode.start({ dataDir: dir, dev: true, http: { host: '127.0.0.1', port: 0 }, txIntervalMs: 0 })
    try {
      await new Promise((r) => setTimeout(r, 1200))
      first = await readLog(node.httpUrl as string)
    } finally { await node.stop() }
    node = await HyperMeshNode.start({ dataDir: dir, dev: true, http: { host: '127.0.0.1', port: 0 }, txIntervalMs: 0 })
    try {
      const target = node.ledger.height + 3
      while (node.ledger.height < target) await new Promise((r) => setTimeout(r, 100))
      await new Promise((r) => setTimeout(r, 1500))
      const second = await readLog(node.httpUrl as string)
      expect(second.origin).toBe(first.origin)
      expect(second.size).toBeGreaterThan(first.size)
      // the prefix is unchanged: consistency proof from the first tree to the second verifies
      const tree = new MerkleHashStore()
      for (const e of second.entries) tree.appendLeafHash(hashLeaf(e))
      const proof = consistencyProof(tree, first.size, second.size)
      expect(verifyConsistency(first.size, second.size, first.root, second.root, proof)).toBe(true)
    } finally { await node.stop() }
  }, 60_000)
})
