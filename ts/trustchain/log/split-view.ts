/**
 * Split-view detection: a watcher that sees checkpoints of logs (from the
 * log itself, gossip, blocks) and refuses any that cannot be on the same
 * append-only history as what it already accepted, keeping both signed
 * notes as evidence.
 *
 * Two checkpoints of one origin are inconsistent when
 *  - they have the same size and different roots (self-contained evidence:
 *    two signed notes anyone can check), or
 *  - the consistency proof offered between them does not verify (the log
 *    could not prove it extends the view already accepted).
 * A larger checkpoint without a proof is not accepted ("needs-proof"); a
 * smaller one with neither a proof nor a remembered root of its size is
 * "stale" and ignored.
 * @module
 */
import { bytesEqual } from './_codec.ts'
import { verifyConsistency } from './merkle.ts'
import { openCheckpoint, type CheckpointPolicy, type Checkpoint } from './checkpoint.ts'

export interface SplitViewEvidence {
  origin: string
  /** The checkpoint accepted earlier (or remembered), as its signed note. */
  accepted: { checkpoint: Checkpoint, note: string }
  /** The conflicting checkpoint, as its signed note. */
  conflicting: { checkpoint: Checkpoint, note: string }
  /** The consistency proof that failed, or null when sizes are equal and roots differ. */
  proof: Uint8Array[] | null
  reason: 'same-size-different-root' | 'consistency-proof-failed'
}

export type ObserveResult =
  | { status: 'accepted', checkpoint: Checkpoint }
  | { status: 'duplicate', checkpoint: Checkpoint }
  | { status: 'stale', checkpoint: Checkpoint }
  | { status: 'needs-proof', checkpoint: Checkpoint, from: number }
  | { status: 'split-view', checkpoint: Checkpoint, evidence: SplitViewEvidence }

interface Seen { checkpoint: Checkpoint, note: string }

export interface CheckpointWatcherOptions {
  /** Verified roots remembered per origin (by size) for equal-size comparison (default 4096). */
  maxRemembered?: number
  /** Evidence records kept (default 1024; the oldest are dropped first). */
  maxEvidence?: number
}

export class CheckpointWatcher {
  readonly #policies = new Map<string, CheckpointPolicy>()
  readonly #latest = new Map<string, Seen>()
  readonly #bySize = new Map<string, Map<number, Seen>>()
  readonly #evidence: SplitViewEvidence[] = []
  readonly #maxRemembered: number
  readonly #maxEvidence: number

  constructor (policies: readonly CheckpointPolicy[], options: CheckpointWatcherOptions = {}) {
    for (const p of policies) this.#policies.set(p.origin, p)
    this.#maxRemembered = options.maxRemembered ?? 4096
    this.#maxEvidence = options.maxEvidence ?? 1024
  }

  /** The latest accepted checkpoint of `origin`. */
  latest (origin: string): { checkpoint: Checkpoint, note: string } | undefined { return this.#latest.get(origin) }

  /** Every split view seen (both notes kept). */
  get evidence (): readonly SplitViewEvidence[] { return this.#evidence }

  /**
   * Verifies `note` under its origin's policy (DecodeError /
   * NoteVerificationError if it does not verify, or the origin is unknown)
   * and compares it with what was accepted. `proof` is the consistency
   * proof between the smaller and the larger of the two sizes.
   */
  observe (note: string, proof?: readonly Uint8Array[]): ObserveResult {
    const origin = firstLine(note)
    const policy = this.#policies.get(origin)
    if (policy === undefined) throw new InvalidOriginError(`no policy for log origin ${JSON.stringify(origin)}`)
    const { checkpoint } = openCheckpoint(note, policy)
    const cur = { checkpoint, note }
    const latest = this.#latest.get(origin)
    if (latest === undefined) { this.#accept(origin, cur); return { status: 'accepted', checkpoint } }
    const a = latest.checkpoint
    const remembered = this.#bySize.get(origin)?.get(checkpoint.size)
    if (remembered !== undefined) {
      if (bytesEqual(remembered.checkpoint.rootHash, checkpoint.rootHash)) return { status: 'duplicate', checkpoint }
      return this.#split(origin, remembered, cur, null, 'same-size-different-root')
    }
    if (checkpoint.size > a.size) {
      if (proof === undefined) return { status: 'needs-proof', checkpoint, from: a.size }
      if (!verifyConsistency(a.size, checkpoint.size, a.rootHash, checkpoint.rootHash, proof)) return this.#split(origin, latest, cur, [...proof], 'consistency-proof-failed')
      this.#accept(origin, cur)
      return { status: 'accepted', checkpoint }
    }
    // Smaller than the latest and its size not remembered.
    if (proof === undefined) return { status: 'stale', checkpoint }
    if (!verifyConsistency(checkpoint.size, a.size, checkpoint.rootHash, a.rootHash, proof)) return this.#split(origin, latest, cur, [...proof], 'consistency-proof-failed')
    this.#remember(origin, cur)
    return { status: 'stale', checkpoint }
  }

  #accept (origin: string, seen: Seen): void {
    this.#latest.set(origin, seen)
    this.#remember(origin, seen)
  }

  #remember (origin: string, seen: Seen): void {
    let m = this.#bySize.get(origin)
    if (m === undefined) { m = new Map(); this.#bySize.set(origin, m) }
    m.set(seen.checkpoint.size, seen)
    if (m.size > this.#maxRemembered) {
      const oldest = m.keys().next().value as number
      m.delete(oldest)
    }
  }

  #split (origin: string, accepted: Seen, conflicting: Seen, proof: Uint8Array[] | null, reason: SplitViewEvidence['reason']): ObserveResult {
    const evidence: SplitViewEvidence = { origin, accepted, conflicting, proof, reason }
    this.#evidence.push(evidence)
    if (this.#evidence.length > this.#maxEvidence) this.#evidence.shift()
    return { status: 'split-view', checkpoint: conflicting.checkpoint, evidence }
  }
}

/** A checkpoint whose origin the watcher has no policy for. */
export class InvalidOriginError extends Error {
  static override readonly name = 'InvalidOriginError'
  override readonly name = 'InvalidOriginError'
  constructor (message: string, options?: ErrorOptions) { super(message, options) }
}

function firstLine (note: string): string {
  const i = typeof note === 'string' ? note.indexOf('\n') : -1
  return i < 0 ? '' : note.slice(0, i)
}
