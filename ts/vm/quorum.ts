/**
 * Pure scheduling and quorum logic: which k workers run a job, when q agreeing
 * results accept it, who disagreed. No I/O, no clocks: hosts feed events
 * (assignment, results, worker failures, their own timeout) and read the state.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { InvalidArgumentError } from '../errors.ts'
import { equalBytes } from '../wire/index.ts'

/** One worker's result: the digest it voted (see outcomeDigest). */
export interface Vote {
  /** Worker id (e.g. NodeId hex). */
  worker: string
  digest: Uint8Array
}

export interface Tally {
  /** The first digest (in vote order) that q workers voted, with those workers. */
  accepted: { digest: Uint8Array, workers: string[] } | undefined
  /** Workers whose digest differs from the accepted one (empty until accepted). */
  disagreeing: string[]
  /** Votes per distinct digest, in order of first appearance. */
  groups: Array<{ digest: Uint8Array, workers: string[] }>
}

function hex (b: Uint8Array): string {
  let s = ''
  for (const x of b) s += x.toString(16).padStart(2, '0')
  return s
}

/** Checks 1 ≤ q ≤ k and 2q > k (two different results can never both be accepted). */
export function checkQuorum (k: number, q: number): void {
  if (!Number.isSafeInteger(k) || k < 1 || k > 1024) throw new InvalidArgumentError(`k must be an integer in [1, 1024], got ${String(k)}`)
  if (!Number.isSafeInteger(q) || q < 1 || q > k) throw new InvalidArgumentError(`q must be an integer in [1, k=${k}], got ${String(q)}`)
  if (2 * q <= k) throw new InvalidArgumentError(`q=${q} must be a strict majority of k=${k}`)
}

/** Counts `votes` (distinct workers, in arrival order) against quorum `q`. */
export function tallyVotes (votes: readonly Vote[], q: number): Tally {
  if (!Number.isSafeInteger(q) || q < 1) throw new InvalidArgumentError(`q must be a positive integer, got ${String(q)}`)
  const seen = new Set<string>()
  const groups = new Map<string, { digest: Uint8Array, workers: string[] }>()
  let accepted: Tally['accepted']
  for (const v of votes) {
    if (typeof v.worker !== 'string' || v.worker.length === 0) throw new InvalidArgumentError('vote.worker must be a non-empty string')
    if (!(v.digest instanceof Uint8Array) || v.digest.length !== 32) throw new InvalidArgumentError('vote.digest must be 32 bytes')
    if (seen.has(v.worker)) throw new InvalidArgumentError(`worker ${v.worker} voted twice`)
    seen.add(v.worker)
    const key = hex(v.digest)
    let g = groups.get(key)
    if (g === undefined) { g = { digest: v.digest, workers: [] }; groups.set(key, g) }
    g.workers.push(v.worker)
    if (accepted === undefined && g.workers.length >= q) accepted = g
  }
  const disagreeing: string[] = []
  if (accepted !== undefined) {
    for (const v of votes) if (!equalBytes(v.digest, accepted.digest)) disagreeing.push(v.worker)
  }
  return {
    accepted: accepted === undefined ? undefined : { digest: accepted.digest, workers: [...accepted.workers] },
    disagreeing,
    groups: [...groups.values()].map((g) => ({ digest: g.digest, workers: [...g.workers] }))
  }
}

/**
 * The k candidates ranked first by SHA-256(jobId ‖ worker) (rendezvous
 * hashing): deterministic for everyone who knows the candidates, spreads
 * jobs evenly, and moves few jobs when a candidate joins or leaves.
 */
export function selectWorkers (jobId: Uint8Array, candidates: readonly string[], k: number, exclude: ReadonlySet<string> = new Set()): string[] {
  if (!(jobId instanceof Uint8Array) || jobId.length !== 32) throw new InvalidArgumentError('jobId must be 32 bytes')
  if (!Number.isSafeInteger(k) || k < 0) throw new InvalidArgumentError(`k must be a non-negative integer, got ${String(k)}`)
  const enc = new TextEncoder()
  const ranked = [...new Set(candidates)].filter((c) => !exclude.has(c)).map((c) => {
    const w = enc.encode(c)
    const b = new Uint8Array(32 + w.length)
    b.set(jobId)
    b.set(w, 32)
    return { c, score: hex(sha256(b)) }
  })
  ranked.sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : 0))
  return ranked.slice(0, k).map((r) => r.c)
}

export const JOB_STATES = { submitted: 'submitted', running: 'running', accepted: 'accepted', failed: 'failed' } as const
export type JobState = typeof JOB_STATES[keyof typeof JOB_STATES]

/** Why a job failed. */
export type JobFailure = 'no-quorum' | 'timeout'

/**
 * submitted → running (k workers assigned) → accepted (q equal digests) or
 * failed (quorum no longer reachable, or the host's deadline passed).
 * Results arriving after acceptance are still recorded, so late
 * disagreeing workers are known too.
 */
export class JobTracker {
  readonly jobId: Uint8Array
  readonly k: number
  readonly q: number
  private _state: JobState = 'submitted'
  private assigned: string[] = []
  private readonly votes: Vote[] = []
  private readonly failedWorkers = new Map<string, string>()
  private _failure: JobFailure | undefined
  private _accepted: { digest: Uint8Array, workers: string[] } | undefined

  constructor (init: { jobId: Uint8Array, k: number, q: number }) {
    if (!(init.jobId instanceof Uint8Array) || init.jobId.length !== 32) throw new InvalidArgumentError('jobId must be 32 bytes')
    checkQuorum(init.k, init.q)
    this.jobId = init.jobId.slice()
    this.k = init.k
    this.q = init.q
  }

  get state (): JobState { return this._state }
  get failure (): JobFailure | undefined { return this._failure }
  get workers (): string[] { return [...this.assigned] }
  get accepted (): { digest: Uint8Array, workers: string[] } | undefined {
    return this._accepted === undefined ? undefined : { digest: this._accepted.digest, workers: [...this._accepted.workers] }
  }

  /** Workers that returned a digest different from the accepted one. */
  get disagreeing (): string[] { return tallyVotes(this.votes, this.q).disagreeing }
  /** Workers that returned nothing (crashed, disconnected), with the host's reason. */
  get unresponsive (): Map<string, string> { return new Map(this.failedWorkers) }
  get votesReceived (): Vote[] { return this.votes.map((v) => ({ worker: v.worker, digest: v.digest })) }

  /** submitted → running with exactly k distinct workers. */
  assign (workers: readonly string[]): void {
    if (this._state !== 'submitted') throw new InvalidArgumentError(`cannot assign workers to a ${this._state} job`)
    if (workers.length !== this.k || new Set(workers).size !== this.k) throw new InvalidArgumentError(`assign needs ${this.k} distinct workers, got ${workers.length}`)
    this.assigned = [...workers]
    this._state = 'running'
  }

  /** Records `worker`'s digest; returns the state after it. */
  report (worker: string, digest: Uint8Array): JobState {
    if (this._state === 'submitted') throw new InvalidArgumentError('no workers assigned yet')
    if (!this.assigned.includes(worker)) throw new InvalidArgumentError(`worker ${worker} is not assigned to this job`)
    if (this.votes.some((v) => v.worker === worker) || this.failedWorkers.has(worker)) throw new InvalidArgumentError(`worker ${worker} already reported`)
    if (!(digest instanceof Uint8Array) || digest.length !== 32) throw new InvalidArgumentError('digest must be 32 bytes')
    this.votes.push({ worker, digest: digest.slice() })
    this.settle()
    return this._state
  }

  /** Records that `worker` will not answer; returns the state after it. */
  workerFailed (worker: string, reason: string): JobState {
    if (this._state === 'submitted') throw new InvalidArgumentError('no workers assigned yet')
    if (!this.assigned.includes(worker)) throw new InvalidArgumentError(`worker ${worker} is not assigned to this job`)
    if (this.votes.some((v) => v.worker === worker) || this.failedWorkers.has(worker)) throw new InvalidArgumentError(`worker ${worker} already reported`)
    this.failedWorkers.set(worker, String(reason))
    this.settle()
    return this._state
  }

  /** The host's deadline passed: a running job fails. */
  timeout (): JobState {
    if (this._state === 'running' || this._state === 'submitted') {
      this._state = 'failed'
      this._failure = 'timeout'
    }
    return this._state
  }

  private settle (): void {
    if (this._state !== 'running') return
    const t = tallyVotes(this.votes, this.q)
    if (t.accepted !== undefined) {
      this._accepted = t.accepted
      this._state = 'accepted'
      return
    }
    const pending = this.k - this.votes.length - this.failedWorkers.size
    const best = t.groups.reduce((m, g) => Math.max(m, g.workers.length), 0)
    if (best + pending < this.q) {
      this._state = 'failed'
      this._failure = 'no-quorum'
    }
  }
}
