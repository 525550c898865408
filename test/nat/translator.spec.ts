/**
 * The translator over a real ledger: Memory assets registered, allocated
 * and retired by transactions with real ConsensusProofs; the translator of
 * another node resolves their addresses from the committed state and drops
 * them in the block that changes them. Run on the TypeScript and the
 * core-wasm table.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import {
  ASSET_KINDS, ASSET_STATES, ASSET_TX, PRIVACY_LEVELS, assetIdOf, encodeAllocate, encodePrivacy, encodeRegister, encodeRelease, encodeRetire,
  getAsset, registerAssets, type AssetRecordValue
} from '../../ts/assets/index.ts'
import {
  ALL_MEM_OPS, GlobalAddress, INVALIDATING_TX_KINDS, addressOfAsset, MEM_OPS, Translator, entryForAsset, memPermissions
} from '../../ts/nat/index.ts'
import { toHex, type Block } from '../../ts/ledger/index.ts'
import { ReferenceNatTable, type NatMap } from '../../ts/wasm/nat-reference.ts'
import { NatTable } from '../../ts/wasm/nat.ts'
import { loadKernelModule } from '../../ts/wasm/loader.ts'
import { testChain, type TestChain } from '../assets/_ledger.ts'

const A = 0; const B = 1; const C = 2
let c: TestChain

beforeAll(async () => { c = await testChain(registerAssets) }, 60_000)

const rec = (id: Uint8Array): AssetRecordValue => getAsset(c.ledger.stateReader, id) as AssetRecordValue
const addrOf = (a: AssetRecordValue, offset = 0): GlobalAddress => addressOfAsset(a, offset)
async function commit (i: number, kind: string, op: Uint8Array): Promise<Block> {
  const t = await c.tx(i, kind, op)
  const b = await c.commit([t])
  expect(b.txs, `${kind} was refused: ${c.refusal(t) ?? ''}`).toHaveLength(1)
  return b
}
async function register (i: number, privacy: number, size: bigint, allow: Uint8Array[] = []): Promise<{ id: Uint8Array, block: Block }> {
  const op = encodeRegister({ kind: ASSET_KINDS.Memory, capacity: size, privacy: privacy as 0, allow, description: 'translator test' })
  const t = await c.tx(i, ASSET_TX.register, op)
  const block = await c.commit([t])
  expect(block.txs).toHaveLength(1)
  return { id: assetIdOf(t), block }
}

describe('memPermissions: what an admitted node may do', () => {
  const owner = new Uint8Array(32).fill(1); const x = new Uint8Array(32).fill(2); const y = new Uint8Array(32).fill(3)
  const base: AssetRecordValue = {
    id: new Uint8Array(32), kind: ASSET_KINDS.Memory, owner, state: ASSET_STATES.Available, privacy: PRIVACY_LEVELS.PublicNetwork, capacity: 4096n, slot: 0,
    allow: [], allocatedTo: undefined, allocatedAmount: 0n, description: '', registeredAt: 0n
  }
  it('follows the documented table', () => {
    expect(memPermissions(base, owner, false)).toBe(ALL_MEM_OPS)
    expect(memPermissions(base, x, true)).toBe(ALL_MEM_OPS)
    expect(memPermissions(base, x, false)).toBe(0) // PublicNetwork needs stake
    expect(memPermissions(base, null, true)).toBe(0)
    const leased = { ...base, state: ASSET_STATES.InUse, allocatedTo: x, allocatedAmount: 1n }
    expect(memPermissions(leased, x, true)).toBe(ALL_MEM_OPS)
    expect(memPermissions(leased, y, true)).toBe(MEM_OPS.read)
    expect(memPermissions(leased, owner, true)).toBe(ALL_MEM_OPS)
    expect(memPermissions({ ...base, state: ASSET_STATES.Suspended }, y, true)).toBe(MEM_OPS.read)
    expect(memPermissions({ ...base, state: ASSET_STATES.Failed }, y, true)).toBe(0)
    expect(memPermissions({ ...base, state: ASSET_STATES.Failed }, owner, true)).toBe(ALL_MEM_OPS)
    const full = { ...base, privacy: PRIVACY_LEVELS.FullPublic }
    expect(memPermissions(full, null, false)).toBe(MEM_OPS.read)
    expect(memPermissions(full, y, false)).toBe(MEM_OPS.read)
    expect(memPermissions(full, y, true)).toBe(ALL_MEM_OPS)
    expect(memPermissions({ ...base, privacy: PRIVACY_LEVELS.Private }, y, true)).toBe(0)
    expect(memPermissions({ ...base, privacy: PRIVACY_LEVELS.PrivateNetwork, allow: [y] }, y, true)).toBe(ALL_MEM_OPS)
    expect(memPermissions({ ...base, privacy: PRIVACY_LEVELS.PrivateNetwork, allow: [y] }, x, true)).toBe(0)
    expect(memPermissions({ ...base, privacy: PRIVACY_LEVELS.P2P, allow: [y] }, y, true)).toBe(0)
    expect(memPermissions({ ...leased, privacy: PRIVACY_LEVELS.P2P, allow: [x, y] }, x, true)).toBe(ALL_MEM_OPS)
    expect(entryForAsset({ ...base, kind: ASSET_KINDS.Cpu }, owner, true, 1)).toBeUndefined() // only Memory is byte-addressed
  })
})

for (const [name, make] of [
  ['TypeScript table', async (): Promise<NatMap> => new ReferenceNatTable()],
  ['core-wasm table', async (): Promise<NatMap> => new NatTable(await loadKernelModule('simd'))]
] as const) {
  describe(`Translator over the ledger (${name})`, () => {
    it('resolves registered assets for this node, refuses private ones, follows allocation and release, and forgets a retired asset in its block', async () => {
      let now = 1_000_000
      const source = (self: number): ConstructorParameters<typeof Translator>[1] => ({
        now: () => now,
        source: { state: () => c.ledger.stateReader, self: c.ids[self], hasStake: (id) => c.ledger.view().stakeOf(id) >= 1, ttlMs: 10_000 }
      })
      const tb = new Translator(await make(), source(B))
      const ta = new Translator(await make(), source(A))
      const pub = await register(A, PRIVACY_LEVELS.PublicNetwork, 65536n)
      const priv = await register(A, PRIVACY_LEVELS.Private, 4096n)
      for (const t of [ta, tb]) t.onCommittedBlock(pub.block)
      const pa = rec(pub.id)
      const t1 = tb.translate(addrOf(pa, 1000))
      expect(t1).toBeDefined()
      expect(toHex(t1!.peer)).toBe(toHex(c.ids[A]))
      expect(toHex(t1!.assetId)).toBe(toHex(pub.id))
      expect(t1!.region.equals(addrOf(pa))).toBe(true)
      expect(t1!.region.equals(GlobalAddress.from({ node: c.ids[A], kind: ASSET_KINDS.Memory, index: pa.slot, offset: 0 }))).toBe(true)
      expect([t1!.offset, t1!.size, t1!.permissions]).toEqual([1000, 65536, ALL_MEM_OPS])
      expect(tb.size).toBe(1) // cached
      expect(tb.translate(addrOf(pa, 65536))).toBeUndefined() // past the end
      expect(tb.translate(addrOf(pa, 65535))?.offset).toBe(65535)
      // private: the owner translates it, others do not
      expect(tb.translate(addrOf(rec(priv.id)))).toBeUndefined()
      expect(ta.translate(addrOf(rec(priv.id), 4095))?.permissions).toBe(ALL_MEM_OPS)
      // an address nobody registered
      expect(tb.translate(addrOf({ ...pa, slot: 999 }))).toBeUndefined()

      // C allocates the public asset: B's cached entry is dropped by the block; B may now only read
      const alloc = await commit(C, ASSET_TX.allocate, encodeAllocate({ asset: pub.id, amount: 1n }))
      expect(tb.translate(addrOf(pa))?.permissions).toBe(ALL_MEM_OPS) // stale until the node hands the block over
      expect(tb.onCommittedBlock(alloc)).toBe(1)
      expect(tb.translate(addrOf(pa))?.permissions).toBe(MEM_OPS.read)
      const rel = await commit(A, ASSET_TX.release, encodeRelease({ asset: pub.id }))
      tb.onCommittedBlock(rel)
      expect(tb.translate(addrOf(pa))?.permissions).toBe(ALL_MEM_OPS)

      // the batch path: cached hits, misses read from the ledger, unknown and private addresses
      const batch = tb.translateBatch([addrOf(pa, 8), addrOf(rec(priv.id)), addrOf(pa, 70000), addrOf({ ...pa, slot: 999 })])
      expect(batch.map((x) => x?.offset)).toEqual([8, undefined, undefined, undefined])
      const ab = ta.translateBatch([addrOf(rec(priv.id), 1), addrOf(pa, 2)])
      expect(ab.map((x) => x?.offset)).toEqual([1, 2])

      // retire: refused everywhere from the block that retires it
      const ret = await commit(A, ASSET_TX.retire, encodeRetire({ asset: pub.id }))
      for (const t of [ta, tb]) expect(t.onCommittedBlock(ret)).toBe(1)
      expect(tb.translate(addrOf(pa, 8))).toBeUndefined()
      expect(ta.translate(addrOf(pa, 8))).toBeUndefined()
      expect(tb.translateBatch([addrOf(pa)])).toEqual([undefined])
      expect(ta.translate(addrOf(rec(priv.id)))).toBeDefined()
    }, 60_000)

    it('entries expire: a change the node was not told about is seen after the TTL', async () => {
      let now = 5_000_000
      const tb = new Translator(await make(), {
        now: () => now,
        source: { state: () => c.ledger.stateReader, self: c.ids[B], hasStake: (id) => c.ledger.view().stakeOf(id) >= 1, ttlMs: 10_000 }
      })
      const { id } = await register(A, PRIVACY_LEVELS.PublicNetwork, 256n)
      const a = rec(id)
      expect(tb.translate(addrOf(a))?.permissions).toBe(ALL_MEM_OPS)
      await commit(A, ASSET_TX.privacy, encodePrivacy({ asset: id, privacy: PRIVACY_LEVELS.Private, allow: [] })) // block not handed over
      now += 9_999
      expect(tb.translate(addrOf(a))).toBeDefined()
      now += 1
      expect(tb.translate(addrOf(a))).toBeUndefined()
      expect(tb.size).toBe(0)
    }, 60_000)
  })
}

describe('Translator without a source (entries set by the node)', () => {
  it('refuses bad entries and a bad source; onCommittedBlock reads the asset id every invalidating op starts with', async () => {
    const t = new Translator(new ReferenceNatTable())
    const peer = new Uint8Array(32).fill(1)
    const address = GlobalAddress.from({ node: peer, kind: 2, index: 0, offset: 0 })
    expect(() => t.set({ address, peer, assetId: new Uint8Array(31), size: 1, permissions: 1, expiresAt: Infinity })).toThrow(/32 bytes/)
    expect(() => t.set({ address, peer, assetId: peer, size: 0, permissions: 1, expiresAt: Infinity })).toThrow(/size/)
    expect(() => t.set({ address, peer, assetId: peer, size: 1, permissions: 16, expiresAt: Infinity })).toThrow(/permissions/)
    expect(() => new Translator(new ReferenceNatTable(), { source: { state: () => c.ledger.stateReader, self: new Uint8Array(3), hasStake: () => true } })).toThrow(/NodeId/)
    expect(() => new Translator(new ReferenceNatTable(), { source: { state: () => c.ledger.stateReader, self: peer, hasStake: () => true, ttlMs: 0 } })).toThrow(/ttlMs/)
    // the layout onCommittedBlock relies on
    const asset = new Uint8Array(32).fill(7)
    const ops: Record<string, Uint8Array> = {
      [ASSET_TX.allocate]: encodeAllocate({ asset, amount: 1n }), [ASSET_TX.release]: encodeRelease({ asset }),
      [ASSET_TX.retire]: encodeRetire({ asset }), [ASSET_TX.privacy]: encodePrivacy({ asset, privacy: 0, allow: [] })
    }
    for (const kind of INVALIDATING_TX_KINDS) {
      if (ops[kind] === undefined) continue
      t.set({ address, peer, assetId: asset, size: 8, permissions: 1, expiresAt: Infinity })
      expect(toHex(ops[kind].subarray(0, 32))).toBe(toHex(asset))
      expect(t.onCommittedBlock({ txs: [{ kind, op: ops[kind] }] }), kind).toBe(1)
    }
    t.set({ address, peer, assetId: asset, size: 8, permissions: 1, expiresAt: Infinity })
    expect(t.onCommittedBlock({ txs: [{ kind: ASSET_TX.register, op: new Uint8Array(64).fill(7) }, { kind: 'other', op: asset }] })).toBe(0)
  })
})
