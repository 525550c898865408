import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { DecayTable, epochAt, presentValue } from '../../ts/caesar/demurrage.ts'
import { DEFAULT_DECAY_Q64, EPOCHS_PER_YEAR } from '../../ts/caesar/constants.ts'

const D = DEFAULT_DECAY_Q64
const table = new DecayTable(D, 64)
/** Exact floor(p · (D/2^64)^n), straight from the definition (small n only). */
const exact = (p: bigint, n: number, d = D, q = 64n): bigint => (p * d ** BigInt(n)) >> (q * BigInt(n))

/**
 * Independent high-precision reference: decimal fixed point at 10^-90,
 * left-to-right square-and-multiply, round-to-nearest (a different scale,
 * order and rounding from the implementation). ≥ 80 correct digits.
 */
const S = 10n ** 90n
const fDec = (D * S + (1n << 63n)) >> 64n
function refPower (n: number): bigint {
  let acc = S
  for (const bit of n.toString(2)) {
    acc = (acc * acc + S / 2n) / S
    if (bit === '1') acc = (acc * fDec + S / 2n) / S
  }
  return acc
}

describe('demurrage: exact known answers', () => {
  it('1, 2, 4, 2^10 epochs and one year (8766 epochs) for 1,000,000 credits, computed by hand in bigint', () => {
    const p = 10n ** 12n
    const known: Array<[number, bigint]> = [[1, 999994148626n], [2, 999988297286n], [4, 999976594709n], [1024, 994026090693n], [8766, 949999999999n], [65536, 681487910759n]]
    for (const [n, v] of known) {
      expect(table.presentValue(p, n)).toBe(v)
      expect(exact(p, n)).toBe(v)
    }
  })

  it('2^58 micro-credits over 1, 2 and 8766 epochs', () => {
    const p = 1n << 58n
    expect(table.presentValue(p, 1)).toBe(288228689607988135n)
    expect(table.presentValue(p, 2)).toBe(288227003074133125n)
    expect(table.presentValue(p, 8766)).toBe(273818857344125972n)
    expect(table.presentValue(p, 1)).toBe((p * D) >> 64n)
    expect(table.presentValue(p, 2)).toBe((p * D * D) >> 128n)
  })

  it('2^k epochs for k ≤ 12 equal floor(p·D^(2^k) / 2^(64·2^k))', () => {
    const p = 123456789012345678901234567n
    for (let k = 0; k <= 12; k++) expect(table.presentValue(p, 2 ** k)).toBe(exact(p, 2 ** k))
  })

  it('2^20 epochs of 2^58 against a 120-digit decimal value (623835730857981.01…)', () => {
    expect(table.presentValue(1n << 58n, 2 ** 20)).toBe(623835730857981n)
    expect(table.presentValue(1n << 58n, 2 ** 26 - 1)).toBe(0n) // 8.3e-154
  })

  it('the constant is 5 % a year: D^8766 / 2^(64·8766) = 0.9499999999999993…', () => {
    expect(EPOCHS_PER_YEAR).toBe(8766)
    const scaled = exact(10n ** 30n, EPOCHS_PER_YEAR) // floor(10^30 · f^8766)
    expect(scaled).toBe(949999999999999359213395967118n)
    expect(table.presentValue(10n ** 30n, EPOCHS_PER_YEAR)).toBe(scaled)
  })

  it('no demurrage (D = 2^Q) keeps every balance', () => {
    const flat = new DecayTable(1n << 64n, 64)
    expect(flat.presentValue(987654321n, 12345)).toBe(987654321n)
  })

  it('argument checks throw typed errors', () => {
    expect(() => table.presentValue(-1n, 1)).toThrow(/principal/)
    expect(() => table.presentValue(1n << 128n, 1)).toThrow(/principal/)
    expect(() => table.presentValue(1n, -1)).toThrow(/epochs/)
    expect(() => table.presentValue(1n, 2 ** 48)).toThrow(/epochs/)
    expect(() => presentValue(table, 1n, 5, 4)).toThrow(/from/)
    expect(() => new DecayTable(0n, 64)).toThrow(/numerator/)
    expect(() => new DecayTable((1n << 64n) + 1n, 64)).toThrow(/numerator/)
    expect(() => new DecayTable(D, 64, { basePrecisionBits: 32 })).toThrow(/basePrecisionBits/)
  })

  it('epochAt: floor((t - genesis) / epochMs), 0 before genesis', () => {
    expect(epochAt(1000, 1000, 3_600_000)).toBe(0)
    expect(epochAt(1000 + 3_600_000 - 1, 1000, 3_600_000)).toBe(0)
    expect(epochAt(1000 + 3_600_000, 1000, 3_600_000)).toBe(1)
    expect(epochAt(0, 1000, 3_600_000)).toBe(0)
    expect(() => epochAt(1, 0, 0)).toThrow()
  })
})

describe('demurrage: properties', () => {
  it('equals the exact definition floor(p·f^n) for any p < 2^128 and n ≤ 300 (fast-check)', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: 0, max: 300 }), (p, n) => {
      expect(table.presentValue(p, n)).toBe(exact(p, n))
    }), { numRuns: 400 })
  })

  it('within 1 micro-credit of an independent 90-digit reference for p ≤ 2^58, n < 2^26 (fast-check)', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 1n << 58n }), fc.integer({ min: 0, max: 2 ** 26 - 1 }), (p, n) => {
      const ref = p * refPower(n) // p · f^n · 10^90
      const v = table.presentValue(p, n)
      expect(v * S <= ref + S / 10n ** 60n).toBe(true) // never above the true value (up to the reference's error)
      expect(ref - v * S < S + S / 10n ** 60n).toBe(true) // less than one micro-credit below it
      expect(v).toBe(ref / S) // in fact the exact floor
    }), { numRuns: 150 })
  })

  it('settling at every step never beats settling once, and k settlements lose less than k (fast-check)', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 1n << 100n }), fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 40 }), (p, steps) => {
      let often = p; let total = 0
      for (const s of steps) { often = table.presentValue(often, s); total += s }
      const once = table.presentValue(p, total)
      expect(often <= once).toBe(true)
      expect(once - often <= BigInt(steps.length)).toBe(true)
    }), { numRuns: 300 })
  })

  it('settling at every single epoch ≤ settling once over the span', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 1n << 64n }), fc.integer({ min: 1, max: 400 }), (p, n) => {
      let often = p
      for (let i = 0; i < n; i++) often = table.presentValue(often, 1)
      const once = table.presentValue(p, n)
      expect(often <= once && once - often <= BigInt(n)).toBe(true)
    }), { numRuns: 60 })
  })

  it('rounding never favours a holder: never above p·f^n, never above p, monotone in p and n', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 1n << 80n }), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 200 }), (p, n, m) => {
      const v = table.presentValue(p, n)
      expect(v * (1n << (64n * BigInt(n))) <= p * D ** BigInt(n)).toBe(true)
      expect(v <= p).toBe(true)
      expect(table.presentValue(p + 1n, n) >= v).toBe(true)
      expect(table.presentValue(p, n + m) <= v).toBe(true)
    }), { numRuns: 200 })
  })

  it('a bracket that straddles an integer is refined to the exact floor (forced with a low base precision)', () => {
    const coarse = new DecayTable(D, 64, { basePrecisionBits: 64 })
    fc.assert(fc.property(fc.bigInt({ min: 1n << 100n, max: (1n << 128n) - 1n }), fc.integer({ min: 2, max: 120 }), (p, n) => {
      expect(coarse.presentValue(p, n)).toBe(exact(p, n))
    }), { numRuns: 200 })
    expect(coarse.refinements).toBeGreaterThan(0)
  })

  it('small-Q factors are exact too (D = 255 / 2^8, a steep 0.4 % per epoch)', () => {
    const steep = new DecayTable(255n, 8, { basePrecisionBits: 64 })
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: 0, max: 400 }), (p, n) => {
      expect(steep.presentValue(p, n)).toBe(exact(p, n, 255n, 8n))
    }), { numRuns: 300 })
  })
})
