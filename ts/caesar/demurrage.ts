/**
 * Exact lazy demurrage. The per-epoch retention factor is the rational
 * f = D / 2^Q (D an odd consensus constant from the genesis, Q its fraction
 * bits). The present value of `p` micro-credits after `n` epochs is defined
 * as exactly
 *
 *     presentValue(p, n) = floor(p · f^n)
 *
 * and evaluated by binary exponentiation over a table of f^(2^i): two chains
 * of table products, one rounding every multiplication down and one rounding
 * every multiplication up, bracket p·f^n; when both give the same integer
 * part that integer is the answer. A bracket that straddles an integer
 * (rare: it needs p·f^n within ~2^-100 of an integer) is recomputed with a
 * table at twice the precision. Because the result is the exact floor,
 * rounding never favours a holder and settling more often never helps:
 * floor(floor(p·f^a)·f^b) ≤ floor(p·f^(a+b)), each settlement losing less
 * than one micro-credit.
 *
 * The tables are derived from D by integer squaring only (no floats), once
 * per precision, and cached.
 */
import { InvalidArgumentError } from '../errors.ts'
import { BASE_PRECISION_BITS, MAX_AMOUNT, MAX_PRECISION_BITS, TABLE_BITS } from './constants.ts'

interface Bounds { lo: bigint[], hi: bigint[] }

function ceilShift (x: bigint, bits: bigint): bigint {
  const q = x >> bits
  return (q << bits) === x ? q : q + 1n
}

/** The demurrage schedule of one chain: factor D/2^Q and its power tables. */
export class DecayTable {
  readonly numerator: bigint
  readonly fractionBits: number
  /** First working precision tried (BASE_PRECISION_BITS; lower only to exercise refinement in tests). */
  readonly basePrecisionBits: number
  private readonly tables = new Map<number, Bounds>()

  constructor (numerator: bigint, fractionBits: number, opts: { basePrecisionBits?: number } = {}) {
    if (!Number.isInteger(fractionBits) || fractionBits < 8 || fractionBits > 256) throw new InvalidArgumentError('decay fractionBits must be an integer in [8, 256]')
    if (typeof numerator !== 'bigint' || numerator <= 0n || numerator > (1n << BigInt(fractionBits))) throw new InvalidArgumentError('decay numerator must be a bigint in (0, 2^fractionBits]')
    this.numerator = numerator
    this.fractionBits = fractionBits
    const base = opts.basePrecisionBits ?? BASE_PRECISION_BITS
    if (!Number.isInteger(base) || base < fractionBits || base > MAX_PRECISION_BITS) throw new InvalidArgumentError('basePrecisionBits must be in [fractionBits, MAX_PRECISION_BITS]')
    this.basePrecisionBits = base
    this.table(base)
  }

  /**
   * Lower and upper bounds of f^(2^i) · 2^P for i < TABLE_BITS, by repeated
   * squaring with directed rounding (exact for i = 0).
   */
  table (precisionBits: number): Readonly<Bounds> {
    let t = this.tables.get(precisionBits)
    if (t === undefined) {
      if (precisionBits < this.fractionBits) throw new InvalidArgumentError('precision below the factor\'s fraction bits')
      const P = BigInt(precisionBits)
      const one = 1n << P
      const first = this.numerator << BigInt(precisionBits - this.fractionBits)
      const lo = [first]; const hi = [first]
      for (let i = 1; i < TABLE_BITS; i++) {
        lo.push((lo[i - 1] * lo[i - 1]) >> P)
        const h = ceilShift(hi[i - 1] * hi[i - 1], P)
        hi.push(h > one ? one : h)
      }
      t = { lo, hi }
      this.tables.set(precisionBits, t)
    }
    return t
  }

  /** Refinements done so far (brackets that straddled an integer). */
  refinements = 0

  /** The powers-of-two table at the base precision (lower bounds of f^(2^i) · 2^basePrecisionBits). */
  get powersOfTwo (): readonly bigint[] { return this.table(this.basePrecisionBits).lo }

  /** floor(principal · f^epochs), exactly. */
  presentValue (principal: bigint, epochs: number): bigint {
    if (typeof principal !== 'bigint' || principal < 0n || principal > MAX_AMOUNT) throw new InvalidArgumentError('principal must be a bigint in [0, 2^128)')
    if (!Number.isSafeInteger(epochs) || epochs < 0 || epochs >= 2 ** TABLE_BITS) throw new InvalidArgumentError(`epochs must be an integer in [0, 2^${TABLE_BITS})`)
    if (principal === 0n || epochs === 0) return principal
    const n = BigInt(epochs)
    let result: bigint | undefined
    for (let P = this.basePrecisionBits; P <= MAX_PRECISION_BITS; P *= 2) {
      const { lo: tlo, hi: thi } = this.table(P)
      const Pb = BigInt(P)
      let lo = principal << Pb
      let hi = lo
      for (let i = 0; i < TABLE_BITS && (n >> BigInt(i)) !== 0n; i++) {
        if (((n >> BigInt(i)) & 1n) === 0n) continue
        lo = (lo * tlo[i]) >> Pb
        hi = ceilShift(hi * thi[i], Pb)
      }
      const a = lo >> Pb
      if (a === (hi >> Pb)) return a
      result = a
      this.refinements++
    }
    // Not resolved at the highest precision (never observed; needs p·f^n
    // within 2^-12000 of an integer): the lower bound, identical on every
    // replica and never above the exact value.
    return result as bigint
  }
}

/** Epoch of a block time: floor((time - genesisTime) / epochMs), never negative. */
export function epochAt (timeMs: number, genesisTimeMs: number, epochMs: number): number {
  if (!Number.isSafeInteger(timeMs) || !Number.isSafeInteger(genesisTimeMs) || !Number.isSafeInteger(epochMs) || epochMs <= 0) throw new InvalidArgumentError('epochAt: integer times and a positive epoch length required')
  return timeMs <= genesisTimeMs ? 0 : Math.floor((timeMs - genesisTimeMs) / epochMs)
}

/** Present value of `principal` referenced at `fromEpoch`, seen at `toEpoch` (≥ fromEpoch). */
export function presentValue (table: DecayTable, principal: bigint, fromEpoch: number, toEpoch: number): bigint {
  if (!Number.isSafeInteger(fromEpoch) || !Number.isSafeInteger(toEpoch) || fromEpoch < 0 || toEpoch < fromEpoch) throw new InvalidArgumentError(`presentValue: epochs must satisfy 0 ≤ from (${fromEpoch}) ≤ to (${toEpoch})`)
  return table.presentValue(principal, toEpoch - fromEpoch)
}
