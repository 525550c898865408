import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  AccountCoder, BurnOpCoder, CaesarRule, KEY_ACCOUNT, KIND_BURN, KIND_SETTLE, KIND_TRANSFER, SettleOpCoder, TransferOpCoder,
  auditCaesar, caesarStateHash, defaultCaesarConfig, jobResultCredit, readSupply
} from '../../ts/caesar/index.ts'
import { StateOverlay, toHex } from '../../ts/ledger/index.ts'
import { GENESIS_TIME, HOUR, expectRefused, ids, makeBench, sortedBalances } from './_setup.ts'

const A = ids[0]; const B = ids[1]; const C = ids[2]
const transfer = (to: Uint8Array, amount: bigint, fee = 100n): Uint8Array => TransferOpCoder.encode({ to, amount, fee })
const at = (epoch: number): number => GENESIS_TIME + epoch * HOUR + 17

describe('caesar handlers (real LedgerState, handlers called directly)', () => {
  it('genesis: balances counted as minted, audit holds', () => {
    const b = makeBench()
    const a = auditCaesar(b.state)
    expect(a).toMatchObject({ minted: 15n * 10n ** 11n, principal: 15n * 10n ** 11n, burned: 0n, feePool: 0n, demurragePool: 0n, accounts: 2, holds: true })
  })

  it('transfer at epoch 0: exact debit, credit and fee', () => {
    const b = makeBench()
    expect(b.exec(KIND_TRANSFER, A, transfer(B, 1000n, 150n), at(0))).toBeNull()
    expect(b.caesar.balanceOf(b.state, A, 0)).toBe(10n ** 12n - 1150n)
    expect(b.caesar.balanceOf(b.state, B, 0)).toBe(5n * 10n ** 11n + 1000n)
    expect(readSupply(b.state)).toEqual({ minted: 15n * 10n ** 11n, burned: 0n, feePool: 150n, demurragePool: 0n })
    expect(auditCaesar(b.state).holds).toBe(true)
  })

  it('transfer at epoch 10 settles both accounts first: decay goes to the demurrage pool exactly', () => {
    const b = makeBench()
    const pa = b.caesar.table.presentValue(10n ** 12n, 10); const pb = b.caesar.table.presentValue(5n * 10n ** 11n, 10)
    expect(pa).toBe(999941487800n) // floor(10^12 · D^10 / 2^640), computed by hand in bigint
    expect(b.exec(KIND_TRANSFER, A, transfer(B, 5000n), at(10))).toBeNull()
    const acctA = AccountCoder.decode(b.state.get(KEY_ACCOUNT + toHex(A)) as Uint8Array)
    expect(acctA).toEqual({ principal: pa - 5100n, referenceEpoch: 10 })
    expect(b.caesar.balanceOf(b.state, B, 10)).toBe(pb + 5000n)
    expect(readSupply(b.state).demurragePool).toBe(10n ** 12n - pa + 5n * 10n ** 11n - pb)
    expect(auditCaesar(b.state, 10)).toMatchObject({ holds: true, unsettledDecay: 0n })
  })

  it('overdraft refused with no change — also when the principal covers it but the decayed balance does not', () => {
    const b = makeBench()
    expectRefused(b, CaesarRule.Overdraft, () => b.exec(KIND_TRANSFER, A, transfer(B, 10n ** 12n - 99n), at(0)))
    expect(b.exec(KIND_TRANSFER, A, transfer(B, 10n ** 12n - 100n), at(0))).toBeNull() // exactly the balance
    expect(b.caesar.balanceOf(b.state, A, 0)).toBe(0n)
    expect(b.state.get(KEY_ACCOUNT + toHex(A))).toBeUndefined() // empty accounts are deleted
    const b2 = makeBench()
    expectRefused(b2, CaesarRule.Overdraft, () => b2.exec(KIND_TRANSFER, B, transfer(C, 5n * 10n ** 11n - 100n), at(8766)))
    expect(b2.exec(KIND_TRANSFER, B, transfer(C, 475n * 10n ** 9n - 101n), at(8766))).toBeNull() // 0.95 · 5·10^11 − 1 − fee
    expect(auditCaesar(b2.state).holds).toBe(true)
  })

  it('fee below the minimum, zero amount, self-transfer and malformed ops are refused with no change', () => {
    const b = makeBench()
    expectRefused(b, CaesarRule.FeeTooLow, () => b.exec(KIND_TRANSFER, A, transfer(B, 10n, 99n), at(0)))
    expectRefused(b, CaesarRule.ZeroAmount, () => b.exec(KIND_TRANSFER, A, transfer(B, 0n), at(0)))
    expectRefused(b, CaesarRule.SelfTransfer, () => b.exec(KIND_TRANSFER, A, transfer(A, 10n), at(0)))
    expectRefused(b, CaesarRule.Malformed, () => b.exec(KIND_TRANSFER, A, transfer(B, 10n).subarray(1), at(0)))
    expectRefused(b, CaesarRule.Malformed, () => b.exec(KIND_BURN, A, new Uint8Array(17), at(0)))
  })

  it('burn: destroys exactly, refuses overdraft', () => {
    const b = makeBench()
    expect(b.exec(KIND_BURN, B, BurnOpCoder.encode({ amount: 12345n }), at(0))).toBeNull()
    expect(readSupply(b.state).burned).toBe(12345n)
    expect(b.caesar.balanceOf(b.state, B, 0)).toBe(5n * 10n ** 11n - 12345n)
    expectRefused(b, CaesarRule.Overdraft, () => b.exec(KIND_BURN, C, BurnOpCoder.encode({ amount: 1n }), at(0)))
    expect(auditCaesar(b.state).holds).toBe(true)
  })

  it('settle: anyone settles any account; unknown accounts are a no-op', () => {
    const b = makeBench()
    expect(b.exec(KIND_SETTLE, C, SettleOpCoder.encode({ account: A }), at(100))).toBeNull()
    const pa = b.caesar.table.presentValue(10n ** 12n, 100)
    expect(AccountCoder.decode(b.state.get(KEY_ACCOUNT + toHex(A)) as Uint8Array)).toEqual({ principal: pa, referenceEpoch: 100 })
    expect(readSupply(b.state).demurragePool).toBe(10n ** 12n - pa)
    const h = caesarStateHash(b.state)
    expect(b.exec(KIND_SETTLE, C, SettleOpCoder.encode({ account: C }), at(100))).toBeNull()
    expect(toHex(caesarStateHash(b.state))).toBe(toHex(h))
    expect(auditCaesar(b.state, 100)).toMatchObject({ holds: true, presentValue: pa + b.caesar.table.presentValue(5n * 10n ** 11n, 100) })
  })

  it('a reference epoch in the future is refused with no change', () => {
    const b = makeBench()
    b.state.apply([[KEY_ACCOUNT + toHex(C), AccountCoder.encode({ principal: 10n, referenceEpoch: 50 })]])
    expectRefused(b, CaesarRule.FutureEpoch, () => b.exec(KIND_TRANSFER, A, transfer(C, 10n), at(49)))
    expectRefused(b, CaesarRule.FutureEpoch, () => b.exec(KIND_SETTLE, A, SettleOpCoder.encode({ account: C }), at(49)))
  })

  it('chargeFee (for other services): burn or fee pool, overdraft refused', () => {
    const b = makeBench()
    const child = new StateOverlay(b.state)
    b.caesar.chargeFee(child, at(0), A, 700n, 'burn')
    b.caesar.chargeFee(child, at(0), B, 300n, 'pool')
    b.state.apply(child.writeList())
    expect(readSupply(b.state)).toMatchObject({ burned: 700n, feePool: 300n })
    expect(() => b.caesar.chargeFee(new StateOverlay(b.state), at(0), C, 1n, 'burn')).toThrow(/overdraft/)
    expect(auditCaesar(b.state).holds).toBe(true)
  })

  it('caesarStateHash: equal states hash equal; any caesar/ change moves it; other keys do not', () => {
    const b1 = makeBench(); const b2 = makeBench()
    expect(toHex(caesarStateHash(b1.state))).toBe(toHex(caesarStateHash(b2.state)))
    b2.state.apply([['other/key', new Uint8Array([1])]])
    expect(toHex(caesarStateHash(b1.state))).toBe(toHex(caesarStateHash(b2.state)))
    expect(b1.exec(KIND_TRANSFER, A, transfer(B, 1n), at(0))).toBeNull()
    expect(toHex(caesarStateHash(b1.state))).not.toBe(toHex(caesarStateHash(b2.state)))
  })
})

describe('caesar conservation under random operations (fast-check, 100,000 operations)', () => {
  type Op =
    | { t: 'transfer', from: number, to: number, frac: number, fee: bigint }
    | { t: 'burn', from: number, frac: number }
    | { t: 'settle', who: number }
    | { t: 'fee', from: number, amount: bigint, burn: boolean }
    | { t: 'mint', to: number, amount: bigint }
    | { t: 'time', epochs: number }
  const N = 6
  const acct = fc.integer({ min: 0, max: N - 1 })
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ t: fc.constant('transfer' as const), from: acct, to: acct, frac: fc.double({ min: 0, max: 1.1, noNaN: true }), fee: fc.bigInt({ min: 90n, max: 5000n }) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('burn' as const), from: acct, frac: fc.double({ min: 0, max: 1.1, noNaN: true }) }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('settle' as const), who: acct }) },
    { weight: 1, arbitrary: fc.record({ t: fc.constant('fee' as const), from: acct, amount: fc.bigInt({ min: 0n, max: 1n << 40n }), burn: fc.boolean() }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('mint' as const), to: acct, amount: fc.bigInt({ min: 0n, max: 1n << 58n }) }) },
    { weight: 2, arbitrary: fc.record({ t: fc.constant('time' as const), epochs: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 20000 })) }) }
  )
  const accounts = Array.from({ length: N }, (_, i) => new Uint8Array(32).fill(i + 1))

  it('minted = Σ principal + demurrage pool + fee pool + burned after every operation; balances move exactly; refusals change nothing', () => {
    let total = 0
    fc.assert(fc.property(fc.array(op, { minLength: 1000, maxLength: 1000 }), (ops) => {
      const b = makeBench(defaultCaesarConfig({ genesisBalances: sortedBalances([[accounts[0], 1n << 50n], [accounts[1], 1n << 40n]]) }))
      let epoch = 0
      for (const o of ops) {
        total++
        const time = GENESIS_TIME + epoch * HOUR
        const bal = (i: number): bigint => b.caesar.balanceOf(b.state, accounts[i], epoch)
        const before = accounts.map((_, i) => bal(i))
        const supplyBefore = readSupply(b.state)
        let err: Error | null = null
        if (o.t === 'transfer') {
          const amount = BigInt(Math.floor(Number(before[o.from]) * o.frac))
          err = b.exec(KIND_TRANSFER, accounts[o.from], transfer(accounts[o.to], amount, o.fee), time)
          if (err === null) {
            expect(bal(o.from)).toBe(before[o.from] - amount - o.fee)
            expect(bal(o.to)).toBe(before[o.to] + amount)
            expect(readSupply(b.state).feePool - supplyBefore.feePool).toBe(o.fee)
          } else expect(['overdraft', 'fee-too-low', 'zero-amount', 'self-transfer']).toContain((err as unknown as { rule: string }).rule)
        } else if (o.t === 'burn') {
          const amount = BigInt(Math.floor(Number(before[o.from]) * o.frac))
          err = b.exec(KIND_BURN, accounts[o.from], BurnOpCoder.encode({ amount }), time)
          if (err === null) expect(readSupply(b.state).burned - supplyBefore.burned).toBe(amount)
        } else if (o.t === 'settle') {
          err = b.exec(KIND_SETTLE, accounts[0], SettleOpCoder.encode({ account: accounts[o.who] }), time)
        } else if (o.t === 'fee') {
          const child = new StateOverlay(b.state)
          try { b.caesar.chargeFee(child, time, accounts[o.from], o.amount, o.burn ? 'burn' : 'pool'); b.state.apply(child.writeList()) } catch (e) { err = e as Error }
        } else if (o.t === 'mint') {
          const child = new StateOverlay(b.state)
          b.caesar.creditVerified(child, time, accounts[o.to], o.amount)
          b.state.apply(child.writeList())
          expect(bal(o.to)).toBe(before[o.to] + o.amount)
        } else {
          epoch += o.epochs
          // Time passing changes no stored state; balances only decay.
          for (let i = 0; i < N; i++) expect(bal(i) <= before[i]).toBe(true)
        }
        if (err !== null) {
          for (let i = 0; i < N; i++) expect(bal(i)).toBe(before[i])
          expect(readSupply(b.state)).toEqual(supplyBefore)
        } else if (o.t !== 'time') {
          // Only the accounts the operation names change.
          const named = o.t === 'transfer' ? [o.from, o.to] : o.t === 'settle' ? [o.who] : o.t === 'mint' ? [o.to] : [o.from]
          for (let i = 0; i < N; i++) if (!named.includes(i)) expect(bal(i)).toBe(before[i])
        }
        const a = auditCaesar(b.state)
        expect(a.holds).toBe(true)
      }
      const end = auditCaesar(b.state, epoch)
      expect(end.holds && (end.unsettledDecay as bigint) >= 0n).toBe(true)
    }), { numRuns: 100 })
    expect(total).toBeGreaterThanOrEqual(100_000)
  }, 120_000)
})

describe('job-result mint arithmetic (pure; ledger wiring waits for ts/vm acceptance records)', () => {
  const h = (i: number): Uint8Array => new Uint8Array(32).fill(i)
  const ev = { jobId: h(1), worker: h(2), submitter: h(3), resultHash: h(4), acceptedResultHash: h(4), fuelUsed: 2_500_000n, budget: 10_000n }
  const c = defaultCaesarConfig()

  it('credit ∝ metered fuel (1 micro-credit per 1000 fuel), capped by the budget', () => {
    expect(jobResultCredit(ev, c)).toBe(2500n)
    expect(jobResultCredit({ ...ev, fuelUsed: 2_500_999n }, c)).toBe(2500n) // rounds down
    expect(jobResultCredit({ ...ev, budget: 700n }, c)).toBe(700n)
    expect(jobResultCredit({ ...ev, fuelUsed: 0n }, c)).toBe(0n)
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 1n << 62n }), fc.bigInt({ min: 0n, max: 1n << 70n }), (fuel, budget) => {
      const v = jobResultCredit({ ...ev, fuelUsed: fuel, budget }, c)
      expect(v).toBe(fuel / 1000n < budget ? fuel / 1000n : budget)
    }), { numRuns: 200 })
  })

  it('a non-matching result, a self-dealt job, or out-of-range numbers earn nothing (throw)', () => {
    expect(() => jobResultCredit({ ...ev, resultHash: h(5) }, c)).toThrow(/accepted/)
    expect(() => jobResultCredit({ ...ev, submitter: h(2) }, c)).toThrow(/self-dealing/)
    expect(() => jobResultCredit({ ...ev, fuelUsed: -1n }, c)).toThrow(/fuelUsed/)
    expect(() => jobResultCredit({ ...ev, jobId: new Uint8Array(3) }, c)).toThrow(/jobId/)
  })
})
