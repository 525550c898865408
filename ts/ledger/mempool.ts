/**
 * Mempool: admits transactions whose proofs verify (once per tx hash, via
 * the shared ProofCache), rejects duplicates and invalid ones, and hands the
 * proposer a deterministic selection (by sender, then sequence).
 */
import { bytesEqual, compareBytes, toHex } from './hash.ts'
import { txHash, type Transaction } from './types.ts'
import type { Ledger } from './ledger.ts'

export type AdmitResult = { accepted: true } | { accepted: false, reason: 'duplicate' | 'full' | string }

export interface MempoolOptions {
  /** Maximum pending transactions (default 10,000). */
  maxTxs?: number
}

export class Mempool {
  private readonly ledger: Ledger
  private readonly max: number
  private readonly txs = new Map<string, Transaction>()
  /** Counters: admitted, rejected as duplicate, rejected as invalid. */
  readonly counters = { admitted: 0, duplicates: 0, invalid: 0 }

  constructor (ledger: Ledger, opts: MempoolOptions = {}) {
    this.ledger = ledger
    this.max = opts.maxTxs ?? 10_000
  }

  get size (): number { return this.txs.size }
  has (hash: Uint8Array): boolean { return this.txs.has(toHex(hash)) }

  /** Verifies (cached by tx hash) and admits `tx`. */
  add (tx: Transaction): AdmitResult {
    const key = toHex(txHash(tx))
    if (this.txs.has(key)) { this.counters.duplicates++; return { accepted: false, reason: 'duplicate' } }
    if (this.txs.size >= this.max) return { accepted: false, reason: 'full' }
    const reason = this.ledger.checkTx(tx, this.ledger.view())
    if (reason !== null) { this.counters.invalid++; return { accepted: false, reason } }
    this.txs.set(key, tx)
    this.counters.admitted++
    return { accepted: true }
  }

  /** Up to `max` transactions for the next block, by (sender, sequence), skipping stale ones. */
  select (max: number): Transaction[] {
    const view = this.ledger.view()
    const all = [...this.txs.values()].filter((tx) => tx.sequence > view.lastSequence(tx.sender))
    all.sort((a, b) => compareBytes(a.sender, b.sender) || a.sequence - b.sequence)
    const out: Transaction[] = []
    for (let i = 0; i < all.length && out.length < max; i++) {
      // one tx per (sender, sequence)
      if (out.length > 0 && bytesEqual(out[out.length - 1].sender, all[i].sender) && out[out.length - 1].sequence === all[i].sequence) continue
      out.push(all[i])
    }
    return out
  }

  /** Drops transactions included in a committed block and those now stale. */
  prune (): void {
    const view = this.ledger.view()
    for (const [k, tx] of this.txs) if (tx.sequence <= view.lastSequence(tx.sender)) this.txs.delete(k)
  }
}
