/** Caesar's typed errors. */
import { TxRejectedError } from '../ledger/ledger.ts'

/** Why a Caesar transaction was refused (stable, for tests and clients). */
export const CaesarRule = Object.freeze({
  Malformed: 'malformed',
  Overdraft: 'overdraft',
  FeeTooLow: 'fee-too-low',
  ZeroAmount: 'zero-amount',
  SelfTransfer: 'self-transfer',
  SelfDealing: 'self-dealing',
  BadSignature: 'bad-signature',
  UnknownCounterparty: 'unknown-counterparty',
  Replay: 'replay',
  FutureEpoch: 'future-epoch',
  StaleReceipt: 'stale-receipt',
  WrongProvider: 'wrong-provider',
  Unsupported: 'unsupported',
  Overflow: 'overflow'
} as const)
export type CaesarRule = typeof CaesarRule[keyof typeof CaesarRule]

/**
 * A Caesar rule refused the transaction. It is a ledger TxRejectedError
 * (same `name`, so the ledger drops the transaction and keeps no write);
 * `rule` says which rule, `caesar` marks it as Caesar's.
 */
export class CaesarRuleError extends TxRejectedError {
  readonly caesar = true
  readonly rule: CaesarRule
  constructor (rule: CaesarRule, message: string, options?: ErrorOptions) {
    super(`${rule}: ${message}`, options)
    this.rule = rule
  }
}

/** The Caesar config is invalid or does not match the one in the genesis state. */
export class CaesarConfigError extends Error {
  static override readonly name = 'CaesarConfigError'
  override readonly name = 'CaesarConfigError'
  constructor (message: string, options?: ErrorOptions) { super(message, options) }
}
