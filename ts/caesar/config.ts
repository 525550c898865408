/**
 * The Caesar genesis config: the consensus constants every replica must
 * share (decay factor, epoch length, fee, mint rates) and the genesis
 * balances. It lives in the ledger's genesis state under `caesar/config`
 * (so the genesis hash commits to it); `registerCaesar` refuses a config
 * that differs from the one there.
 *
 * Encoding: "hmcaesar" ‖ u8 1 ‖ amount decayNumerator ‖ u8 decayFractionBits
 *   ‖ u64 epochMs ‖ amount transferFee ‖ rate memory ‖ rate relay ‖ rate fuel
 *   ‖ u32 receiptWindowEpochs ‖ vector(account[32] ‖ amount, 4096) genesisBalances
 * where rate = u64 numerator ‖ u64 denominator (micro-credits per byte or per fuel unit).
 */
import { InvalidArgumentError } from '../errors.ts'
import { b64encode } from '../ledger/genesis.ts'
import { compareBytes, toHex } from '../ledger/hash.ts'
import type { StateEntry } from '../ledger/state.ts'
import { decodeCanonical, encodeCanonical, literal, magic, struct, transform, u32, u64, u8, vector, type Coder } from '../wire/index.ts'
import { AccountCoder, SupplyCoder, amount, nodeId } from './codec.ts'
import {
  DECAY_FRACTION_BITS, DEFAULT_DECAY_Q64, DEFAULT_EPOCH_MS, KEY_ACCOUNT, KEY_CONFIG, KEY_SUPPLY, MAX_AMOUNT, MAX_GENESIS_BALANCES
} from './constants.ts'
import { CaesarConfigError } from './errors.ts'

/** A rational rate: micro-credits = floor(units · numerator / denominator). */
export interface Rate { numerator: bigint, denominator: bigint }

export interface GenesisBalance { account: Uint8Array, amount: bigint }

export interface CaesarConfig {
  /** Per-epoch retention factor D / 2^decayFractionBits (D odd, or exactly 2^bits for no demurrage). */
  decayNumerator: bigint
  decayFractionBits: number
  /** Epoch length in ms of block time; epoch 0 starts at the genesis time. */
  epochMs: number
  /** Smallest fee a transfer pays (into the fee pool). */
  transferFee: bigint
  /** Credit per byte of memory served (receipt kind 1). */
  memoryRate: Rate
  /** Credit per byte relayed (receipt kind 2). */
  relayRate: Rate
  /** Credit per unit of metered fuel of an accepted job result. */
  fuelRate: Rate
  /** A receipt is accepted only within this many epochs after the one it names. */
  receiptWindowEpochs: number
  /** Balances at epoch 0, counted as minted (sorted by account, no duplicates). */
  genesisBalances: GenesisBalance[]
}

/**
 * The default constants: 5 %/year demurrage with one-hour epochs (see
 * DEFAULT_DECAY_Q64), a transfer fee of 100 micro-credits, 1 micro-credit
 * per KiB of memory served and per 4 KiB relayed, 1 micro-credit per 1000
 * units of fuel, receipts valid for 24 epochs.
 */
export function defaultCaesarConfig (overrides: Partial<CaesarConfig> = {}): CaesarConfig {
  return {
    decayNumerator: DEFAULT_DECAY_Q64,
    decayFractionBits: DECAY_FRACTION_BITS,
    epochMs: DEFAULT_EPOCH_MS,
    transferFee: 100n,
    memoryRate: { numerator: 1n, denominator: 1024n },
    relayRate: { numerator: 1n, denominator: 4096n },
    fuelRate: { numerator: 1n, denominator: 1000n },
    receiptWindowEpochs: 24,
    genesisBalances: [],
    ...overrides
  }
}

/** Returns the reason `c` is not a valid config, or undefined. */
export function configProblem (c: CaesarConfig): string | undefined {
  if (c === null || typeof c !== 'object') return 'config must be an object'
  const q = c.decayFractionBits
  if (!Number.isInteger(q) || q < 8 || q > 120) return 'decayFractionBits must be an integer in [8, 120]'
  const one = 1n << BigInt(q)
  const d = c.decayNumerator
  if (typeof d !== 'bigint' || d <= 0n || d > one) return 'decayNumerator must be in (0, 2^decayFractionBits]'
  if (d !== one && (d & 1n) === 0n) return 'decayNumerator must be odd (or exactly 2^decayFractionBits for no demurrage)'
  if (!Number.isSafeInteger(c.epochMs) || c.epochMs < 1) return 'epochMs must be a positive safe integer'
  if (typeof c.transferFee !== 'bigint' || c.transferFee < 0n || c.transferFee > MAX_AMOUNT) return 'transferFee must be an amount'
  for (const [name, r] of [['memoryRate', c.memoryRate], ['relayRate', c.relayRate], ['fuelRate', c.fuelRate]] as const) {
    if (r === null || typeof r !== 'object' || typeof r.numerator !== 'bigint' || typeof r.denominator !== 'bigint') return `${name} must be {numerator, denominator} bigints`
    if (r.numerator < 0n || r.numerator >= 1n << 64n || r.denominator < 1n || r.denominator >= 1n << 64n) return `${name}: numerator in [0, 2^64), denominator in [1, 2^64)`
  }
  if (!Number.isInteger(c.receiptWindowEpochs) || c.receiptWindowEpochs < 0 || c.receiptWindowEpochs > 0xffffffff) return 'receiptWindowEpochs must be a u32'
  if (!Array.isArray(c.genesisBalances) || c.genesisBalances.length > MAX_GENESIS_BALANCES) return `genesisBalances must be an array of at most ${MAX_GENESIS_BALANCES}`
  let total = 0n
  for (let i = 0; i < c.genesisBalances.length; i++) {
    const g = c.genesisBalances[i]
    if (!(g.account instanceof Uint8Array) || g.account.length !== 32) return `genesisBalances[${i}].account must be a 32-byte NodeId`
    if (typeof g.amount !== 'bigint' || g.amount <= 0n) return `genesisBalances[${i}].amount must be a positive bigint`
    if (i > 0 && compareBytes(c.genesisBalances[i - 1].account, g.account) >= 0) return 'genesisBalances must be sorted by account without duplicates'
    total += g.amount
  }
  if (total > MAX_AMOUNT) return 'genesis balances exceed 2^128 - 1'
  return undefined
}

const rate = struct({ numerator: u64, denominator: u64 }, 'Rate')
const CONFIG_MAGIC = new TextEncoder().encode('hmcaesar')

/** Canonical config coder; decode rejects any config `configProblem` rejects. */
export const CaesarConfigCoder: Coder<CaesarConfig> = magic(CONFIG_MAGIC, transform(
  struct({
    version: literal(u8, 1),
    decayNumerator: amount,
    decayFractionBits: u8,
    epochMs: u64,
    transferFee: amount,
    memoryRate: rate,
    relayRate: rate,
    fuelRate: rate,
    receiptWindowEpochs: u32,
    genesisBalances: vector(struct({ account: nodeId, amount }, 'GenesisBalance'), MAX_GENESIS_BALANCES)
  }, 'CaesarConfig'),
  (c: CaesarConfig) => {
    const p = configProblem(c)
    if (p !== undefined) throw new InvalidArgumentError(p)
    return { version: 1 as const, ...c, epochMs: BigInt(c.epochMs) }
  },
  (s) => {
    const c: CaesarConfig = {
      decayNumerator: s.decayNumerator,
      decayFractionBits: s.decayFractionBits,
      epochMs: s.epochMs > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(s.epochMs),
      transferFee: s.transferFee,
      memoryRate: s.memoryRate,
      relayRate: s.relayRate,
      fuelRate: s.fuelRate,
      receiptWindowEpochs: s.receiptWindowEpochs,
      genesisBalances: s.genesisBalances
    }
    const p = configProblem(c)
    if (p !== undefined) throw new InvalidArgumentError(p)
    return c
  },
  'CaesarConfig'))

export function encodeCaesarConfig (c: CaesarConfig): Uint8Array { return encodeCanonical(CaesarConfigCoder, c) }
export function decodeCaesarConfig (b: Uint8Array): CaesarConfig { return decodeCanonical(CaesarConfigCoder, b) }

/**
 * State entries a genesis must contain for Caesar: the config, the genesis
 * balances (principal at epoch 0) and the supply (minted = their sum).
 */
export function caesarGenesisState (c: CaesarConfig): StateEntry[] {
  const p = configProblem(c)
  if (p !== undefined) throw new CaesarConfigError(p)
  const entries: StateEntry[] = [[KEY_CONFIG, encodeCaesarConfig(c)]]
  let minted = 0n
  for (const g of c.genesisBalances) {
    entries.push([KEY_ACCOUNT + toHex(g.account), AccountCoder.encode({ principal: g.amount, referenceEpoch: 0 })])
    minted += g.amount
  }
  entries.push([KEY_SUPPLY, SupplyCoder.encode({ minted, burned: 0n, feePool: 0n, demurragePool: 0n })])
  return entries
}

/** The same entries in the genesis JSON `state` shape ({key, value: base64}). */
export function caesarGenesisStateJson (c: CaesarConfig): Array<{ key: string, value: string }> {
  return caesarGenesisState(c).map(([key, value]) => ({ key, value: b64encode(value) }))
}
