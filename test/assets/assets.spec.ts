import { beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  ASSET_KINDS, ASSET_STATES, ASSET_TX, AssetRecord, AllocateOp, PRIVACY_LEVELS, RegisterOp, TransferOp, PrivacyOp, StateOp, ReleaseOp,
  assetIdOf, assetsOf, encodeAllocate, encodePrivacy, encodeRegister, encodeRelease, encodeRetire, encodeStateOp, encodeTransfer,
  formatAssetId, getAsset, mayAddress, parseAssetId, privacyFromName, registerAssets, type AssetRecordValue
} from '../../ts/assets/index.ts'
import { encodeCanonical } from '../../ts/wire/index.ts'
import { toHex } from '../../ts/ledger/index.ts'
import { testChain, type TestChain } from './_ledger.ts'

let c: TestChain
let memId: Uint8Array

const reg = (kind: number, privacy: number, allow: Uint8Array[] = [], capacity = 1n << 20n): Uint8Array =>
  encodeRegister({ kind: kind as 2, capacity, privacy: privacy as 0, allow, description: 'test asset' })

beforeAll(async () => {
  c = await testChain(registerAssets)
})

describe('asset ids', () => {
  it('format and parse <kind>:<hex> round trip; malformed text is refused with a clear error', () => {
    const id = new Uint8Array(32).map((_, i) => i * 7)
    const text = formatAssetId(ASSET_KINDS.Memory, id)
    expect(text).toBe('memory:' + toHex(id))
    expect(parseAssetId(text)).toEqual({ kind: ASSET_KINDS.Memory, id })
    expect(parseAssetId(text.replace('memory', 'MEMORY')).kind).toBe(ASSET_KINDS.Memory)
    for (const bad of ['', 'memory:', 'memory:' + '0'.repeat(63), 'disk:' + '0'.repeat(64), 'memory;' + '0'.repeat(64), 'memory:' + 'g'.repeat(64)]) {
      expect(() => parseAssetId(bad)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    }
    expect(privacyFromName('full-public')).toBe(PRIVACY_LEVELS.FullPublic)
    expect(() => privacyFromName('secret')).toThrow(/unknown privacy level/)
  })

  it('decoders refuse random and truncated bytes with a DecodeError, and round-trip valid values (fast-check)', () => {
    const coders = [AssetRecord, RegisterOp, AllocateOp, ReleaseOp, TransferOp, PrivacyOp, StateOp]
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 0, max: coders.length - 1 }), (b, i) => {
      try { coders[i].decode(b) } catch (err) { expect((err as Error).name).toBe('DecodeError') }
    }), { numRuns: 2000 })
    const rec = fc.record({
      id: fc.uint8Array({ minLength: 32, maxLength: 32 }), kind: fc.integer({ min: 0, max: 6 }), owner: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      state: fc.integer({ min: 0, max: 4 }), privacy: fc.integer({ min: 0, max: 4 }), capacity: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      slot: fc.integer({ min: 0, max: 4095 }), allow: fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 4 }),
      allocatedTo: fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 }), { nil: undefined }), allocatedAmount: fc.bigInt({ min: 0n, max: 1n << 40n }),
      description: fc.string({ maxLength: 40 }), registeredAt: fc.bigInt({ min: 0n, max: 1n << 50n })
    })
    fc.assert(fc.property(rec, (r) => {
      const bytes = encodeCanonical(AssetRecord, r as unknown as AssetRecordValue)
      expect(AssetRecord.decode(bytes)).toEqual(r)
      for (let cut = 0; cut < bytes.length; cut += Math.max(1, bytes.length >> 3)) expect(() => AssetRecord.decode(bytes.subarray(0, cut))).toThrow()
    }), { numRuns: 300 })
  })
})

describe('the registry on a real ledger (transactions with real ConsensusProofs)', () => {
  it('registers an asset: id = hash of its genesis operation, slot per kind, listed under the owner', async () => {
    const t = await c.tx(0, ASSET_TX.register, reg(ASSET_KINDS.Memory, PRIVACY_LEVELS.PrivateNetwork, [c.ids[1]]))
    const b = await c.commit([t])
    expect(b.txs).toHaveLength(1)
    memId = assetIdOf(t)
    const a = getAsset(c.ledger.stateReader, memId) as AssetRecordValue
    expect(a).toMatchObject({ kind: ASSET_KINDS.Memory, state: ASSET_STATES.Available, privacy: PRIVACY_LEVELS.PrivateNetwork, capacity: 1n << 20n, slot: 0, allocatedTo: undefined })
    expect(toHex(a.owner)).toBe(toHex(c.ids[0]))
    const t2 = await c.tx(0, ASSET_TX.register, reg(ASSET_KINDS.Memory, PRIVACY_LEVELS.Private))
    await c.commit([t2])
    expect(getAsset(c.ledger.stateReader, assetIdOf(t2))?.slot).toBe(1)
    expect(assetsOf(c.ledger.stateReader, c.ids[0]).map(toHex)).toEqual([toHex(memId), toHex(assetIdOf(t2))])
    expect(c.refusal(await c.tx(0, ASSET_TX.register, reg(ASSET_KINDS.Cpu, 0, [], 0n)))).toMatch(/capacity must be positive/)
  }, 60_000)

  it('privacy decides who may allocate: outsider refused, allow-listed node allocates; allocate needs Available and a sane amount', async () => {
    expect(c.refusal(await c.tx(2, ASSET_TX.allocate, encodeAllocate({ asset: memId, amount: 1024n })))).toMatch(/privacy does not allow/)
    expect(c.refusal(await c.tx(1, ASSET_TX.allocate, encodeAllocate({ asset: memId, amount: (1n << 20n) + 1n })))).toMatch(/amount must be/)
    const ok = await c.tx(1, ASSET_TX.allocate, encodeAllocate({ asset: memId, amount: 4096n }))
    expect(c.refusal(ok)).toBeNull()
    await c.commit([ok])
    const a = getAsset(c.ledger.stateReader, memId) as AssetRecordValue
    expect(a.state).toBe(ASSET_STATES.Allocated)
    expect(toHex(a.allocatedTo as Uint8Array)).toBe(toHex(c.ids[1]))
    expect(c.refusal(await c.tx(1, ASSET_TX.allocate, encodeAllocate({ asset: memId, amount: 1n })))).toMatch(/not available/)
  }, 60_000)

  it('state changes follow the machine: allocatee marks InUse, outsiders cannot release, owner releases; transfer only when Available', async () => {
    expect(c.refusal(await c.tx(2, ASSET_TX.state, encodeStateOp({ asset: memId, state: ASSET_STATES.InUse })))).toMatch(/cannot move/)
    await c.commit([await c.tx(1, ASSET_TX.state, encodeStateOp({ asset: memId, state: ASSET_STATES.InUse }))])
    expect(getAsset(c.ledger.stateReader, memId)?.state).toBe(ASSET_STATES.InUse)
    expect(c.refusal(await c.tx(0, ASSET_TX.transfer, encodeTransfer({ asset: memId, to: c.ids[2] })))).toMatch(/only an available asset/)
    expect(c.refusal(await c.tx(2, ASSET_TX.release, encodeRelease({ asset: memId })))).toMatch(/only the owner releases/)
    await c.commit([await c.tx(0, ASSET_TX.release, encodeRelease({ asset: memId }))])
    expect(getAsset(c.ledger.stateReader, memId)).toMatchObject({ state: ASSET_STATES.Available, allocatedTo: undefined, allocatedAmount: 0n })
  }, 60_000)

  it('only the owner changes privacy or transfers; a transfer moves the asset between owner lists', async () => {
    expect(c.refusal(await c.tx(1, ASSET_TX.privacy, encodePrivacy({ asset: memId, privacy: PRIVACY_LEVELS.FullPublic, allow: [] })))).toMatch(/only the owner changes privacy/)
    await c.commit([await c.tx(0, ASSET_TX.privacy, encodePrivacy({ asset: memId, privacy: PRIVACY_LEVELS.PublicNetwork, allow: [] }))])
    const a = getAsset(c.ledger.stateReader, memId) as AssetRecordValue
    expect(mayAddress(a, c.ids[2], true)).toBe(true)
    expect(mayAddress(a, null, false)).toBe(false)
    expect(c.refusal(await c.tx(1, ASSET_TX.transfer, encodeTransfer({ asset: memId, to: c.ids[1] })))).toMatch(/only the owner transfers/)
    await c.commit([await c.tx(0, ASSET_TX.transfer, encodeTransfer({ asset: memId, to: c.ids[2] }))])
    expect(toHex(getAsset(c.ledger.stateReader, memId)?.owner as Uint8Array)).toBe(toHex(c.ids[2]))
    expect(assetsOf(c.ledger.stateReader, c.ids[0]).map(toHex)).not.toContain(toHex(memId))
    expect(assetsOf(c.ledger.stateReader, c.ids[2]).map(toHex)).toEqual([toHex(memId)])
  }, 60_000)

  it('a tampered proof is refused before any handler runs', async () => {
    const t = await c.tx(1, ASSET_TX.register, reg(ASSET_KINDS.Storage, PRIVACY_LEVELS.P2P))
    const proof = t.proof.slice(); proof[proof.length - 5] ^= 1
    expect(c.refusal({ ...t, proof })).toMatch(/invalid proof/)
  }, 60_000)

  it('the owner retires an asset: its record and its place in the owner list are gone', async () => {
    const t = await c.tx(1, ASSET_TX.register, reg(ASSET_KINDS.Memory, PRIVACY_LEVELS.P2P))
    await c.commit([t])
    const id = assetIdOf(t)
    expect(c.refusal(await c.tx(2, ASSET_TX.retire, encodeRetire({ asset: id })))).toMatch(/only the owner retires/)
    await c.commit([await c.tx(1, ASSET_TX.retire, encodeRetire({ asset: id }))])
    expect(getAsset(c.ledger.stateReader, id)).toBeUndefined()
    expect(assetsOf(c.ledger.stateReader, c.ids[1]).map(toHex)).not.toContain(toHex(id))
    expect(c.refusal(await c.tx(1, ASSET_TX.allocate, encodeAllocate({ asset: id, amount: 1n })))).toMatch(/no asset/)
  }, 60_000)
})
