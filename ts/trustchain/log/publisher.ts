/**
 * CheckpointPublisher: signs and publishes a new checkpoint of a log every
 * `intervalMs` (default 1000) when the tree grew, optionally having it
 * cosigned first (e.g. by collecting validator cosignatures), so readers of
 * /checkpoint never see one older than about a second plus cosigning time.
 * @module
 */
import { InvalidArgumentError } from '../../errors.ts'
import type { NoteSigner } from './note.ts'
import type { SignedCheckpoint, TransparencyLog } from './log.ts'

export interface CheckpointPublisherOptions {
  /** The log's keys (Ed25519 and FALCON-1024). */
  signers: readonly NoteSigner[]
  intervalMs?: number
  /** Returns the note with cosignatures added; its failure keeps the uncosigned checkpoint published. */
  cosign?: (signed: SignedCheckpoint) => Promise<string>
  /** Called after each publication (or with the error of a failed one). */
  onPublish?: (signed: SignedCheckpoint | null, err?: unknown) => void
}

export class CheckpointPublisher {
  readonly #log: TransparencyLog
  readonly #opts: CheckpointPublisherOptions
  #timer: ReturnType<typeof setInterval> | null = null
  #busy = false
  #lastSize = -1

  constructor (log: TransparencyLog, options: CheckpointPublisherOptions) {
    if (options.signers.length === 0) throw new InvalidArgumentError('a publisher needs the log signers')
    const ms = options.intervalMs ?? 1000
    if (!Number.isFinite(ms) || ms <= 0) throw new InvalidArgumentError('intervalMs must be positive')
    this.#log = log
    this.#opts = { ...options, intervalMs: ms }
  }

  start (): void {
    if (this.#timer !== null) return
    this.#timer = setInterval(() => { void this.publishNow() }, this.#opts.intervalMs)
  }

  stop (): void {
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
  }

  /** Publishes now if the tree grew since the last publication; resolves with what was published (null if nothing). */
  async publishNow (): Promise<SignedCheckpoint | null> {
    if (this.#busy || (this.#log.size === this.#lastSize && this.#log.latestCheckpoint !== null)) return null
    this.#busy = true
    try {
      const signed = this.#log.checkpoint(this.#opts.signers)
      this.#lastSize = signed.checkpoint.size
      let published = signed
      if (this.#opts.cosign !== undefined) {
        try {
          published = { checkpoint: signed.checkpoint, note: await this.#opts.cosign(signed) }
          this.#log.publishCheckpoint(published)
        } catch (err) {
          this.#opts.onPublish?.(signed, err)
          return signed
        }
      }
      this.#opts.onPublish?.(published)
      return published
    } finally {
      this.#busy = false
    }
  }
}
