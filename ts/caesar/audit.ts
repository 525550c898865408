/**
 * The conservation audit anyone can run over a ledger state, and the Caesar
 * state hash (a digest of every `caesar/` entry) to compare between replicas
 * block by block.
 */
import { sha256 } from '../ledger/hash.ts'
import type { StateEntry, StateReader } from '../ledger/state.ts'
import { Writer, utf8, varBytes } from '../wire/index.ts'
import { AccountCoder, SupplyCoder } from './codec.ts'
import { decodeCaesarConfig } from './config.ts'
import { CAESAR_PREFIX, KEY_ACCOUNT, KEY_CONFIG, KEY_SUPPLY, STATE_HASH_DOMAIN } from './constants.ts'
import { DecayTable } from './demurrage.ts'
import { CaesarConfigError } from './errors.ts'

/** A state that can list its keys (ts/ledger LedgerState is one). */
export interface CaesarStateSource extends StateReader {
  keys: () => Iterable<string>
}

/** A listable state, or its entries (e.g. `ledger.snapshotEntries()`). */
export type CaesarStateInput = CaesarStateSource | readonly StateEntry[]

function sourceOf (input: CaesarStateInput): CaesarStateSource {
  if (!Array.isArray(input)) return input as CaesarStateSource
  const m = new Map<string, Uint8Array>()
  for (const [k, v] of input as readonly StateEntry[]) if (k.startsWith(CAESAR_PREFIX)) m.set(k, v)
  return { get: (k) => m.get(k), keys: () => m.keys() }
}

export interface CaesarAudit {
  minted: bigint
  burned: bigint
  feePool: bigint
  demurragePool: bigint
  /** Σ stored principal over all accounts. */
  principal: bigint
  accounts: number
  /** minted === principal + demurragePool + feePool + burned */
  holds: boolean
  /** Σ present value at `epoch` (when asked for), and the decay not yet settled. */
  epoch?: number
  presentValue?: bigint
  unsettledDecay?: bigint
}

/**
 * Recomputes Σ principal from every account entry and checks it against the
 * supply totals. With `atEpoch`, also the present value of all balances
 * (using the decay factor from the state's own `caesar/config`).
 */
export function auditCaesar (input: CaesarStateInput, atEpoch?: number): CaesarAudit {
  const state = sourceOf(input)
  const supplyBytes = state.get(KEY_SUPPLY)
  if (supplyBytes === undefined) throw new CaesarConfigError('state has no caesar/supply')
  const supply = SupplyCoder.decode(supplyBytes)
  let table: DecayTable | undefined
  if (atEpoch !== undefined) {
    const cb = state.get(KEY_CONFIG)
    if (cb === undefined) throw new CaesarConfigError('state has no caesar/config')
    const c = decodeCaesarConfig(cb)
    table = new DecayTable(c.decayNumerator, c.decayFractionBits)
  }
  let principal = 0n; let pv = 0n; let accounts = 0
  for (const key of state.keys()) {
    if (!key.startsWith(KEY_ACCOUNT)) continue
    const a = AccountCoder.decode(state.get(key) as Uint8Array)
    principal += a.principal
    accounts++
    if (table !== undefined && atEpoch !== undefined) pv += a.referenceEpoch <= atEpoch ? table.presentValue(a.principal, atEpoch - a.referenceEpoch) : a.principal
  }
  const holds = supply.minted === principal + supply.demurragePool + supply.feePool + supply.burned
  const out: CaesarAudit = { ...supply, principal, accounts, holds }
  if (atEpoch !== undefined) { out.epoch = atEpoch; out.presentValue = pv; out.unsettledDecay = principal - pv }
  return out
}

const KEY = utf8(256)
const VALUE = varBytes(1 << 20)

/**
 * SHA-256(utf8(domain) ‖ for every `caesar/` key in byte order: utf8(key) ‖ varBytes(value)),
 * where utf8/varBytes are ts/wire's uvarint-length-prefixed coders.
 */
export function caesarStateHash (input: CaesarStateInput): Uint8Array {
  const state = sourceOf(input)
  const keys = [...state.keys()].filter((k) => k.startsWith(CAESAR_PREFIX)).sort()
  const w = new Writer(4096)
  KEY.write(w, STATE_HASH_DOMAIN)
  for (const k of keys) { KEY.write(w, k); VALUE.write(w, state.get(k) as Uint8Array) }
  return sha256(w.finish())
}
