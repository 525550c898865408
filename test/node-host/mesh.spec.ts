/**
 * A 4-validator mesh of real `hypermesh up` processes on loopback (libp2p,
 * gossipsub, LevelDB, FALCON-1024, full ConsensusProofs): finality with
 * transactions, kill -9 and catch-up, a tampered genesis and a forged
 * binding refused, a flooding peer throttled then dropped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, rm, readFile, writeFile, mkdir } from 'node:fs/promises'
import { spawn } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { generateKeyPair as generateLibp2pKey } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Testnet, freePort } from '../../node-host/node/testnet.ts'
import { SYNC_PROTOCOL } from '../../node-host/node/node.ts'
import { createStoq, identityBindingAuthority, type Stoq } from '../../ts/stoq/index.ts'
import { encodeMessage } from '../../ts/consensus/index.ts'
import { parsePrometheusText } from '../../node-host/http/index.ts'
import { testKeyPair } from '../fixtures/keys.ts'

const BIN = path.resolve(import.meta.dirname, '../../node-host/bin/hypermesh.mjs')

let tn: Testnet
let dir: string

async function metric (i: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const r = await fetch(tn.members[i].http + '/metrics', { signal: AbortSignal.timeout(3000) })
  const fams = parsePrometheusText(await r.text())
  return fams.flatMap((f) => f.samples)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + Number(s.value), 0)
}

const heightsOf = (st: Array<Record<string, any> | null>): number[] => st.map((s) => (s?.height as number | undefined) ?? -1)

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hm-mesh-'))
  tn = await Testnet.create({ nodes: 4, dir, txIntervalMs: 200 })
  await tn.startAll()
}, 120_000)

afterAll(async () => {
  await tn?.stopAll()
  await rm(dir, { recursive: true, force: true })
}, 60_000)

describe('a 4-validator mesh of node processes', () => {
  it('finalizes blocks that carry transactions with verified proofs, and the replicas agree', async () => {
    const st = await tn.waitFor((s) => s.every((x) => x !== null && x.height >= 4 && x.txCommitted >= 5 && x.peers === 3), 60_000, 'heights ≥ 4 with transactions')
    expect(st.every((s) => s?.validator === true)).toBe(true)
    // every node verified other nodes' proofs itself (not only its own)
    for (let i = 0; i < 4; i++) expect(await metric(i, 'hypermesh_ledger_proof_verify_microseconds_count')).toBeGreaterThan(0)
    const sum = await tn.summary()
    expect(sum.agree).toBe(true)
    expect(sum.finalityP50Ms).not.toBeNull()
  }, 90_000)

  it('keeps finalizing after kill -9 of one validator; the restarted node catches up to the same block and state root', async () => {
    const before = Math.max(...heightsOf(await tn.statuses()))
    await tn.kill(3, 'SIGKILL')
    await tn.waitFor((s) => [0, 1, 2].every((i) => (s[i]?.height ?? -1) >= before + 3), 60_000, 'three more blocks without node 3')
    await tn.start(3)
    // caught up: same height, block hash and state root as node 0 (sampled together until they line up)
    const end = Date.now() + 60_000
    let ok = false
    while (!ok && Date.now() < end) {
      const [a, b] = await Promise.all([tn.get(0, '/api/status'), tn.get(3, '/api/status')])
      ok = a !== null && b !== null && b.height >= before + 3 && a.height === b.height && a.lastBlockHash === b.lastBlockHash && a.stateRoot === b.stateRoot
      if (!ok) await new Promise((r) => setTimeout(r, 100))
    }
    expect(ok).toBe(true)
  }, 150_000)

  it('refuses a node whose genesis was tampered with', async () => {
    const g = JSON.parse(await readFile(tn.genesisFile, 'utf8'))
    g.genesisTime += 1 // one field changed: another genesis hash
    const tdir = path.join(dir, 'tampered')
    await mkdir(tdir, { recursive: true })
    const gfile = path.join(tdir, 'genesis.json')
    await writeFile(gfile, JSON.stringify(g))
    const httpPort = await freePort()
    const before = await metric(0, 'hypermesh_stoq_peer_drops_total', { reason: 'wrong-chain' })
    const proc = spawn(process.execPath, [BIN, 'up', '--data', path.join(tdir, 'data'), '--genesis', gfile, '--json', '--tx-interval', '0',
      '--http', `127.0.0.1:${httpPort}`, '--bootstrap', tn.members[0].addr], { stdio: 'ignore' })
    try {
      const end = Date.now() + 30_000
      let dropped = before
      while (dropped <= before && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 250))
        dropped = await metric(0, 'hypermesh_stoq_peer_drops_total', { reason: 'wrong-chain' })
      }
      expect(dropped).toBeGreaterThan(before)
      const st0 = await tn.get(0, '/api/status')
      expect(st0?.peers).toBe(3) // the honest mesh only
      const bad = await fetch(`http://127.0.0.1:${httpPort}/api/status`).then(async (r) => await r.json()) as { height: number }
      expect(bad.height).toBe(0) // it never got a block
    } finally {
      const exited = new Promise((r) => proc.once('exit', r))
      proc.kill('SIGTERM')
      await exited
    }
  }, 60_000)

  it('drops a peer whose identity binding is forged', async () => {
    const other = peerIdFromPrivateKey(await generateLibp2pKey('Ed25519')).toString()
    const honest = identityBindingAuthority({ keyPair: testKeyPair(5) })
    // A valid FALCON signature, but over a binding for someone else's PeerId.
    const forger = createStoq({
      binding: { localBinding: async (_peerId, addrs) => await honest.localBinding(other, addrs), verifyBinding: honest.verifyBinding },
      listen: ['/ip4/127.0.0.1/tcp/0'], probeOnConnect: false, bindingTimeoutMs: 3000
    })
    await forger.start()
    const before = await metric(1, 'hypermesh_stoq_binding_failures_total')
    try {
      // The forger may admit node 1 (node 1's binding is valid); node 1 must refuse the forger.
      const peer = await forger.connect(tn.members[1].addr, { signal: AbortSignal.timeout(15_000) }).catch(() => null)
      const end = Date.now() + 15_000
      while (await metric(1, 'hypermesh_stoq_binding_failures_total') <= before && Date.now() < end) await new Promise((r) => setTimeout(r, 100))
      expect(await metric(1, 'hypermesh_stoq_binding_failures_total')).toBeGreaterThan(before)
      // and the connection is gone
      while (peer !== null && forger.isAdmitted(peer.peerId) && Date.now() < end) await new Promise((r) => setTimeout(r, 100))
      if (peer !== null) expect(forger.isAdmitted(peer.peerId)).toBe(false)
      expect((await tn.get(1, '/api/status'))?.peers).toBe(3)
    } finally { await forger.stop() }
  }, 60_000)

  it('throttles a peer flooding the sync protocol, then disconnects it, while the mesh keeps finalizing', async () => {
    const flooder: Stoq = createStoq({ binding: identityBindingAuthority({ keyPair: testKeyPair(6) }), listen: ['/ip4/127.0.0.1/tcp/0'], probeOnConnect: false })
    await flooder.start()
    try {
      const target = await flooder.connect(tn.members[2].addr, { signal: AbortSignal.timeout(15_000) })
      const h0 = Math.max(...heightsOf(await tn.statuses()))
      const req = encodeMessage({ type: 'sync-request', fromHeight: 1_000_000, max: 1 })
      const end = Date.now() + 40_000
      let sent = 0
      const worker = async (): Promise<void> => {
        while (Date.now() < end && flooder.isAdmitted(target.peerId)) {
          try { await flooder.requestFramed(target.peerId, SYNC_PROTOCOL, req, { timeoutMs: 5000 }); sent++ } catch { break }
        }
      }
      await Promise.all(Array.from({ length: 16 }, worker))
      expect(sent).toBeGreaterThan(40) // more than the burst went out
      expect(await metric(2, 'hypermesh_stoq_ratelimit_throttles_total')).toBeGreaterThan(0)
      const end2 = Date.now() + 10_000
      while (await metric(2, 'hypermesh_stoq_ratelimit_disconnects_total') < 1 && Date.now() < end2) await new Promise((r) => setTimeout(r, 200))
      expect(await metric(2, 'hypermesh_stoq_ratelimit_disconnects_total')).toBeGreaterThanOrEqual(1)
      expect(flooder.isAdmitted(target.peerId)).toBe(false)
      await tn.waitFor((s) => s.every((x) => (x?.height ?? -1) >= h0 + 2), 60_000, 'two more blocks on every node after the flood')
    } finally { await flooder.stop() }
  }, 120_000)
})
