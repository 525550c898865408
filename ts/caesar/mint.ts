/**
 * Minting rules. Credit is created only by a `MintEvent` — a contribution
 * someone other than the beneficiary verified:
 *  - `receipt`: memory served or bytes relayed, proved by a receipt the
 *    other side (the reader, the relayed peer) signed with FALCON-1024 under
 *    DOMAINS.Receipt; applied on the ledger by the `caesar.mint` handler.
 *  - `jobResult`: a worker's result that matched the accepted result of a
 *    job; credit ∝ the job's metered fuel, capped by its escrowed budget.
 *    Only the arithmetic exists here (`jobResultCredit`): the event comes
 *    from ts/vm's acceptance records, which are not on the ledger yet.
 */
import { DOMAINS, sign, verify } from '../identity/index.ts'
import { sha256 } from '../ledger/hash.ts'
import { bytesEqual } from '../ledger/hash.ts'
import { InvalidArgumentError } from '../errors.ts'
import { ReceiptCoder, type Receipt, type SignedReceipt } from './codec.ts'
import type { CaesarConfig, Rate } from './config.ts'
import { ReceiptKind, MAX_AMOUNT } from './constants.ts'

/** An accepted job result, as ts/vm's acceptance record will state it. */
export interface JobResultEvent {
  jobId: Uint8Array
  /** Owner (NodeId) of the worker whose result is rewarded. */
  worker: Uint8Array
  /** Owner (NodeId) that submitted the job and escrowed its budget. */
  submitter: Uint8Array
  /** SHA-256 of this worker's result. */
  resultHash: Uint8Array
  /** SHA-256 of the result the quorum accepted. */
  acceptedResultHash: Uint8Array
  /** Fuel the job consumed, as metered by the VM (deterministic). */
  fuelUsed: bigint
  /** Micro-credits the submitter escrowed for the job (the cap). */
  budget: bigint
}

export type MintEvent =
  | { type: 'receipt', value: SignedReceipt }
  | { type: 'jobResult', value: JobResultEvent }

function applyRate (units: bigint, r: Rate): bigint {
  return (units * r.numerator) / r.denominator
}

/** Bytes signed for a receipt (the canonical receipt encoding). */
export function receiptMessage (r: Receipt): Uint8Array { return ReceiptCoder.encode(r) }

/** Replay identity of a receipt: SHA-256 of its message (independent of the signature, which FALCON randomises). */
export function receiptId (r: Receipt): Uint8Array { return sha256(receiptMessage(r)) }

/** The consumer signs a receipt for the provider (FALCON-1024, DOMAINS.Receipt). */
export function signReceipt (consumerSecretKey: Uint8Array, r: Receipt): SignedReceipt {
  return { receipt: r, signature: sign(consumerSecretKey, DOMAINS.Receipt, receiptMessage(r)) }
}

/** True when `s.signature` is the consumer's valid signature of the receipt. */
export function verifyReceipt (consumerPublicKey: Uint8Array, s: SignedReceipt): boolean {
  return verify(consumerPublicKey, DOMAINS.Receipt, receiptMessage(s.receipt), s.signature)
}

/** Credit for a receipt: floor(bytes · rate) with the rate of its kind. */
export function receiptCredit (r: Receipt, c: Pick<CaesarConfig, 'memoryRate' | 'relayRate'>): bigint {
  return applyRate(r.bytes, r.kind === ReceiptKind.MemoryServed ? c.memoryRate : c.relayRate)
}

/**
 * Credit for an accepted job result: min(floor(fuelUsed · fuelRate), budget).
 * Throws InvalidArgumentError for an event that must earn nothing: a result
 * that does not match the accepted one, a self-dealt job (worker owner =
 * submitter), or out-of-range numbers.
 */
export function jobResultCredit (e: JobResultEvent, c: Pick<CaesarConfig, 'fuelRate'>): bigint {
  for (const [name, b] of [['jobId', e.jobId], ['worker', e.worker], ['submitter', e.submitter], ['resultHash', e.resultHash], ['acceptedResultHash', e.acceptedResultHash]] as const) {
    if (!(b instanceof Uint8Array) || b.length !== 32) throw new InvalidArgumentError(`${name} must be 32 bytes`)
  }
  if (typeof e.fuelUsed !== 'bigint' || e.fuelUsed < 0n || e.fuelUsed > 1n << 62n) throw new InvalidArgumentError('fuelUsed must be a bigint in [0, 2^62]')
  if (typeof e.budget !== 'bigint' || e.budget < 0n || e.budget > MAX_AMOUNT) throw new InvalidArgumentError('budget must be an amount')
  if (!bytesEqual(e.resultHash, e.acceptedResultHash)) throw new InvalidArgumentError('result does not match the accepted result')
  if (bytesEqual(e.worker, e.submitter)) throw new InvalidArgumentError('self-dealing: the worker\'s owner submitted the job')
  const credit = applyRate(e.fuelUsed, c.fuelRate)
  return credit < e.budget ? credit : e.budget
}
