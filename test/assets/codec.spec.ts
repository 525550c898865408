/**
 * Property tests: every op decoder round-trips and refuses garbage with a
 * DecodeError only; the handlers, fed random and mutated operations from
 * random senders, refuse with TxRejectedError only, and the registry's
 * indexes stay consistent after any sequence of accepted operations.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  ASSET_STATES, ASSET_TX, AllocateOp, PrivacyOp, RegisterOp, ReleaseOp, RetireOp, StateOp, TransferOp, MAX_MEMORY_BYTES, ASSET_KINDS,
  addressKey, assetOwners, assetsOf, getAsset, listAssets, registerAssets, assetIdOf, formatAssetId, parseAssetId
} from '../../ts/assets/index.ts'
import { encodeCanonical, type Coder } from '../../ts/wire/index.ts'
import { LedgerState, StateOverlay, TxRejectedError, toHex, txHash, type Ledger, type Transaction, type TxHandler } from '../../ts/ledger/index.ts'

const id32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })
const kind = fc.integer({ min: 0, max: 6 })
const privacy = fc.integer({ min: 0, max: 4 })
const allow = fc.array(id32, { maxLength: 5 })

const arbs: Array<[string, Coder<any>, fc.Arbitrary<unknown>]> = [
  ['register', RegisterOp, fc.record({ kind, capacity: u64, privacy, allow, description: fc.string({ maxLength: 50 }) })],
  ['allocate', AllocateOp, fc.record({ asset: id32, amount: u64 })],
  ['release', ReleaseOp, fc.record({ asset: id32 })],
  ['transfer', TransferOp, fc.record({ asset: id32, to: id32 })],
  ['privacy', PrivacyOp, fc.record({ asset: id32, privacy, allow })],
  ['state', StateOp, fc.record({ asset: id32, state: fc.integer({ min: 0, max: 4 }) })],
  ['retire', RetireOp, fc.record({ asset: id32 })]
]

describe('AssetId text', () => {
  it('parse∘format is the identity; random text is refused with InvalidArgumentError only', () => {
    fc.assert(fc.property(kind, id32, fc.boolean(), (k, id, upper) => {
      const text = formatAssetId(k as 2, id)
      expect(text).toMatch(/^[a-z]+:[0-9a-f]{64}$/)
      expect(parseAssetId(upper ? text.toUpperCase() : text)).toEqual({ kind: k, id })
    }), { numRuns: 500 })
    const near = fc.tuple(fc.constantFrom('memory', 'cpu', 'gpu', 'disk', '', 'Memory'), fc.constantFrom(':', ';', '::', ''), fc.stringMatching(/^[0-9a-fA-Fg]{0,66}$/)).map(([a, b, c]) => a + b + c)
    fc.assert(fc.property(fc.oneof(near, fc.string({ maxLength: 120 })), (t) => {
      try {
        const { id } = parseAssetId(t)
        expect(id).toHaveLength(32)
      } catch (err) { expect((err as Error).name).toBe('InvalidArgumentError') }
    }), { numRuns: 3000 })
    expect(() => formatAssetId(ASSET_KINDS.Memory, new Uint8Array(31))).toThrow(/32 bytes/)
  })
})

describe('op codecs', () => {
  for (const [name, coder, arb] of arbs) {
    it(`${name}: round trip, truncation and trailing bytes refused, garbage refused with DecodeError only`, () => {
      fc.assert(fc.property(arb, fc.uint8Array({ maxLength: 8 }), (v, extra) => {
        const b = encodeCanonical(coder, v)
        expect(coder.decode(b)).toEqual(v)
        for (let cut = 0; cut < b.length; cut++) expect(() => coder.decode(b.subarray(0, cut))).toThrow(expect.objectContaining({ name: 'DecodeError' }))
        if (extra.length > 0) expect(() => coder.decode(Uint8Array.from([...b, ...extra]))).toThrow(expect.objectContaining({ name: 'DecodeError' }))
      }), { numRuns: 200 })
      fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
        try { coder.decode(b) } catch (err) { expect((err as Error).name).toBe('DecodeError') }
      }), { numRuns: 1000 })
    })
  }
})

/** The handlers registerAssets installs, captured so they run directly over real state overlays. */
function handlers (): Map<string, TxHandler> {
  const m = new Map<string, TxHandler>()
  registerAssets({ registerHandler: (k: string, fn: TxHandler) => { m.set(k, fn) } } as unknown as Ledger)
  return m
}

/** null 7 times in 8: most steps are well-formed operations, some are garbage or bit-flipped. */
const rarely = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.oneof({ arbitrary: fc.constant(null), weight: 7 }, { arbitrary: a, weight: 1 })

describe('handlers under random operations', () => {
  it('refuse with TxRejectedError only, and keep records, owner lists, the owner index and the address index consistent', () => {
    const h = handlers()
    const senders = [1, 2, 3].map((i) => new Uint8Array(32).fill(i))
    const kinds = Object.values(ASSET_TX)
    const accepted = new Map<string, number>()
    const step = fc.record({
      kind: fc.constantFrom(...kinds),
      sender: fc.integer({ min: 0, max: 2 }), asOwner: fc.boolean(),
      pick: fc.nat(), target: fc.integer({ min: 0, max: 2 }), amount: fc.oneof({ arbitrary: fc.constantFrom(1n, -1n), weight: 4 }, { arbitrary: fc.constantFrom(0n, -2n), weight: 1 }, { arbitrary: u64, weight: 1 }), // -1: the capacity, -2: one over it
      cap: fc.oneof(fc.bigInt({ min: 0n, max: 1n << 21n }), fc.constant(MAX_MEMORY_BYTES + 1n)),
      k: kind, p: privacy, s: fc.integer({ min: 0, max: 4 }), allowIdx: fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 3 }),
      garbage: rarely(fc.uint8Array({ maxLength: 80 })), flip: rarely(fc.nat())
    })
    fc.assert(fc.property(fc.array(step, { minLength: 20, maxLength: 60, size: 'max' }), (steps) => {
      const base = new LedgerState()
      const state = new StateOverlay(base)
      let seq = 0
      for (const st of steps) {
        // mostly an asset in a state the operation accepts, so success paths are exercised as much as refusals
        const all = listAssets(state)
        const fit = all.filter((a) => st.kind === ASSET_TX.release ? a.state === ASSET_STATES.Allocated || a.state === ASSET_STATES.InUse : st.kind === ASSET_TX.allocate ? a.state === ASSET_STATES.Available : true)
        const pool = fit.length > 0 && st.pick % 4 !== 0 ? fit : all
        const asset = pool.length > 0 ? pool[st.pick % pool.length].id : new Uint8Array(32)
        const allowList = [...new Set(st.allowIdx)].map((i) => senders[i])
        let op: Uint8Array
        switch (st.kind) {
          case ASSET_TX.register: op = encodeCanonical(RegisterOp, { kind: st.k as 2, capacity: st.cap, privacy: st.p as 0, allow: allowList, description: `a${seq}` }); break
          case ASSET_TX.allocate: {
            const cap = getAsset(state, asset)?.capacity ?? 1n
            op = encodeCanonical(AllocateOp, { asset, amount: st.amount === -1n ? cap : st.amount === -2n ? cap + 1n : st.amount })
            break
          }
          case ASSET_TX.transfer: op = encodeCanonical(TransferOp, { asset, to: senders[st.target] }); break
          case ASSET_TX.privacy: op = encodeCanonical(PrivacyOp, { asset, privacy: st.p as 0, allow: allowList }); break
          case ASSET_TX.state: op = encodeCanonical(StateOp, { asset, state: st.s as 0 }); break
          default: op = encodeCanonical(ReleaseOp, { asset }) // release and retire have the same layout
        }
        if (st.garbage !== null) op = st.garbage
        else if (st.flip !== null) { op = op.slice(); op[st.flip % op.length] ^= 0x80 }
        // half the steps come from the asset's owner, so the owner-only operations succeed often enough to matter
        const owner = getAsset(state, asset)?.owner
        const sender = st.asOwner && owner !== undefined ? owner : senders[st.sender]
        const tx: Transaction = { kind: st.kind, sender, sequence: ++seq, op, proof: new Uint8Array(0) }
        const child = state.child()
        try {
          (h.get(st.kind) as TxHandler)({ height: seq, time: 1000 + seq, tx, txHash: txHash(tx), state: child })
          state.merge(child)
          accepted.set(st.kind, (accepted.get(st.kind) ?? 0) + 1)
          if (st.kind === ASSET_TX.register) expect(getAsset(state, assetIdOf(tx))).toBeDefined()
        } catch (err) {
          expect(err).toBeInstanceOf(TxRejectedError)
        }
      }
      // invariants
      const owners = assetOwners(state).map(toHex)
      expect(new Set(owners).size).toBe(owners.length)
      const all = listAssets(state)
      const addresses = new Set<string>()
      for (const s of senders) {
        const mine = assetsOf(state, s)
        expect(owners.includes(toHex(s))).toBe(mine.length > 0)
        for (const id of mine) expect(toHex(getAsset(state, id)?.owner as Uint8Array)).toBe(toHex(s))
      }
      for (const a of all) {
        const key = addressKey(a.owner, a.kind, a.slot)
        expect(addresses.has(key)).toBe(false)
        addresses.add(key)
        expect(toHex(state.get(key) as Uint8Array)).toBe(toHex(a.id))
        if (a.kind === ASSET_KINDS.Memory) expect(a.capacity <= MAX_MEMORY_BYTES).toBe(true)
        expect(a.capacity > 0n).toBe(true)
        if (a.state === ASSET_STATES.Available) expect(a.allocatedTo).toBeUndefined()
        if (a.state === ASSET_STATES.Allocated || a.state === ASSET_STATES.InUse) expect(a.allocatedTo).toBeDefined()
        if (a.allocatedTo !== undefined) expect(a.allocatedAmount >= 1n && a.allocatedAmount <= a.capacity).toBe(true)
      }
      // every address key belongs to a live record
      const addrKeys = state.writeList().filter(([k, v]) => k.startsWith('asset-addr/') && v !== null).map(([k]) => k)
      expect(addrKeys.sort()).toEqual([...addresses].sort())
    }), { numRuns: 100 })
    // the runs did exercise every operation's success path, not only refusals
    for (const k of kinds) expect(accepted.get(k) ?? 0, `${k} ${JSON.stringify([...accepted])}`).toBeGreaterThan(5)
  })
})
