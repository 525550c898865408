/**
 * Remote memory between node processes: A allocates 64 MiB; B writes random
 * data at scattered global addresses through its own API and reads it back;
 * B and C fetch-add one word concurrently; tokens that are missing, expired,
 * out of range or not A's are refused and nothing is written; reads past the
 * end are refused; after `mem free`, the address is refused everywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { spawn } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { Testnet } from '../../node-host/node/testnet.ts'
import { FileKeystore } from '../../node-host/identity/file-keystore.ts'
import { GlobalAddress, issueCapability, ALL_MEM_OPS, MEM_OPS } from '../../ts/nat/index.ts'
import { createStoq, identityBindingAuthority, type Stoq } from '../../ts/stoq/index.ts'
import { nodeIdOf } from '../../ts/identity/index.ts'
import { parseAssetId } from '../../ts/assets/index.ts'
import { MemSession } from '../../node-host/mem/client.ts'
import { testKeyPair } from '../fixtures/keys.ts'

const BIN = path.resolve(import.meta.dirname, '../../node-host/bin/hypermesh.mjs')
const SIZE = 64 * 1024 * 1024
let tn: Testnet
let dir: string
let address: GlobalAddress
let assetId: Uint8Array

async function post (i: number, route: string, q: Record<string, string>, body?: Uint8Array): Promise<Response> {
  return await fetch(`${tn.members[i].http}${route}?${new URLSearchParams(q).toString()}`, { method: 'POST', ...(body !== undefined ? { body: body as BodyInit } : {}), signal: AbortSignal.timeout(60_000) })
}
async function read (i: number, addr: GlobalAddress, len: number): Promise<Response> {
  return await fetch(`${tn.members[i].http}/api/mem/read?${new URLSearchParams({ addr: addr.toString(), len: String(len) }).toString()}`, { signal: AbortSignal.timeout(60_000) })
}
function cli (args: string[]): Promise<{ code: number | null, out: string, err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''; let err = ''
    p.stdout.on('data', (d) => { out += d }); p.stderr.on('data', (d) => { err += d })
    p.on('exit', (code) => resolve({ code, out, err }))
  })
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hm-mem-'))
  tn = await Testnet.create({ nodes: 3, dir, txIntervalMs: 0 })
  await tn.startAll()
  await tn.waitFor((s) => s.every((x) => x !== null && x.height >= 2 && x.peers === 2), 60_000, 'a connected mesh')
}, 120_000)

afterAll(async () => {
  await tn?.stopAll()
  await rm(dir, { recursive: true, force: true })
}, 60_000)

describe('remote memory across node processes', () => {
  it('A allocates 64 MiB with the CLI and gets a global address', async () => {
    const r = await cli(['mem', 'alloc', '64MiB', '--privacy', 'PublicNetwork', '--http', `127.0.0.1:${tn.members[0].httpPort}`, '--json'])
    expect(r.code, r.err).toBe(0)
    const j = JSON.parse(r.out) as { address: string, asset: string, size: number }
    expect(j.size).toBe(SIZE)
    address = GlobalAddress.parse(j.address)
    assetId = parseAssetId(j.asset).id
    expect([...address.node]).toEqual([...Buffer.from(tn.members[0].nodeId, 'hex').subarray(0, 6)])
    // every node learns the asset from the ledger
    await tn.waitFor((s) => s.every((x) => x !== null && x.height >= (j as unknown as { height: number }).height), 30_000, 'the block on every node')
  }, 90_000)

  it('B writes random data at scattered addresses and reads it back byte-exact', async () => {
    const writes: Array<[number, Buffer]> = []
    for (let i = 0; i < 16; i++) {
      const len = 1 + Math.floor(Math.random() * 2 * 1024 * 1024)
      writes.push([Math.floor(Math.random() * (SIZE - len)), randomBytes(len)])
    }
    writes.sort((x, y) => x[0] - y[0])
    // keep them disjoint so each can be checked on its own
    let end = 0
    const disjoint = writes.filter(([o, d]) => { if (o < end) return false; end = o + d.length; return true })
    for (const [o, d] of disjoint) {
      const r = await post(1, '/api/mem/write', { addr: address.add(o).toString() }, d)
      expect(r.status, await r.clone().text()).toBe(200)
    }
    for (const [o, d] of disjoint) {
      const r = await read(1, address.add(o), d.length)
      expect(r.status).toBe(200)
      expect(Buffer.from(await r.arrayBuffer()).equals(d)).toBe(true)
      // and A sees the same bytes locally
      const ra = await read(0, address.add(o), d.length)
      expect(Buffer.from(await ra.arrayBuffer()).equals(d)).toBe(true)
    }
  }, 120_000)

  it('concurrent fetch-add from B and C gives the exact total', async () => {
    const word = address.add(SIZE - 8)
    await post(0, '/api/mem/write', { addr: word.toString() }, new Uint8Array(8))
    const n = 150
    await Promise.all([1, 2].flatMap((i) => Array.from({ length: n }, async () => {
      const r = await post(i, '/api/mem/fadd', { addr: word.toString(), delta: String(i) })
      expect(r.status).toBe(200)
    })))
    const bytes = Buffer.from(await (await read(0, word, 8)).arrayBuffer())
    expect(bytes.readBigUInt64LE(0)).toBe(BigInt(n * 1 + n * 2))
  }, 120_000)

  it('refuses reads past the end, and tokens that are expired, out of range or not signed by the owner; nothing is written', async () => {
    const past = await read(1, address.add(SIZE - 4), 8)
    expect(past.status).toBe(416)
    expect((await past.json() as { error: string }).error).toMatch(/passes the end/)
    const owner = await new FileKeystore(tn.members[0].dataDir).load()
    const me = testKeyPair(7)
    const stoq: Stoq = createStoq({ binding: identityBindingAuthority({ keyPair: me }), listen: ['/ip4/127.0.0.1/tcp/0'], probeOnConnect: false })
    await stoq.start()
    try {
      const peer = (await stoq.connect(tn.members[0].addr)).peerId
      const holder = nodeIdOf(me.publicKey)
      const before = Buffer.from(await (await read(0, address, 4096)).arrayBuffer())
      const expired = issueCapability(owner!.falcon, { holder, asset: assetId, offset: 0n, length: BigInt(SIZE), ops: ALL_MEM_OPS, expires: BigInt(Date.now() - 1000) })
      await expect(MemSession.open(stoq, peer, expired)).rejects.toThrow(/expired/)
      const forged = issueCapability(me, { holder, asset: assetId, offset: 0n, length: BigInt(SIZE), ops: ALL_MEM_OPS, expires: BigInt(Date.now() + 60_000) })
      await expect(MemSession.open(stoq, peer, forged)).rejects.toThrow(/another owner/)
      const narrow = issueCapability(owner!.falcon, { holder, asset: assetId, offset: 8192n, length: 4096n, ops: MEM_OPS.read | MEM_OPS.write, expires: BigInt(Date.now() + 60_000) })
      const s = await MemSession.open(stoq, peer, narrow)
      await expect(s.write(0, new Uint8Array(4096).fill(0x55))).rejects.toThrow(/outside the capability's range/)
      await expect(s.fetchAdd(8192, 1n)).rejects.toThrow(/does not allow fetch-add/)
      await s.close()
      expect(Buffer.from(await (await read(0, address, 4096)).arrayBuffer()).equals(before)).toBe(true)
    } finally { await stoq.stop() }
  }, 60_000)

  it('an allocation is a write lease: the allocatee writes, others only read; after release all write again', async () => {
    const word = address.add(4096)
    // C allocates A's region (a transaction); B's cached capability dies with that block
    const lease = await cli(['asset', 'allocate', `memory:${Buffer.from(assetId).toString('hex')}`, '--http', `127.0.0.1:${tn.members[2].httpPort}`, '--json'])
    expect(lease.code, lease.err).toBe(0)
    const leased = JSON.parse(lease.out) as { state: string, height: number }
    expect(leased.state).toBe('Allocated')
    await tn.waitFor((s) => s.every((x) => x !== null && x.height >= leased.height), 30_000, 'the allocation on every node')
    const before = Buffer.from(await (await read(0, word, 8)).arrayBuffer())
    const refused = await post(1, '/api/mem/write', { addr: word.toString() }, new Uint8Array(8).fill(0xee))
    expect(refused.status).toBe(403)
    expect((await refused.json() as { error: string }).error).toMatch(/does not allow write/)
    expect((await read(1, word, 8)).status).toBe(200) // B may still read
    expect((await post(2, '/api/mem/write', { addr: word.toString() }, new Uint8Array(8).fill(0xcc))).status).toBe(200)
    const after = Buffer.from(await (await read(0, word, 8)).arrayBuffer())
    expect(after.equals(Buffer.alloc(8, 0xcc))).toBe(true)
    expect(after.equals(before)).toBe(before.equals(Buffer.alloc(8, 0xcc)))
    // only the owner releases
    const notOwner = await post(2, '/api/asset/release', { id: `memory:${Buffer.from(assetId).toString('hex')}` })
    expect(notOwner.status).toBe(409)
    expect((await notOwner.json() as { error: string }).error).toMatch(/only the owner releases/)
    const rel = await post(0, '/api/asset/release', { id: `memory:${Buffer.from(assetId).toString('hex')}` })
    expect(rel.status).toBe(200)
    const h = (await rel.json() as { height: number }).height
    await tn.waitFor((s) => s.every((x) => x !== null && x.height >= h), 30_000, 'the release on every node')
    expect((await post(1, '/api/mem/write', { addr: word.toString() }, new Uint8Array(8).fill(0xbb))).status).toBe(200)
  }, 120_000)

  it('a Private region is refused to other nodes; after mem free the address is refused everywhere from that block', async () => {
    const priv = await (await post(0, '/api/mem/alloc', { size: '4096', privacy: 'Private' })).json() as { address: string, height: number }
    await tn.waitFor((s) => s.every((x) => x !== null && x.height >= priv.height), 30_000, 'the private asset on every node')
    const refused = await post(1, '/api/mem/write', { addr: priv.address }, new Uint8Array([1, 2, 3]))
    expect(refused.status).toBe(404)
    expect((await refused.json() as { error: string }).error).toMatch(/not an address this node may use/)

    const r = await cli(['mem', 'free', address.toString(), '--http', `127.0.0.1:${tn.members[0].httpPort}`, '--json'])
    expect(r.code, r.err).toBe(0)
    const h = (JSON.parse(r.out) as { height: number }).height
    await tn.waitFor((s) => s.every((x) => x !== null && x.height >= h), 30_000, 'the freeing block on every node')
    for (const i of [0, 1, 2]) {
      const x = await read(i, address, 16)
      expect(x.status, `node ${i}`).toBe(404)
    }
  }, 90_000)
})
