/**
 * A node with --relay: connected to the edge relay running in workerd
 * (Miniflare, the `wrangler deploy --dry-run` bundle), reachable through it by
 * a peer that never dials the node: status and transaction submission over
 * relay frames; the peer sees the node arrive and depart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { HyperMeshNode } from '../../node-host/node/node.ts'
import { RELAY_OPS, RelayMessage } from '../../node-host/node/relay-link.ts'
import { connect, createJoinToken, type RelayClient } from '../../edge-relay/src/index.ts'
import { encodeCanonical } from '../../ts/wire/index.ts'
import { encodeTx, toHex } from '../../ts/ledger/index.ts'
import { testKeyPair } from '../fixtures/keys.ts'
import { wranglerDryRun, startRelay, until, type RunningRelay, type DryRun } from '../edge-relay/_relay.ts'

let build: DryRun
let relay: RunningRelay
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hm-relay-'))
  build = await wranglerDryRun()
  relay = await startRelay(build.outdir)
}, 120_000)
afterAll(async () => {
  await relay?.dispose()
  await rm(dir, { recursive: true, force: true })
}, 30_000)

async function ask (c: RelayClient, to: string, id: number, op: number, body: Uint8Array = new Uint8Array(0)): Promise<{ ok: boolean, text: string }> {
  return await new Promise((resolve, reject) => {
    const t = setTimeout(() => { off(); reject(new Error('no answer through the relay')) }, 10_000)
    const off = c.on('message', (from, payload) => {
      const m = RelayMessage.decode(payload)
      if (m.type === 'response' && m.value.id === id && toHex(from) === to) { clearTimeout(t); off(); resolve({ ok: m.value.ok, text: new TextDecoder().decode(m.value.body) }) }
    })
    c.send(to, encodeCanonical(RelayMessage, { type: 'request', value: { id, op, body } }))
  })
}

describe('a node reachable through the edge relay', () => {
  it('answers status and transaction submissions from a peer that only knows the relay, and its departure is seen', async () => {
    const node = await HyperMeshNode.start({ dataDir: dir, dev: true, http: null, txIntervalMs: 0, relay: relay.url })
    let peer: RelayClient | null = null
    try {
      const mesh = node.genesis.chainId
      const nodeHex = toHex(node.nodeId)
      await until(() => node.relay?.connected === true, 15_000, 'the node on the relay')
      peer = await connect(relay.url, mesh, createJoinToken(testKeyPair(9), mesh), { timeoutMs: 5000, keepAliveMs: 0 })
      expect(peer.peers.has(nodeHex)).toBe(true)

      const st = await ask(peer, nodeHex, 1, RELAY_OPS.status)
      expect(st.ok).toBe(true)
      const j = JSON.parse(st.text) as { nodeId: string, chainId: string, height: number }
      expect(j).toMatchObject({ nodeId: nodeHex, chainId: mesh })

      // a transaction whose proof is not valid is refused with the mempool's reason; garbage is refused as malformed
      const bad = await ask(peer, nodeHex, 2, RELAY_OPS.submit, Uint8Array.from(encodeTx({ kind: 'node.status', sender: new Uint8Array(32).fill(1), sequence: 1, op: new Uint8Array(8), proof: new Uint8Array(40) })))
      expect(bad.ok).toBe(false)
      expect(bad.text).toMatch(/standing|proof/)
      const junk = await ask(peer, nodeHex, 3, RELAY_OPS.submit, new Uint8Array([1, 2, 3]))
      expect(junk).toMatchObject({ ok: false, text: expect.stringMatching(/malformed transaction/) })
      expect(node.status()).toMatchObject({ relay: { url: relay.url, connected: true, peers: 1 } })

      const departed = new Promise<string>((resolve) => peer!.on('departure', (id) => resolve(toHex(id))))
      await node.stop()
      expect(await departed).toBe(nodeHex)
    } finally {
      await peer?.close()
      await node.stop()
    }
  }, 90_000)
})
