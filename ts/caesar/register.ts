/** Wiring Caesar onto a ts/ledger Ledger. */
import type { Ledger } from '../ledger/ledger.ts'
import { bytesEqual } from '../ledger/hash.ts'
import { CaesarConfigError } from './errors.ts'
import { configProblem, decodeCaesarConfig, encodeCaesarConfig, type CaesarConfig } from './config.ts'
import { KEY_CONFIG, KIND_BURN, KIND_MINT, KIND_SETTLE, KIND_TRANSFER } from './constants.ts'
import { Caesar } from './machine.ts'

/** ts/proofs WorkKind per Caesar transaction kind (Modify for balance changes, Delete for burns, Network for receipt mints). */
export const CAESAR_WORK_KINDS: Readonly<Record<string, number>> = Object.freeze({
  [KIND_TRANSFER]: 1,
  [KIND_BURN]: 2,
  [KIND_MINT]: 5,
  [KIND_SETTLE]: 1
})

/**
 * Registers the Caesar handlers (`caesar.transfer`, `caesar.burn`,
 * `caesar.mint`, `caesar.settle`) on `ledger` and returns the Caesar bound to
 * its chain. The config is the one in the ledger's genesis state
 * (`caesar/config`, put there with `caesarGenesisStateJson`); a `config`
 * argument must equal it byte for byte. Throws CaesarConfigError otherwise.
 */
export function registerCaesar (ledger: Ledger, config?: CaesarConfig): Caesar {
  const stored = ledger.stateReader.get(KEY_CONFIG)
  if (stored === undefined) throw new CaesarConfigError('the ledger state has no caesar/config: add caesarGenesisStateJson(config) to the genesis state')
  let chainConfig: CaesarConfig
  try { chainConfig = decodeCaesarConfig(stored) } catch (err) { throw new CaesarConfigError('caesar/config in the ledger state does not decode', { cause: err }) }
  if (config !== undefined) {
    const p = configProblem(config)
    if (p !== undefined) throw new CaesarConfigError(p)
    if (!bytesEqual(encodeCaesarConfig(config), stored)) throw new CaesarConfigError('the given Caesar config differs from the one in the genesis')
  }
  const caesar = new Caesar(chainConfig, { genesisTime: ledger.genesis.genesisTime, genesisHash: ledger.genesis.hash })
  for (const [kind, fn] of Object.entries(caesar.handlers())) ledger.registerHandler(kind, fn, { workKind: CAESAR_WORK_KINDS[kind] })
  return caesar
}
