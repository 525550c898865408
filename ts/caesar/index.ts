/**
 * Caesar: bigint micro-credits minted only for verified work, exact lazy
 * demurrage (a fixed-point per-epoch factor from the genesis, evaluated as
 * the exact floor of principal · factor^epochs), and the conservation
 * invariant minted = Σ principal + demurrage pool + fee pool + burned,
 * checked by `auditCaesar` over any ledger state.
 *
 * @example
 * ```ts
 * import { defaultCaesarConfig, caesarGenesisStateJson, registerCaesar, TransferOpCoder, auditCaesar } from './ts/caesar/index.ts'
 * const config = defaultCaesarConfig({ genesisBalances: [{ account: aliceId, amount: 5_000_000n }] })
 * const genesis = parseGenesis({ ...json, state: caesarGenesisStateJson(config) })
 * const ledger = await Ledger.open({ genesis, store: new MemoryBlockStore(), verifier })
 * const caesar = registerCaesar(ledger)
 * // a tx { kind: 'caesar.transfer', op: TransferOpCoder.encode({ to: bobId, amount: 1_000n, fee: 100n }) } ...
 * caesar.balanceOf(ledger.stateReader, bobId, caesar.epochOf(ledger.lastBlock.time))
 * auditCaesar(ledger.stateReader).holds // true
 * ```
 * @module
 */
export * from './constants.ts'
export * from './errors.ts'
export { DecayTable, epochAt, presentValue } from './demurrage.ts'
export {
  amount, epoch, nodeId, AccountCoder, SupplyCoder, ReceiptCoder, TransferOpCoder, BurnOpCoder, SettleOpCoder, MintOpCoder
} from './codec.ts'
export type { Account, Supply, Receipt, SignedReceipt, TransferOp, BurnOp, SettleOp, MintOp } from './codec.ts'
export {
  defaultCaesarConfig, configProblem, CaesarConfigCoder, encodeCaesarConfig, decodeCaesarConfig, caesarGenesisState, caesarGenesisStateJson
} from './config.ts'
export type { CaesarConfig, Rate, GenesisBalance } from './config.ts'
export { receiptMessage, receiptId, signReceipt, verifyReceipt, receiptCredit, jobResultCredit } from './mint.ts'
export type { MintEvent, JobResultEvent } from './mint.ts'
export { Caesar, readAccount, readSupply } from './machine.ts'
export type { CaesarChain, AccountView } from './machine.ts'
export { auditCaesar, caesarStateHash } from './audit.ts'
export type { CaesarAudit, CaesarStateSource, CaesarStateInput } from './audit.ts'
export { registerCaesar, CAESAR_WORK_KINDS } from './register.ts'
