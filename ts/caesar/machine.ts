/**
 * The Caesar state machine: accounts {principal, referenceEpoch} keyed by
 * NodeId, the supply totals, and the transaction handlers. Every write to an
 * account first settles its decay into the demurrage pool, so after every
 * transaction, exactly:
 *
 *     minted = Σ principal + demurragePool + feePool + burned
 */
import { decodeStanding } from '../ledger/genesis.ts'
import { KEY_NODE } from '../ledger/constants.ts'
import { bytesEqual, toHex } from '../ledger/hash.ts'
import type { TxHandler, TxHandlerContext } from '../ledger/ledger.ts'
import type { StateAccess, StateReader } from '../ledger/state.ts'
import type { Coder } from '../wire/index.ts'
import { AccountCoder, BurnOpCoder, MintOpCoder, SettleOpCoder, SupplyCoder, TransferOpCoder, type Account, type Supply } from './codec.ts'
import type { CaesarConfig } from './config.ts'
import {
  KEY_ACCOUNT, KEY_RECEIPT, KEY_SUPPLY, KIND_BURN, KIND_MINT, KIND_SETTLE, KIND_TRANSFER, MAX_AMOUNT
} from './constants.ts'
import { DecayTable, epochAt } from './demurrage.ts'
import { CaesarRule, CaesarRuleError } from './errors.ts'
import { receiptCredit, receiptId, verifyReceipt } from './mint.ts'
import { epoch as epochCoder } from './codec.ts'

export interface CaesarChain {
  /** Genesis time (ms): epoch 0 starts here. */
  genesisTime: number
  /** Genesis hash: receipts must name it. */
  genesisHash: Uint8Array
}

export interface AccountView {
  principal: bigint
  referenceEpoch: number
  /** Present value at `epoch` (principal after decay). */
  balance: bigint
  epoch: number
}

function decodeOp<T> (coder: Coder<T>, b: Uint8Array, what: string): T {
  try { return coder.decode(b) } catch (err) { throw new CaesarRuleError(CaesarRule.Malformed, `${what}: ${(err as Error).message}`, { cause: err }) }
}

function addAmount (a: bigint, b: bigint, what: string): bigint {
  const s = a + b
  if (s > MAX_AMOUNT) throw new CaesarRuleError(CaesarRule.Overflow, `${what} would exceed 2^128 - 1`)
  return s
}

export function readSupply (state: StateReader): Supply {
  const b = state.get(KEY_SUPPLY)
  if (b === undefined) throw new CaesarRuleError(CaesarRule.Malformed, 'no caesar/supply in state (genesis lacks the Caesar entries)')
  return SupplyCoder.decode(b)
}

export function readAccount (state: StateReader, id: Uint8Array): Account | undefined {
  const b = state.get(KEY_ACCOUNT + toHex(id))
  return b === undefined ? undefined : AccountCoder.decode(b)
}

/** Caesar bound to one chain's config: pure reads plus the ledger handlers. */
export class Caesar {
  readonly config: CaesarConfig
  readonly chain: CaesarChain
  readonly table: DecayTable

  constructor (config: CaesarConfig, chain: CaesarChain) {
    this.config = config
    this.chain = chain
    this.table = new DecayTable(config.decayNumerator, config.decayFractionBits)
  }

  /** Epoch of a block time. */
  epochOf (timeMs: number): number { return epochAt(timeMs, this.chain.genesisTime, this.config.epochMs) }

  /** An account as seen at `epoch` (lazy demurrage; nothing is written). */
  account (state: StateReader, id: Uint8Array, epoch: number): AccountView {
    const a = readAccount(state, id)
    if (a === undefined) return { principal: 0n, referenceEpoch: epoch, balance: 0n, epoch }
    if (a.referenceEpoch > epoch) throw new CaesarRuleError(CaesarRule.FutureEpoch, `account reference epoch ${a.referenceEpoch} is after epoch ${epoch}`)
    return { ...a, balance: this.table.presentValue(a.principal, epoch - a.referenceEpoch), epoch }
  }

  /** Present value of `id`'s balance at `epoch`. */
  balanceOf (state: StateReader, id: Uint8Array, epoch: number): bigint { return this.account(state, id, epoch).balance }

  /** Settles `id` to `epoch`: its decay moves into `supply.demurragePool`; returns the settled account (not yet written). */
  settle (state: StateReader, supply: Supply, id: Uint8Array, epoch: number): Account {
    const v = this.account(state, id, epoch)
    supply.demurragePool += v.principal - v.balance
    return { principal: v.balance, referenceEpoch: epoch }
  }

  private writeAccount (state: StateAccess, id: Uint8Array, a: Account): void {
    const key = KEY_ACCOUNT + toHex(id)
    if (a.principal === 0n) { if (state.get(key) !== undefined) state.delete(key) } else state.set(key, AccountCoder.encode(a))
  }

  /**
   * Debits `amount` from `payer` (settled first) into the fee pool or the
   * burned total, for other services' handlers (e.g. TrustChain names burn
   * their fee). Throws CaesarRuleError (overdraft) leaving the caller to
   * discard the transaction's writes, as the ledger does for a throwing handler.
   */
  chargeFee (state: StateAccess, timeMs: number, payer: Uint8Array, amount: bigint, destination: 'burn' | 'pool'): void {
    if (typeof amount !== 'bigint' || amount < 0n || amount > MAX_AMOUNT) throw new CaesarRuleError(CaesarRule.Malformed, 'fee must be an amount')
    const epoch = this.epochOf(timeMs)
    const supply = readSupply(state)
    const a = this.settle(state, supply, payer, epoch)
    if (a.principal < amount) throw new CaesarRuleError(CaesarRule.Overdraft, `balance ${a.principal} below fee ${amount}`)
    a.principal -= amount
    if (destination === 'burn') supply.burned += amount; else supply.feePool += amount
    this.writeAccount(state, payer, a)
    state.set(KEY_SUPPLY, SupplyCoder.encode(supply))
  }

  /** `caesar.transfer`: op = TransferOp {to, amount, fee}; the sender pays amount + fee, the fee goes to the fee pool. */
  transfer (ctx: TxHandlerContext): void {
    const op = decodeOp(TransferOpCoder, ctx.tx.op, 'transfer')
    if (op.amount === 0n) throw new CaesarRuleError(CaesarRule.ZeroAmount, 'transfer of nothing')
    if (op.fee < this.config.transferFee) throw new CaesarRuleError(CaesarRule.FeeTooLow, `fee ${op.fee} below ${this.config.transferFee}`)
    if (bytesEqual(op.to, ctx.tx.sender)) throw new CaesarRuleError(CaesarRule.SelfTransfer, 'sender and recipient are the same account')
    const epoch = this.epochOf(ctx.time)
    const supply = readSupply(ctx.state)
    const from = this.settle(ctx.state, supply, ctx.tx.sender, epoch)
    const to = this.settle(ctx.state, supply, op.to, epoch)
    const debit = op.amount + op.fee
    if (from.principal < debit) throw new CaesarRuleError(CaesarRule.Overdraft, `balance ${from.principal} below amount + fee ${debit}`)
    from.principal -= debit
    to.principal = addAmount(to.principal, op.amount, 'recipient balance')
    supply.feePool += op.fee
    this.writeAccount(ctx.state, ctx.tx.sender, from)
    this.writeAccount(ctx.state, op.to, to)
    ctx.state.set(KEY_SUPPLY, SupplyCoder.encode(supply))
  }

  /** `caesar.burn`: op = BurnOp {amount}; destroys the sender's credits. */
  burn (ctx: TxHandlerContext): void {
    const op = decodeOp(BurnOpCoder, ctx.tx.op, 'burn')
    if (op.amount === 0n) throw new CaesarRuleError(CaesarRule.ZeroAmount, 'burn of nothing')
    const epoch = this.epochOf(ctx.time)
    const supply = readSupply(ctx.state)
    const a = this.settle(ctx.state, supply, ctx.tx.sender, epoch)
    if (a.principal < op.amount) throw new CaesarRuleError(CaesarRule.Overdraft, `balance ${a.principal} below burn ${op.amount}`)
    a.principal -= op.amount
    supply.burned += op.amount
    this.writeAccount(ctx.state, ctx.tx.sender, a)
    ctx.state.set(KEY_SUPPLY, SupplyCoder.encode(supply))
  }

  /** `caesar.settle`: op = SettleOp {account}; anyone may settle any account (moves its decay to the pool). */
  settleTx (ctx: TxHandlerContext): void {
    const op = decodeOp(SettleOpCoder, ctx.tx.op, 'settle')
    const epoch = this.epochOf(ctx.time)
    const supply = readSupply(ctx.state)
    const a = this.settle(ctx.state, supply, op.account, epoch)
    this.writeAccount(ctx.state, op.account, a)
    ctx.state.set(KEY_SUPPLY, SupplyCoder.encode(supply))
  }

  /**
   * `caesar.mint`: op = MintOp. A receipt mints floor(bytes · rate) to its
   * provider (who must be the sender) when: it names this chain, its epoch
   * is not in the future nor older than the receipt window, the consumer is
   * another node registered on the ledger (`sys/node/…`) whose FALCON key
   * signed it under DOMAINS.Receipt, and it was never used before.
   */
  mint (ctx: TxHandlerContext): void {
    const op = decodeOp(MintOpCoder, ctx.tx.op, 'mint')
    const { receipt: r } = op.value
    if (!bytesEqual(r.chain, this.chain.genesisHash)) throw new CaesarRuleError(CaesarRule.Malformed, 'receipt is for another chain')
    if (!bytesEqual(r.provider, ctx.tx.sender)) throw new CaesarRuleError(CaesarRule.WrongProvider, 'only the provider named in a receipt may claim it')
    if (bytesEqual(r.consumer, r.provider)) throw new CaesarRuleError(CaesarRule.SelfDealing, 'provider and consumer are the same node')
    const epoch = this.epochOf(ctx.time)
    if (r.epoch > epoch) throw new CaesarRuleError(CaesarRule.FutureEpoch, `receipt epoch ${r.epoch} is after the current epoch ${epoch}`)
    if (epoch - r.epoch > this.config.receiptWindowEpochs) throw new CaesarRuleError(CaesarRule.StaleReceipt, `receipt epoch ${r.epoch} is more than ${this.config.receiptWindowEpochs} epochs old`)
    const replayKey = KEY_RECEIPT + toHex(receiptId(r))
    if (ctx.state.get(replayKey) !== undefined) throw new CaesarRuleError(CaesarRule.Replay, 'receipt already used')
    const standingBytes = ctx.state.get(KEY_NODE + toHex(r.consumer))
    if (standingBytes === undefined) throw new CaesarRuleError(CaesarRule.UnknownCounterparty, 'consumer is not a node registered on the ledger')
    const standing = decodeStanding(standingBytes)
    if (!verifyReceipt(standing.publicKey, op.value)) throw new CaesarRuleError(CaesarRule.BadSignature, 'receipt signature does not verify under the consumer\'s key')
    const credit = receiptCredit(r, this.config)
    if (credit === 0n) throw new CaesarRuleError(CaesarRule.ZeroAmount, 'receipt earns less than one micro-credit')
    this.creditVerified(ctx.state, ctx.time, r.provider, credit)
    ctx.state.set(replayKey, epochCoder.encode(r.epoch))
  }

  /**
   * Mints `credit` to `beneficiary` (settled first) and counts it as minted.
   * Only for callers that have verified a MintEvent: the receipt handler
   * above, and the job-result mint once ts/vm's acceptance records exist.
   */
  creditVerified (state: StateAccess, timeMs: number, beneficiary: Uint8Array, credit: bigint): void {
    if (typeof credit !== 'bigint' || credit < 0n || credit > MAX_AMOUNT) throw new CaesarRuleError(CaesarRule.Malformed, 'credit must be an amount')
    const epoch = this.epochOf(timeMs)
    const supply = readSupply(state)
    const a = this.settle(state, supply, beneficiary, epoch)
    supply.minted = addAmount(supply.minted, credit, 'minted total')
    a.principal += credit
    this.writeAccount(state, beneficiary, a)
    state.set(KEY_SUPPLY, SupplyCoder.encode(supply))
  }

  /** The handlers by transaction kind. */
  handlers (): Record<string, TxHandler> {
    return {
      [KIND_TRANSFER]: (ctx) => this.transfer(ctx),
      [KIND_BURN]: (ctx) => this.burn(ctx),
      [KIND_MINT]: (ctx) => this.mint(ctx),
      [KIND_SETTLE]: (ctx) => this.settleTx(ctx)
    }
  }
}

