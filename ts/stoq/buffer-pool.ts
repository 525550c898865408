import { InvalidArgumentError } from '../errors.ts'

export interface BufferPoolInit {
  /** Size of every buffer in the pool. */
  bufferBytes: number
  /** Most free buffers kept for reuse (the pool never holds more memory than this many buffers). */
  maxFree: number
}

export interface BufferPoolStats {
  bufferBytes: number
  /** Buffers waiting in the pool. */
  free: number
  /** Buffers handed out and not yet released. */
  outstanding: number
  /** Buffers created because the pool was empty. */
  allocated: number
  /** Acquisitions served from the pool. */
  reused: number
  /** Released buffers not kept because the pool was full. */
  discarded: number
}

/**
 * Fixed-size buffers for the bulk path: `acquire()` takes one from the pool
 * (or allocates when it is empty), `release()` gives it back for reuse. The
 * pool is bounded (`maxFree`); a release into a full pool lets the buffer go
 * to the garbage collector. Releasing a buffer the pool did not hand out, or
 * releasing one twice, throws: reuse bugs show up at once, not as corrupted data.
 */
export class BufferPool {
  readonly bufferBytes: number
  readonly maxFree: number
  private readonly freeList: Uint8Array[] = []
  private readonly out = new Set<Uint8Array>()
  private allocated = 0
  private reused = 0
  private discarded = 0

  constructor (init: BufferPoolInit) {
    if (!Number.isSafeInteger(init.bufferBytes) || init.bufferBytes <= 0) throw new InvalidArgumentError(`bufferBytes must be a positive integer, got ${String(init.bufferBytes)}`)
    if (!Number.isSafeInteger(init.maxFree) || init.maxFree < 0) throw new InvalidArgumentError(`maxFree must be an integer >= 0, got ${String(init.maxFree)}`)
    this.bufferBytes = init.bufferBytes
    this.maxFree = init.maxFree
  }

  /** A buffer of `bufferBytes` bytes (contents unspecified: previous data may remain). */
  acquire (): Uint8Array {
    let b = this.freeList.pop()
    if (b === undefined) {
      b = new Uint8Array(this.bufferBytes)
      this.allocated++
    } else {
      this.reused++
    }
    this.out.add(b)
    return b
  }

  /** Gives `buf` (as returned by `acquire`) back; don't touch it afterwards. */
  release (buf: Uint8Array): void {
    if (!this.out.delete(buf)) throw new InvalidArgumentError('release of a buffer this pool did not hand out (or released twice)')
    if (this.freeList.length < this.maxFree) this.freeList.push(buf)
    else this.discarded++
  }

  stats (): BufferPoolStats {
    return { bufferBytes: this.bufferBytes, free: this.freeList.length, outstanding: this.out.size, allocated: this.allocated, reused: this.reused, discarded: this.discarded }
  }
}
