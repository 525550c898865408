import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  AccountCoder, BurnOpCoder, CaesarConfigCoder, MintOpCoder, ReceiptCoder, SettleOpCoder, SupplyCoder, TransferOpCoder,
  amount, configProblem, decodeCaesarConfig, defaultCaesarConfig, encodeCaesarConfig, type CaesarConfig, type Receipt
} from '../../ts/caesar/index.ts'
import type { Coder } from '../../ts/wire/index.ts'

const AMOUNT = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n })
const ID = fc.uint8Array({ minLength: 32, maxLength: 32 })
const EPOCH = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })
const RECEIPT: fc.Arbitrary<Receipt> = fc.record({
  chain: ID, kind: fc.constantFrom(1 as const, 2 as const), bytes: fc.bigInt({ min: 1n, max: 1n << 40n }), epoch: EPOCH, provider: ID, consumer: ID, nonce: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })
})
const RATE = fc.record({ numerator: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), denominator: fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }) })
const CONFIG: fc.Arbitrary<CaesarConfig> = fc.record({
  decayFractionBits: fc.integer({ min: 8, max: 120 }),
  decayOdd: fc.bigInt({ min: 0n, max: (1n << 119n) }),
  epochMs: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  transferFee: AMOUNT,
  memoryRate: RATE,
  relayRate: RATE,
  fuelRate: RATE,
  receiptWindowEpochs: fc.integer({ min: 0, max: 0xffffffff }),
  balances: fc.uniqueArray(fc.record({ account: ID, amount: fc.bigInt({ min: 1n, max: 1n << 100n }) }), { maxLength: 5, selector: (b) => Buffer.from(b.account).toString('hex') })
}).map(({ decayOdd, balances, ...c }) => ({
  ...c,
  decayNumerator: (decayOdd % (1n << BigInt(c.decayFractionBits))) | 1n,
  genesisBalances: balances.sort((a, b) => Buffer.compare(a.account, b.account))
}))

function roundTrips<T> (coder: Coder<T>, arb: fc.Arbitrary<T>): void {
  fc.assert(fc.property(arb, (v) => {
    const b = coder.encode(v)
    expect(coder.decode(b)).toEqual(v)
    expect(coder.encode(coder.decode(b))).toEqual(b)
  }), { numRuns: 200 })
}

/** Random bytes and every truncation of a valid encoding give a DecodeError, never another error. */
function rejectsGarbage<T> (coder: Coder<T>, valid: fc.Arbitrary<T>): void {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
    try { coder.decode(b) } catch (err) { expect((err as Error).name).toBe('DecodeError') }
  }), { numRuns: 300 })
  fc.assert(fc.property(valid, fc.nat(), (v, cut) => {
    const b = coder.encode(v)
    const n = cut % b.length
    expect(() => coder.decode(b.subarray(0, n))).toThrow(expect.objectContaining({ name: 'DecodeError' }))
    const longer = new Uint8Array(b.length + 1); longer.set(b)
    expect(() => coder.decode(longer)).toThrow(expect.objectContaining({ name: 'DecodeError' }))
  }), { numRuns: 200 })
}

describe('caesar codecs', () => {
  it('amount: 16 bytes big-endian, known bytes, out of range refused', () => {
    expect(Buffer.from(amount.encode(1n)).toString('hex')).toBe('00000000000000000000000000000001')
    expect(Buffer.from(amount.encode((1n << 64n) + 2n)).toString('hex')).toBe('00000000000000010000000000000002')
    expect(() => amount.encode(1n << 128n)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(() => amount.encode(-1n)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
  })

  it('Account: principal ‖ u64 epoch, 24 bytes', () => {
    const b = AccountCoder.encode({ principal: 5n, referenceEpoch: 258 })
    expect(Buffer.from(b).toString('hex')).toBe('00000000000000000000000000000005' + '0000000000000102')
    // An epoch above 2^53 - 1 is refused on decode.
    const big = b.slice(); big.fill(0xff, 16)
    expect(() => AccountCoder.decode(big)).toThrow(expect.objectContaining({ name: 'DecodeError' }))
  })

  it('round trips (fast-check): Account, Supply, ops, receipts, config', () => {
    roundTrips(AccountCoder, fc.record({ principal: AMOUNT, referenceEpoch: EPOCH }))
    roundTrips(SupplyCoder, fc.record({ minted: AMOUNT, burned: AMOUNT, feePool: AMOUNT, demurragePool: AMOUNT }))
    roundTrips(TransferOpCoder, fc.record({ to: ID, amount: AMOUNT, fee: AMOUNT }))
    roundTrips(BurnOpCoder, fc.record({ amount: AMOUNT }))
    roundTrips(SettleOpCoder, fc.record({ account: ID }))
    roundTrips(ReceiptCoder, RECEIPT)
    roundTrips(MintOpCoder, fc.record({ receipt: RECEIPT, signature: fc.uint8Array({ minLength: 1, maxLength: 1462 }) }).map((value) => ({ type: 'receipt' as const, value })))
    roundTrips(CaesarConfigCoder, CONFIG)
  })

  it('garbage and truncations are DecodeErrors (fast-check)', () => {
    rejectsGarbage(AccountCoder, fc.record({ principal: AMOUNT, referenceEpoch: EPOCH }))
    rejectsGarbage(TransferOpCoder, fc.record({ to: ID, amount: AMOUNT, fee: AMOUNT }))
    rejectsGarbage(ReceiptCoder, RECEIPT)
    rejectsGarbage(MintOpCoder, fc.record({ receipt: RECEIPT, signature: fc.uint8Array({ minLength: 1, maxLength: 100 }) }).map((value) => ({ type: 'receipt' as const, value })))
    rejectsGarbage(CaesarConfigCoder, CONFIG)
  })

  it('receipts: unknown kind, zero or > 2^40 bytes, wrong magic are refused', () => {
    const r: Receipt = { chain: new Uint8Array(32), kind: 1, bytes: 10n, epoch: 3, provider: new Uint8Array(32).fill(1), consumer: new Uint8Array(32).fill(2), nonce: 7n }
    const b = ReceiptCoder.encode(r)
    expect(b.length).toBe(6 + 1 + 32 + 1 + 8 + 8 + 32 + 32 + 8)
    const kind = b.slice(); kind[39] = 3
    expect(() => ReceiptCoder.decode(kind)).toThrow(/unknown receipt kind/)
    expect(() => ReceiptCoder.encode({ ...r, bytes: 0n })).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(() => ReceiptCoder.encode({ ...r, bytes: (1n << 40n) + 1n })).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    const magic = b.slice(); magic[0] ^= 1
    expect(() => ReceiptCoder.decode(magic)).toThrow(/magic/)
  })

  it('config: the default is valid and round trips; invalid configs are refused both ways', () => {
    const c = defaultCaesarConfig()
    expect(configProblem(c)).toBeUndefined()
    expect(decodeCaesarConfig(encodeCaesarConfig(c))).toEqual(c)
    expect(configProblem({ ...c, decayNumerator: c.decayNumerator - 1n })).toMatch(/odd/)
    expect(configProblem({ ...c, decayNumerator: (1n << 64n) + 1n })).toMatch(/decayNumerator/)
    expect(configProblem({ ...c, epochMs: 0 })).toMatch(/epochMs/)
    expect(configProblem({ ...c, memoryRate: { numerator: 1n, denominator: 0n } })).toMatch(/memoryRate/)
    const a = new Uint8Array(32).fill(1); const b = new Uint8Array(32).fill(2)
    expect(configProblem({ ...c, genesisBalances: [{ account: b, amount: 1n }, { account: a, amount: 1n }] })).toMatch(/sorted/)
    expect(configProblem({ ...c, genesisBalances: [{ account: a, amount: 0n }] })).toMatch(/positive/)
    expect(() => encodeCaesarConfig({ ...c, epochMs: -5 })).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    // An encoded config with an even decay numerator is refused on decode.
    const bytes = encodeCaesarConfig(c)
    const even = bytes.slice(); even[8 + 1 + 15] ^= 1
    expect(() => decodeCaesarConfig(even)).toThrow(/odd/)
  })
})
