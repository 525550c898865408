/** The mem protocol between two real stoq (libp2p) nodes on loopback. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { randomBytes } from 'node:crypto'
import { createStoq, type Stoq } from '../../ts/stoq/index.ts'
import { identityBindingAuthority } from '../../ts/stoq/index.ts'
import { issueCapability, MEM_OPS, ALL_MEM_OPS } from '../../ts/nat/index.ts'
import { nodeIdOf } from '../../ts/identity/index.ts'
import { RegionStore } from '../../node-host/mem/regions.ts'
import { createMemHandler } from '../../node-host/mem/server.ts'
import { MemSession, MEM_PROTOCOL } from '../../node-host/mem/client.ts'
import { MemRequest, MemResponse, MAX_MEM_CHUNK, MEM_ERRORS } from '../../node-host/mem/protocol.ts'
import { testKeyPair } from '../fixtures/keys.ts'

const owner = testKeyPair(0)
const alice = testKeyPair(1)
const bob = testKeyPair(2)
const asset = new Uint8Array(32).fill(0xaa)
const SIZE = 8 * 1024 * 1024
let a: Stoq; let b: Stoq; let c: Stoq
let regions: RegionStore
let peerOfA: string

const cap = (holder: typeof alice, o: Partial<{ offset: bigint, length: bigint, ops: number, expires: bigint }> = {}): Uint8Array =>
  issueCapability(owner, { holder: nodeIdOf(holder.publicKey), asset, offset: o.offset ?? 0n, length: o.length ?? BigInt(SIZE), ops: o.ops ?? ALL_MEM_OPS, expires: o.expires ?? BigInt(Date.now() + 60_000) })

beforeAll(async () => {
  regions = new RegionStore(64 * 1024 * 1024)
  regions.allocate(asset, SIZE)
  const mk = (k: typeof owner): Stoq => createStoq({ binding: identityBindingAuthority({ keyPair: k }), listen: ['/ip4/127.0.0.1/tcp/0'], probeOnConnect: false })
  a = mk(owner); b = mk(alice); c = mk(bob)
  await a.handleFramed(MEM_PROTOCOL, createMemHandler({ regions, publicKey: owner.publicKey }), { maxMessageBytes: MAX_MEM_CHUNK + 64 })
  await Promise.all([a.start(), b.start(), c.start()])
  peerOfA = (await b.connect(a.addresses()[0])).peerId
  await c.connect(a.addresses()[0])
}, 30_000)

afterAll(async () => { await Promise.all([a?.stop(), b?.stop(), c?.stop()]) })

describe('remote memory over the mem protocol', () => {
  it('writes random data at scattered offsets and reads it back byte-exact (chunked, pipelined)', async () => {
    const s = await MemSession.open(b, peerOfA, cap(alice), { chunkBytes: 64 * 1024 })
    expect(s.info.size).toBe(SIZE)
    const writes: Array<[number, Uint8Array]> = []
    for (let i = 0; i < 12; i++) {
      const len = 1 + Math.floor(Math.random() * 300_000)
      writes.push([Math.floor(Math.random() * (SIZE - len)), randomBytes(len)])
    }
    for (const [o, d] of writes) await s.write(o, d)
    for (const [o, d] of writes) {
      const back = await s.read(o, d.length)
      const now = regions.get(asset)?.bytes.subarray(o, o + d.length) as Uint8Array
      expect(Buffer.from(back).equals(Buffer.from(now))).toBe(true) // later writes may overlap earlier ones: compare with the region itself
    }
    const last = writes[writes.length - 1]
    expect(Buffer.from(await s.read(last[0], last[1].length)).equals(Buffer.from(last[1]))).toBe(true)
    await s.close()
  }, 60_000)

  it('concurrent fetch-add from two peers gives the exact total; compare-and-swap is exact', async () => {
    const sa = await MemSession.open(b, peerOfA, cap(alice))
    const sb = await MemSession.open(c, peerOfA, cap(bob))
    const word = 4096
    await sa.write(word, new Uint8Array(8))
    const n = 400
    await Promise.all([
      Promise.all(Array.from({ length: n }, async () => await sa.fetchAdd(word, 3n))),
      Promise.all(Array.from({ length: n }, async () => await sb.fetchAdd(word, 5n)))
    ])
    const v = new DataView((await sa.read(word, 8)).buffer).getBigUint64(0, true)
    expect(v).toBe(BigInt(n * 3 + n * 5))
    expect(await sa.cas(word, 1n, 9n)).toEqual({ value: v, swapped: false })
    expect(await sb.cas(word, v, 7n)).toEqual({ value: v, swapped: true })
    expect(await sa.fetchAdd(word, 0n)).toBe(7n)
    await expect(sa.fetchAdd(word + 4, 1n)).rejects.toMatchObject({ name: 'MemError', code: MEM_ERRORS.alignment })
    await sa.close(); await sb.close()
  }, 60_000)

  it('refuses a missing, forged, expired, misdirected or out-of-range token, and reads past the end; nothing is written', async () => {
    const before = Buffer.from(regions.get(asset)?.bytes as Uint8Array)
    // another holder's token
    await expect(MemSession.open(c, peerOfA, cap(alice))).rejects.toMatchObject({ code: MEM_ERRORS.capability, message: expect.stringMatching(/another holder/) })
    // expired
    await expect(MemSession.open(b, peerOfA, cap(alice, { expires: BigInt(Date.now() - 1) }))).rejects.toThrow(/expired/)
    // forged: one flipped bit in the signature
    const t = cap(alice); t[t.length - 3] ^= 1
    await expect(MemSession.open(b, peerOfA, t)).rejects.toThrow(/signature does not verify/)
    // signed by someone who is not the owner
    const fake = issueCapability(alice, { holder: nodeIdOf(alice.publicKey), asset, offset: 0n, length: 16n, ops: ALL_MEM_OPS, expires: BigInt(Date.now() + 60_000) })
    await expect(MemSession.open(b, peerOfA, fake)).rejects.toThrow(/another owner/)
    // no token at all: a request before open
    const pipe = await b.openFramedPipeline(peerOfA, MEM_PROTOCOL)
    const r = MemResponse.decode(await pipe.request(MemRequest.encode({ type: 'write', value: { offset: 0n, data: new Uint8Array([1]) } })))
    expect(r).toMatchObject({ type: 'error', value: { code: MEM_ERRORS.notOpen } })
    await pipe.close()
    // range and ops of a valid token
    const s = await MemSession.open(b, peerOfA, cap(alice, { offset: 1024n, length: 1024n, ops: MEM_OPS.read }))
    await expect(s.write(1024, new Uint8Array([1]))).rejects.toThrow(/does not allow write/)
    await expect(s.read(1000, 100)).rejects.toThrow(/outside the capability's range/)
    await s.close()
    const full = await MemSession.open(b, peerOfA, cap(alice))
    await expect(full.read(SIZE - 10, 20)).rejects.toMatchObject({ code: MEM_ERRORS.bounds })
    await expect(full.write(SIZE - 4, new Uint8Array(8).fill(9))).rejects.toMatchObject({ code: MEM_ERRORS.bounds })
    await full.close()
    expect(Buffer.from(regions.get(asset)?.bytes as Uint8Array).equals(before)).toBe(true)
  }, 60_000)

  it('decoders refuse random and truncated bytes with a DecodeError and round-trip valid requests (fast-check)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      for (const coder of [MemRequest, MemResponse]) {
        try { coder.decode(bytes) } catch (err) { expect((err as Error).name).toBe('DecodeError') }
      }
    }), { numRuns: 3000 })
    const req = fc.oneof(
      fc.record({ type: fc.constant('read' as const), value: fc.record({ offset: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), length: fc.integer({ min: 0, max: 0xffffffff }) }) }),
      fc.record({ type: fc.constant('write' as const), value: fc.record({ offset: fc.bigInt({ min: 0n, max: 1n << 40n }), data: fc.uint8Array({ maxLength: 64 }) }) }),
      fc.record({ type: fc.constant('fadd' as const), value: fc.record({ offset: fc.bigInt({ min: 0n, max: 1n << 40n }), delta: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }) })
    )
    fc.assert(fc.property(req, (r) => {
      const bytes = MemRequest.encode(r)
      expect(MemRequest.decode(bytes)).toEqual(r)
      if (bytes.length > 1) expect(() => MemRequest.decode(bytes.subarray(0, bytes.length - 1))).toThrow()
    }), { numRuns: 1000 })
    // a write that claims more than the chunk limit is refused before allocating
    const huge = new Uint8Array([2, ...new Array(8).fill(0), 0xff, 0xff, 0xff, 0x7f])
    expect(() => MemRequest.decode(huge)).toThrow(expect.objectContaining({ name: 'DecodeError' }))
  })
})
