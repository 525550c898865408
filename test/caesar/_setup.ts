/** Shared fixtures: a real ts/ledger LedgerState with Caesar genesis entries and registered nodes, and a transaction runner. */
import { expect } from 'vitest'
import { Caesar, caesarGenesisState, defaultCaesarConfig, type CaesarConfig } from '../../ts/caesar/index.ts'
import { KEY_NODE, LedgerState, StateOverlay, encodeStanding, nodeIdOf, sha256, toHex, type Transaction } from '../../ts/ledger/index.ts'
import { testKeyPair } from '../fixtures/keys.ts'

export const GENESIS_TIME = 1_767_225_600_000
export const HOUR = 3_600_000
export const CHAIN = sha256(new TextEncoder().encode('caesar test chain'))
/** Registered nodes 0..3 (FALCON test keys); key 5 is not registered. */
export const keys = [0, 1, 2, 3, 5].map((i) => testKeyPair(i))
export const ids = keys.map((k) => nodeIdOf(k.publicKey))

export function sortedBalances (list: Array<[Uint8Array, bigint]>): CaesarConfig['genesisBalances'] {
  return list.map(([account, amount]) => ({ account, amount })).sort((a, b) => Buffer.compare(a.account, b.account))
}

export interface Bench {
  caesar: Caesar
  state: LedgerState
  /** Runs one transaction like the ledger does (all-or-nothing); returns the error or null. */
  exec: (kind: string, sender: Uint8Array, op: Uint8Array, time: number) => Error | null
}

export function makeBench (config: CaesarConfig = defaultCaesarConfig({ genesisBalances: sortedBalances([[ids[0], 10n ** 12n], [ids[1], 5n * 10n ** 11n]]) })): Bench {
  const state = LedgerState.fromEntries([
    ...caesarGenesisState(config),
    ...keys.slice(0, 4).map((k, i) => [KEY_NODE + toHex(ids[i]), encodeStanding({ publicKey: k.publicKey, stake: 10, authority: 0, permissions: 0 })] as const)
  ])
  const caesar = new Caesar(config, { genesisTime: GENESIS_TIME, genesisHash: CHAIN })
  const handlers = caesar.handlers()
  const exec = (kind: string, sender: Uint8Array, op: Uint8Array, time: number): Error | null => {
    const tx: Transaction = { kind, sender, sequence: 1, op, proof: new Uint8Array(0) }
    const child = new StateOverlay(state)
    try {
      handlers[kind]({ height: 1, time, tx, txHash: new Uint8Array(32), state: child })
    } catch (err) {
      return err as Error
    }
    state.apply(child.writeList())
    return null
  }
  return { caesar, state, exec }
}

/** Expects `fn` to be refused under `rule` with no change to the state root. */
export function expectRefused (b: Bench, rule: string, fn: () => Error | null): void {
  const before = b.state.root()
  const err = fn()
  expect(err, `expected rule ${rule}`).not.toBeNull()
  expect((err as { rule?: string }).rule, (err as Error).message).toBe(rule)
  expect((err as Error).name).toBe('TxRejectedError')
  expect(toHex(b.state.root())).toBe(toHex(before))
}
