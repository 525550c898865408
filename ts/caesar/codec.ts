/**
 * Byte encodings of everything Caesar stores or signs (ts/wire coders:
 * canonical, bounded, DecodeError on anything else).
 *
 *   amount   = u128 big-endian (16 bytes), micro-credits
 *   epoch    = u64 big-endian, ≤ 2^53 - 1
 *   Account  = amount principal ‖ epoch referenceEpoch                      (24 bytes)
 *   Supply   = amount minted ‖ amount burned ‖ amount feePool ‖ amount demurragePool (64 bytes)
 *   Receipt  = "hmrcpt" ‖ u8 1 ‖ chain[32] ‖ u8 kind ‖ u64 bytes ‖ epoch ‖ provider[32] ‖ consumer[32] ‖ u64 nonce
 *   ops: TransferOp = to[32] ‖ amount ‖ fee;  BurnOp = amount;  SettleOp = account[32];
 *        MintOp = u8 tag (1 = receipt) ‖ Receipt ‖ varBytes(1462) signature
 */
import { InvalidArgumentError } from '../errors.ts'
import {
  bytes, createCoder, literal, magic, struct, tagged, transform, u64, u8, varBytes, type Coder, type Reader, type Writer
} from '../wire/index.ts'
import { MAX_AMOUNT, MAX_RECEIPT_BYTES, ReceiptKind } from './constants.ts'

const SIGNATURE_MAX = 1462

/** Unsigned 128-bit big-endian amount (micro-credits). */
export const amount: Coder<bigint> = createCoder<bigint>({
  name: 'amount',
  minBytes: 16,
  fixedBytes: 16,
  write (w: Writer, v: bigint): void {
    if (typeof v !== 'bigint' || v < 0n || v > MAX_AMOUNT) throw w.invalid('amount', `expected a bigint in [0, 2^128), got ${String(v)}`)
    const dv = w.reserve(16)
    dv.setBigUint64(w.pos, v >> 64n)
    dv.setBigUint64(w.pos + 8, v & 0xffffffffffffffffn)
    w.pos += 16
  },
  read (r: Reader): bigint {
    const p = r.need(16, 'amount')
    const dv = r.dv()
    return (dv.getBigUint64(p) << 64n) | dv.getBigUint64(p + 8)
  }
})

/** An epoch number: u64 on the wire, a safe integer in memory. */
export const epoch: Coder<number> = transform(u64, (n: number) => {
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`epoch must be a safe non-negative integer, got ${String(n)}`)
  return BigInt(n)
}, (b) => {
  if (b > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidArgumentError('epoch above 2^53 - 1')
  return Number(b)
}, 'epoch')

export const nodeId: Coder<Uint8Array> = bytes(32)

export interface Account { principal: bigint, referenceEpoch: number }
export const AccountCoder: Coder<Account> = struct({ principal: amount, referenceEpoch: epoch }, 'Account')

export interface Supply { minted: bigint, burned: bigint, feePool: bigint, demurragePool: bigint }
export const SupplyCoder: Coder<Supply> = struct({ minted: amount, burned: amount, feePool: amount, demurragePool: amount }, 'Supply')

/** What the counterparty of a service signs (under DOMAINS.Receipt). */
export interface Receipt {
  /** Genesis hash of the chain the receipt is for (no cross-chain replay). */
  chain: Uint8Array
  kind: ReceiptKind
  /** Bytes served or relayed, 1..2^40. */
  bytes: bigint
  /** Epoch the service was delivered in. */
  epoch: number
  /** NodeId credited. */
  provider: Uint8Array
  /** NodeId of the signer (the reader of the memory, the relayed peer). */
  consumer: Uint8Array
  nonce: bigint
}

const receiptKind = transform(u8, (k: ReceiptKind) => k, (k) => {
  if (k !== ReceiptKind.MemoryServed && k !== ReceiptKind.RelayBytes) throw new InvalidArgumentError(`unknown receipt kind ${k}`)
  return k as ReceiptKind
}, 'ReceiptKind')

const receiptBytes = transform(u64, (b: bigint) => {
  if (typeof b !== 'bigint' || b < 1n || b > MAX_RECEIPT_BYTES) throw new InvalidArgumentError(`receipt bytes must be in [1, 2^40], got ${String(b)}`)
  return b
}, (b) => {
  if (b < 1n || b > MAX_RECEIPT_BYTES) throw new InvalidArgumentError(`receipt bytes must be in [1, 2^40], got ${b}`)
  return b
}, 'receiptBytes')

const RECEIPT_MAGIC = new TextEncoder().encode('hmrcpt')
export const ReceiptCoder: Coder<Receipt> = magic(RECEIPT_MAGIC, transform(
  struct({ version: literal(u8, 1), chain: bytes(32), kind: receiptKind, bytes: receiptBytes, epoch, provider: nodeId, consumer: nodeId, nonce: u64 }, 'Receipt'),
  (r: Receipt) => ({ version: 1 as const, chain: r.chain, kind: r.kind, bytes: r.bytes, epoch: r.epoch, provider: r.provider, consumer: r.consumer, nonce: r.nonce }),
  (s) => ({ chain: s.chain, kind: s.kind, bytes: s.bytes, epoch: s.epoch, provider: s.provider, consumer: s.consumer, nonce: s.nonce }),
  'Receipt'))

export interface SignedReceipt { receipt: Receipt, signature: Uint8Array }

export interface TransferOp { to: Uint8Array, amount: bigint, fee: bigint }
export const TransferOpCoder: Coder<TransferOp> = struct({ to: nodeId, amount, fee: amount }, 'TransferOp')

export interface BurnOp { amount: bigint }
export const BurnOpCoder: Coder<BurnOp> = struct({ amount }, 'BurnOp')

export interface SettleOp { account: Uint8Array }
export const SettleOpCoder: Coder<SettleOp> = struct({ account: nodeId }, 'SettleOp')

/**
 * A mint operation. Tag 1: a service receipt signed by the consumer. Tag 0
 * is reserved for accepted job results, which come from ts/vm's acceptance
 * records once those exist on the ledger.
 */
export type MintOp = { type: 'receipt', value: SignedReceipt }
export const MintOpCoder: Coder<MintOp> = tagged({
  receipt: [1, struct({ receipt: ReceiptCoder, signature: varBytes(SIGNATURE_MAX) }, 'SignedReceipt')]
} as const, u8, 'MintOp') as Coder<MintOp>
