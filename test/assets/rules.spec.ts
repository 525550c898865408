/**
 * Every registry rule on a real ledger, each with the transaction it refuses.
 * Senders: A = key 0 (owner), B = key 1, C = key 2 (stake 100 each), D = key 3 (no stake).
 */
import { beforeAll, describe, expect, it } from 'vitest'
import {
  ASSET_KINDS, ASSET_STATES, ASSET_TX, MAX_MEMORY_BYTES, PRIVACY_LEVELS,
  addressKey, assetAtAddress, assetIdOf, assetOwners, assetsOf, encodeAllocate, encodePrivacy, encodeRegister, encodeRelease, encodeRetire,
  encodeStateOp, encodeTransfer, getAsset, listAssets, mayAddress, mayAllocate, type AssetRecordValue
} from '../../ts/assets/index.ts'
import { toHex, type Transaction } from '../../ts/ledger/index.ts'
import { registerAssets } from '../../ts/assets/index.ts'
import { testChain, type TestChain } from './_ledger.ts'

let c: TestChain
const A = 0; const B = 1; const C = 2; const D = 3

const reg = (kind: number, privacy: number, allow: Uint8Array[] = [], capacity = 1n << 20n, description = 'rules'): Uint8Array =>
  encodeRegister({ kind: kind as 2, capacity, privacy: privacy as 0, allow, description })
const rec = (id: Uint8Array): AssetRecordValue => getAsset(c.ledger.stateReader, id) as AssetRecordValue
const hexes = (xs: Uint8Array[]): string[] => xs.map(toHex)

/** Commits `tx` and returns the asset it registered. */
async function registered (tx: Transaction): Promise<Uint8Array> {
  const b = await c.commit([tx])
  expect(b.txs).toHaveLength(1)
  return assetIdOf(tx)
}
async function ok (i: number, kind: string, op: Uint8Array): Promise<void> {
  const t = await c.tx(i, kind, op)
  expect(c.refusal(t)).toBeNull()
  expect((await c.commit([t])).txs).toHaveLength(1)
}
async function refused (i: number, kind: string, op: Uint8Array, why: RegExp): Promise<void> {
  expect(c.refusal(await c.tx(i, kind, op))).toMatch(why)
}

beforeAll(async () => { c = await testChain(registerAssets, { stakes: [100, 100, 100, 0] }) }, 60_000)

describe('register', () => {
  it('refuses malformed ops, zero capacity, Memory over 4 GiB and duplicate allow-lists; 4 GiB exactly is accepted', async () => {
    await refused(A, ASSET_TX.register, new Uint8Array([0xff, 1, 2]), /malformed asset.register/)
    await refused(A, ASSET_TX.register, reg(ASSET_KINDS.Cpu, 0, [], 0n), /capacity must be positive/)
    await refused(A, ASSET_TX.register, reg(ASSET_KINDS.Memory, 0, [], MAX_MEMORY_BYTES + 1n), /at most 4 GiB/)
    await refused(A, ASSET_TX.register, reg(ASSET_KINDS.Memory, 1, [c.ids[B], c.ids[B]]), /duplicates/)
    await refused(D, ASSET_TX.register, reg(ASSET_KINDS.Memory, 0), /insufficient standing/)
    const big = await registered(await c.tx(A, ASSET_TX.register, reg(ASSET_KINDS.Memory, 0, [], MAX_MEMORY_BYTES)))
    expect(rec(big).capacity).toBe(MAX_MEMORY_BYTES)
    // a Storage asset larger than 4 GiB is fine (only Memory is byte-addressed)
    await registered(await c.tx(A, ASSET_TX.register, reg(ASSET_KINDS.Storage, 0, [], 1n << 40n)))
  }, 60_000)

  it('slots count per (owner, kind); the global-address index names the asset; listAssets and the owner index see it', async () => {
    const before = listAssets(c.ledger.stateReader, { owner: c.ids[A], kind: ASSET_KINDS.Memory }).length
    const m = await registered(await c.tx(A, ASSET_TX.register, reg(ASSET_KINDS.Memory, 0)))
    const cpu = await registered(await c.tx(A, ASSET_TX.register, reg(ASSET_KINDS.Cpu, 0, [], 8n)))
    expect(rec(m).slot).toBe(before)
    expect(rec(cpu).slot).toBe(0)
    const st = c.ledger.stateReader
    expect(toHex(assetAtAddress(st, c.ids[A], ASSET_KINDS.Memory, rec(m).slot)?.id as Uint8Array)).toBe(toHex(m))
    expect(toHex(assetAtAddress(st, c.ids[A], ASSET_KINDS.Cpu, 0)?.id as Uint8Array)).toBe(toHex(cpu))
    expect(assetAtAddress(st, c.ids[A], ASSET_KINDS.Cpu, 1)).toBeUndefined()
    expect(assetAtAddress(st, c.ids[B], ASSET_KINDS.Cpu, 0)).toBeUndefined()
    expect(addressKey(c.ids[A], 2, 5)).toBe(`asset-addr/${toHex(c.ids[A]).slice(0, 12)}2005`)
    expect(() => addressKey(c.ids[A], 2, 4096)).toThrow(/slot/)
    expect(hexes(assetOwners(st))).toEqual([toHex(c.ids[A])])
    expect(listAssets(st).length).toBe(assetsOf(st, c.ids[A]).length)
    expect(hexes(listAssets(st, { kind: ASSET_KINDS.Cpu }).map((a) => a.id))).toEqual([toHex(cpu)])
    expect(listAssets(st, { owner: c.ids[B] })).toEqual([])
  }, 60_000)
})

describe('allocate: privacy decides who, state and amount decide when', () => {
  it('Private: only the owner allocates', async () => {
    const id = await registered(await c.tx(A, ASSET_TX.register, reg(ASSET_KINDS.Memory, PRIVACY_LEVELS.Private)))
    await refused(B, ASSET_TX.allocate, encodeAllocate({ asset: id, amount: 1n }), /privacy does not allow/)
    await ok(A, ASSET_TX.allocate, encodeAllocate({ asset: id, amount: 1n }))
    expect(rec(id).state).toBe(ASSET_STATES.Allocated)
    expect(mayAddress(rec(id), c.ids[B], true)).toBe(false)
  }, 60_000)

  it('P2P: listed peers allocate, one at a time; only the owner and the allocatee address it', async () => {
    const id = await registered(await c.tx(A, ASSET_TX.register, reg(ASSET_KINDS.Memory, PRIVACY_LEVELS.P2P, [c.ids[B], c.ids[C]])))
    expect(mayAddress(rec(id), c.ids[B], true)).toBe(false) // listed, but not the allocatee
    expect(mayAllocate(rec(id), c.ids[D])).toBe(false)
    await ok(C, ASSET_TX.allocate, encodeAllocate({ asset: id, amount: 4096n }))
    expect(mayAddress(rec(id), c.ids[C], true)).toBe(true)
    expect(mayAddress(rec(id), c.ids[B], true)).toBe(false)
    expect(mayAddress(rec(id), c.ids[A], false)).toBe(true)
    await refused(B, ASSET_TX.allocate, encodeAllocate({ asset: id, amount: 1n }), /not available/)
    await ok(A, ASSET_TX.release, encodeRelease({ asset: id }))
    await ok(B, ASSET_TX.allocate, encodeAllocate({ asset: id, amount: 1n }))
    expect(mayAddress(rec(id), c.ids[C], true)).toBe(false)
  }, 60_000)

  it('PrivateNetwork: the allow-list allocates and addresses, outsiders neither', async () => {
    const id = await registered(await c.tx(A, ASSET_TX.register, reg(ASSET_KINDS.Memory, PRIVACY_LEVELS.PrivateNetwork, [c.ids[B]])))
    expect(mayAddress(rec(id), c.ids[B], true)).toBe(true)
    expect(mayAddress(rec(id), c.ids[C], true)).toBe(false)
    await refused(C, ASSET_TX.allocate, encodeAllocate({ asset: id, amount: 1n }), /privacy does not allow/)
    await ok(B, ASSET_TX.allocate, encodeAllocate({ asset: id, amount: 1n }))
  }, 60_000)

  it('PublicNetwork and FullPublic: any node with stake allocates; a node without stake is refused by the ledger', async () => {
    const pub = await registered(await c.tx(A, ASSET_TX.register, reg(ASSET_KINDS.Memory, PRIVACY_LEVELS.PublicNetwork)))
    const full = await registered(await c.tx(A, ASSET_TX.register, reg(ASSET_KINDS.Memory, PRIVACY_LEVELS.FullPublic)))
    await refused(D, ASSET_TX.allocate, encodeAllocate({ asset: pub, amount: 1n }), /insufficient standing/)
    await refused(D, ASSET_TX.allocate, encodeAllocate({ asset: full, amount: 1n }), /insufficient standing/)
    expect(mayAddress(rec(pub), c.ids[D], false)).toBe(false)
    expect(mayAddress(rec(full), c.ids[D], false)).toBe(true)
    expect(mayAddress(rec(full), null, false)).toBe(true)
    expect(mayAddress(rec(pub), null, true)).toBe(false)
    await refused(C, ASSET_TX.allocate, encodeAllocate({ asset: pub, amount: 0n }), /amount must be/)
    await refused(C, ASSET_TX.allocate, encodeAllocate({ asset: pub, amount: (1n << 20n) + 1n }), /amount must be/)
    await refused(C, ASSET_TX.allocate, encodeAllocate({ asset: new Uint8Array(32), amount: 1n }), /no asset/)
    await refused(C, ASSET_TX.allocate, new Uint8Array(5), /malformed/)
    await ok(C, ASSET_TX.allocate, encodeAllocate({ asset: pub, amount: 1n << 20n }))
    await ok(B, ASSET_TX.allocate, encodeAllocate({ asset: full, amount: 1n }))
    expect(toHex(rec(pub).allocatedTo as Uint8Array)).toBe(toHex(c.ids[C]))
    expect(rec(pub).allocatedAmount).toBe(1n << 20n)
  }, 60_000)
})

describe('release, state, transfer, privacy, retire', () => {
  let id: Uint8Array
  beforeAll(async () => {
    id = await registered(await c.tx(A, ASSET_TX.register, reg(ASSET_KINDS.Memory, PRIVACY_LEVELS.PublicNetwork)))
  }, 60_000)

  it('release: only the owner, only an Allocated or InUse asset; it clears the allocation', async () => {
    await refused(A, ASSET_TX.release, encodeRelease({ asset: id }), /not allocated/)
    await ok(B, ASSET_TX.allocate, encodeAllocate({ asset: id, amount: 64n }))
    await refused(B, ASSET_TX.release, encodeRelease({ asset: id }), /only the owner releases/)
    await refused(C, ASSET_TX.release, encodeRelease({ asset: id }), /only the owner releases/)
    await ok(B, ASSET_TX.state, encodeStateOp({ asset: id, state: ASSET_STATES.InUse }))
    await ok(A, ASSET_TX.release, encodeRelease({ asset: id }))
    expect(rec(id)).toMatchObject({ state: ASSET_STATES.Available, allocatedTo: undefined, allocatedAmount: 0n })
  }, 60_000)

  it('state: InUse only by the allocatee of an Allocated asset; Suspended/Failed and back to Available only by the owner', async () => {
    await refused(A, ASSET_TX.state, encodeStateOp({ asset: id, state: ASSET_STATES.InUse }), /cannot move/) // Available, owner
    await refused(B, ASSET_TX.state, encodeStateOp({ asset: id, state: ASSET_STATES.Suspended }), /cannot move/)
    await refused(A, ASSET_TX.state, encodeStateOp({ asset: id, state: ASSET_STATES.Available }), /cannot move/) // already Available
    await refused(A, ASSET_TX.state, encodeStateOp({ asset: id, state: ASSET_STATES.Allocated }), /cannot move/) // only allocate does that
    await ok(A, ASSET_TX.state, encodeStateOp({ asset: id, state: ASSET_STATES.Suspended }))
    await refused(B, ASSET_TX.allocate, encodeAllocate({ asset: id, amount: 1n }), /not available/)
    await refused(A, ASSET_TX.release, encodeRelease({ asset: id }), /not allocated/)
    await ok(A, ASSET_TX.state, encodeStateOp({ asset: id, state: ASSET_STATES.Available }))
    expect(rec(id).state).toBe(ASSET_STATES.Available)
  }, 60_000)

  it('privacy: only the owner, only while Available, no duplicate allow-list entries', async () => {
    await refused(B, ASSET_TX.privacy, encodePrivacy({ asset: id, privacy: PRIVACY_LEVELS.FullPublic, allow: [] }), /only the owner changes privacy/)
    await refused(A, ASSET_TX.privacy, encodePrivacy({ asset: id, privacy: PRIVACY_LEVELS.P2P, allow: [c.ids[B], c.ids[B]] }), /duplicates/)
    await ok(B, ASSET_TX.allocate, encodeAllocate({ asset: id, amount: 1n }))
    await refused(A, ASSET_TX.privacy, encodePrivacy({ asset: id, privacy: PRIVACY_LEVELS.Private, allow: [] }), /only while available/)
    await ok(A, ASSET_TX.release, encodeRelease({ asset: id }))
    await ok(A, ASSET_TX.privacy, encodePrivacy({ asset: id, privacy: PRIVACY_LEVELS.PrivateNetwork, allow: [c.ids[C]] }))
    expect(rec(id)).toMatchObject({ privacy: PRIVACY_LEVELS.PrivateNetwork })
    expect(hexes(rec(id).allow)).toEqual([toHex(c.ids[C])])
    await refused(B, ASSET_TX.allocate, encodeAllocate({ asset: id, amount: 1n }), /privacy does not allow/)
  }, 60_000)

  it('transfer: only the owner, only while Available, not to itself; the asset takes a slot (and address) of the new owner', async () => {
    await refused(B, ASSET_TX.transfer, encodeTransfer({ asset: id, to: c.ids[B] }), /only the owner transfers/)
    await refused(A, ASSET_TX.transfer, encodeTransfer({ asset: id, to: c.ids[A] }), /current owner/)
    await ok(C, ASSET_TX.allocate, encodeAllocate({ asset: id, amount: 1n }))
    await refused(A, ASSET_TX.transfer, encodeTransfer({ asset: id, to: c.ids[B] }), /only an available asset/)
    await ok(A, ASSET_TX.release, encodeRelease({ asset: id }))
    // B owns a Memory asset of its own at slot 0: the transferred one must not land on the same address
    const mine = await registered(await c.tx(B, ASSET_TX.register, reg(ASSET_KINDS.Memory, 0)))
    expect(rec(mine).slot).toBe(0)
    const old = rec(id)
    await ok(A, ASSET_TX.transfer, encodeTransfer({ asset: id, to: c.ids[B] }))
    const st = c.ledger.stateReader
    const now = rec(id)
    expect(toHex(now.owner)).toBe(toHex(c.ids[B]))
    expect(now.slot).toBe(1)
    expect(now.allow).toEqual([])
    expect(assetAtAddress(st, c.ids[A], old.kind, old.slot)).toBeUndefined()
    expect(toHex(assetAtAddress(st, c.ids[B], now.kind, 1)?.id as Uint8Array)).toBe(toHex(id))
    expect(toHex(assetAtAddress(st, c.ids[B], now.kind, 0)?.id as Uint8Array)).toBe(toHex(mine))
    expect(hexes(assetsOf(st, c.ids[B]))).toEqual([toHex(mine), toHex(id)])
    expect(hexes(assetsOf(st, c.ids[A]))).not.toContain(toHex(id))
    expect(hexes(assetOwners(st))).toEqual([toHex(c.ids[A]), toHex(c.ids[B])])
    await refused(A, ASSET_TX.privacy, encodePrivacy({ asset: id, privacy: 0, allow: [] }), /only the owner/)
  }, 60_000)

  it('retire: only the owner; the record, its address and (with its last asset) the owner leave every index', async () => {
    await refused(A, ASSET_TX.retire, encodeRetire({ asset: id }), /only the owner retires/)
    const st = (): typeof c.ledger.stateReader => c.ledger.stateReader
    for (const x of assetsOf(st(), c.ids[B])) {
      const { kind, slot } = rec(x)
      await ok(B, ASSET_TX.retire, encodeRetire({ asset: x }))
      expect(getAsset(st(), x)).toBeUndefined()
      expect(assetAtAddress(st(), c.ids[B], kind, slot)).toBeUndefined()
      expect(st().get(addressKey(c.ids[B], kind, slot))).toBeUndefined()
    }
    expect(assetsOf(st(), c.ids[B])).toEqual([])
    expect(hexes(assetOwners(st()))).toEqual([toHex(c.ids[A])])
    expect(listAssets(st(), { owner: c.ids[B] })).toEqual([])
    await refused(B, ASSET_TX.retire, encodeRetire({ asset: id }), /no asset/)
    // a retired slot is never handed out again: the next Memory asset of B takes slot 2
    const next = await registered(await c.tx(B, ASSET_TX.register, reg(ASSET_KINDS.Memory, 0)))
    expect(rec(next).slot).toBe(2)
  }, 60_000)
})

describe('proofs bind the operation', () => {
  it('an op changed after its proof was made is refused before any handler runs', async () => {
    const t = await c.tx(A, ASSET_TX.register, reg(ASSET_KINDS.Gpu, 0, [], 1n))
    const op = t.op.slice(); op[op.length - 1] ^= 1
    expect(c.refusal({ ...t, op })).toMatch(/invalid proof/)
    expect(c.refusal({ ...t, kind: ASSET_TX.allocate })).toMatch(/invalid proof/)
  }, 60_000)
})
