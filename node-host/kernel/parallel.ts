/**
 * All cores for the hot proofs: a worker_threads pool running the selected
 * kernel (each worker loads it itself, the native addon included).
 * - `parallelPowSearch` hands out consecutive nonce chunks in order and
 *   accepts a nonce only once every earlier chunk is known to have none, so
 *   it returns exactly what a serial `powSearch` over the range would.
 * - `parallelVdfVerify` recomputes PoTime segments in parallel: segment j
 *   starts at checkpoint j-1 (the seed for j = 0) and must end at checkpoint j.
 * Both report progress, stop on abort (AbortError) and terminate the workers
 * that are still computing; a pool created for one call is closed before the
 * call settles, so no thread outlives it.
 *
 * @example
 * const nonce = await parallelPowSearch(prefix, 24, { signal, onProgress: (p) => log(p.tried) })
 * const ok = await parallelVdfVerify(seed, checkpoints, steps, k, [3, 17, 40])
 * @module
 */
import { Worker } from 'node:worker_threads'
import os from 'node:os'
import type { KernelName } from '../../ts/wasm/kernel.ts'
import { HASH_BYTES, MAX_NONCE } from '../../ts/wasm/kernel.ts'
import { checkBytes, checkInt, checkPow, checkVdf } from '../../ts/wasm/_args.ts'
import { AbortError, KernelUnavailableError, throwIfAborted } from '../../ts/errors.ts'
import { selectedKernel } from './select.ts'
import type { PoolReply, PoolTask } from './_pool-worker.ts'

type TaskBody = { op: 'pow', prefix: Uint8Array, bits: number, start: number, count: number } | { op: 'segment', start: Uint8Array, steps: number, slice: number }
type Result = { nonce?: number, value?: Uint8Array }

interface Job {
  id: number
  body: TaskBody
  resolve: (r: Result) => void
  reject: (err: Error) => void
  onProgress?: (done: number) => void
}

interface Slot {
  worker: Worker
  ready: boolean
  job: Job | undefined
}

export interface KernelPoolOptions {
  /** Worker threads (default os.availableParallelism()). */
  threads?: number
  /** Kernel the workers load (default: this process's selection, see selectedKernel()). */
  kernel?: KernelName
  /** Native kernel on its portable path in the workers. */
  nativePortable?: boolean
}

export interface TaskHandle {
  promise: Promise<Result>
  /** Drops the task: removed from the queue, or its worker terminated if it is running. */
  cancel: () => void
}

let live = 0
/** Worker threads of every pool in this process that have not exited yet. */
export function liveWorkerCount (): number { return live }

/** A fixed-size pool of kernel workers; workers start on first use and are replaced after a cancel. */
export class KernelPool {
  readonly size: number
  readonly kernelName: KernelName
  readonly #nativePortable: boolean | undefined
  #slots: Slot[] = []
  #queue: Job[] = []
  #nextId = 1
  #closed = false
  #failure: Error | undefined
  #exits = new Set<Promise<void>>()

  constructor (opts: KernelPoolOptions = {}) {
    const threads = opts.threads ?? os.availableParallelism()
    checkInt('threads', threads, 1, 256)
    this.size = threads
    this.kernelName = opts.kernel ?? selectedKernel().kernel.name
    this.#nativePortable = opts.nativePortable
  }

  /** Queues a task; it runs on the next free worker. */
  submit (body: TaskBody, onProgress?: (done: number) => void): TaskHandle {
    let job: Job | undefined
    const promise = new Promise<Result>((resolve, reject) => {
      job = { id: this.#nextId++, body, resolve, reject, ...(onProgress !== undefined ? { onProgress } : {}) }
    })
    const j = job as Job
    if (this.#closed || this.#failure !== undefined) {
      j.reject(this.#failure ?? new AbortError('kernel pool is closed'))
    } else {
      this.#queue.push(j)
      this.#pump()
    }
    return { promise, cancel: () => { this.#cancel(j) } }
  }

  /** Terminates every worker; queued tasks fail with AbortError. Resolves when all threads have exited. */
  async close (): Promise<void> {
    this.#closed = true
    for (const job of this.#queue.splice(0)) job.reject(new AbortError('kernel pool closed'))
    for (const slot of this.#slots.splice(0)) {
      slot.job?.reject(new AbortError('kernel pool closed'))
      slot.job = undefined
      void slot.worker.terminate()
    }
    await Promise.all([...this.#exits])
  }

  #cancel (job: Job): void {
    const q = this.#queue.indexOf(job)
    if (q >= 0) {
      this.#queue.splice(q, 1)
      job.reject(new AbortError('task cancelled'))
      return
    }
    const slot = this.#slots.find((s) => s.job === job)
    if (slot !== undefined) {
      slot.job = undefined
      job.reject(new AbortError('task cancelled'))
      this.#slots.splice(this.#slots.indexOf(slot), 1)
      void slot.worker.terminate()
      this.#pump()
    }
  }

  #spawn (): void {
    const worker = new Worker(new URL('./_pool-worker.ts', import.meta.url), {
      workerData: { kernel: this.kernelName, ...(this.#nativePortable !== undefined ? { nativePortable: this.#nativePortable } : {}) }
    })
    live++
    const slot: Slot = { worker, ready: false, job: undefined }
    this.#slots.push(slot)
    let onExit!: () => void
    const exited = new Promise<void>((resolve) => { onExit = resolve })
    this.#exits.add(exited)
    worker.on('message', (m: PoolReply) => { this.#onMessage(slot, m) })
    worker.on('error', (err) => { this.#lose(slot, err) })
    worker.on('exit', (code) => {
      live--
      this.#exits.delete(exited)
      onExit()
      this.#lose(slot, new Error(`kernel worker exited with code ${code}`))
    })
  }

  /** A worker died or failed: its task fails, and the slot is dropped. */
  #lose (slot: Slot, err: Error): void {
    const i = this.#slots.indexOf(slot)
    if (i >= 0) this.#slots.splice(i, 1)
    const job = slot.job
    slot.job = undefined
    job?.reject(err)
    if (i >= 0) this.#pump()
  }

  #onMessage (slot: Slot, m: PoolReply): void {
    if (m.type === 'ready') {
      slot.ready = true
      this.#pump()
      return
    }
    if (m.type === 'fail') {
      this.#failure = new KernelUnavailableError(`kernel worker could not load ${this.kernelName}: ${m.error}`)
      for (const job of this.#queue.splice(0)) job.reject(this.#failure)
      this.#lose(slot, this.#failure)
      void slot.worker.terminate()
      return
    }
    const job = slot.job
    if (job === undefined || job.id !== m.id) return // a cancelled task's late message
    if (m.type === 'progress') { job.onProgress?.(m.done); return }
    slot.job = undefined
    if (m.type === 'done') job.resolve(m.nonce !== undefined ? { nonce: m.nonce } : { value: m.value as Uint8Array })
    else {
      const err = new Error(m.message)
      Object.defineProperty(err, 'name', { value: m.name })
      job.reject(err)
    }
    this.#pump()
  }

  #pump (): void {
    if (this.#closed || this.#failure !== undefined) return
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) return
      if (!slot.ready || slot.job !== undefined) continue
      const job = this.#queue.shift() as Job
      slot.job = job
      slot.worker.postMessage({ id: job.id, ...job.body } satisfies PoolTask)
    }
    const waiting = this.#queue.length - this.#slots.filter((s) => !s.ready).length
    for (let i = 0; i < waiting && this.#slots.length < this.size; i++) this.#spawn()
  }
}

export interface PowProgress {
  /** Nonces known to have been tried without success (whole chunks from `start`). */
  tried: number
  /** Every nonce below this one is known not to qualify: pass it as `start` to resume. */
  next: number
}

export interface ParallelPowOptions {
  start?: number
  /** Nonces to try at most (default up to 2^53 - 1). */
  count?: number
  signal?: AbortSignal
  onProgress?: (p: PowProgress) => void
  /** Worker threads when no `pool` is given (default os.availableParallelism()). */
  threads?: number
  /** Nonces per task (default 2^21 on the native kernel, 2^18 otherwise). */
  chunk?: number
  /** Reuse a pool (it stays open); by default one is made for this call and closed before it settles. */
  pool?: KernelPool
}

async function withPool<T> (opts: { pool?: KernelPool, threads?: number }, fn: (pool: KernelPool) => Promise<T>): Promise<T> {
  if (opts.pool !== undefined) return await fn(opts.pool)
  const pool = new KernelPool(opts.threads !== undefined ? { threads: opts.threads } : {})
  try {
    return await fn(pool)
  } finally {
    await pool.close()
  }
}

/** Settles with AbortError when `signal` fires; `off()` removes the listener. */
function abortable (signal: AbortSignal | undefined): { promise: Promise<never>, off: () => void } {
  if (signal === undefined) return { promise: new Promise<never>(() => {}), off: () => {} }
  let off = (): void => {}
  const promise = new Promise<never>((_resolve, reject) => {
    const onAbort = (): void => { reject(new AbortError(undefined, { cause: signal.reason })) }
    signal.addEventListener('abort', onAbort, { once: true })
    off = () => { signal.removeEventListener('abort', onAbort) }
  })
  promise.catch(() => {})
  return { promise, off }
}

/**
 * The first nonce n in [start, start + count) with H(prefix ‖ u64be(n))
 * having ≥ bits leading zero bits, searched on all cores; -1 if none.
 */
export async function parallelPowSearch (prefix: Uint8Array, bits: number, opts: ParallelPowOptions = {}): Promise<number> {
  const start = opts.start ?? 0
  checkInt('start', start, 0, MAX_NONCE)
  const count = opts.count ?? MAX_NONCE - start
  checkPow(prefix, bits, start, count)
  if (opts.chunk !== undefined) checkInt('chunk', opts.chunk, 1, MAX_NONCE)
  throwIfAborted(opts.signal)
  const end = start + count
  const prefixCopy = Uint8Array.from(prefix)
  return await withPool(opts, async (pool) => {
    const chunk = opts.chunk ?? (pool.kernelName === 'native' ? 1 << 21 : 1 << 18)
    const stop = abortable(opts.signal)
    const running = new Map<number, TaskHandle>() // chunk index -> task
    const results: number[] = [] // by chunk index: nonce, -1, or undefined while unknown
    let issued = 0
    let best = Infinity // lowest chunk index with a hit
    let frontier = 0 // chunks [0, frontier) are all done without a hit
    let settle!: (v: number) => void
    let fail!: (e: Error) => void
    const done = new Promise<number>((resolve, reject) => { settle = resolve; fail = reject })
    const chunkStart = (i: number): number => start + i * chunk
    const check = (): void => {
      while (frontier < issued && results[frontier] === -1) frontier++
      opts.onProgress?.({ tried: Math.min(frontier * chunk, count), next: Math.min(chunkStart(frontier), end) })
      if (best !== Infinity && frontier === best) { settle(results[best]); return }
      if (best === Infinity && chunkStart(frontier) >= end) { settle(-1); return }
      // keep every worker busy with the next chunks, never past a known hit
      while (running.size < pool.size && chunkStart(issued) < end && issued < best) issue(issued++)
    }
    const issue = (i: number): void => {
      const s = chunkStart(i)
      const h = pool.submit({ op: 'pow', prefix: prefixCopy, bits, start: s, count: Math.min(chunk, end - s) })
      running.set(i, h)
      h.promise.then((r) => {
        running.delete(i)
        results[i] = r.nonce as number
        if (r.nonce !== -1 && i < best) {
          best = i
          for (const [j, t] of running) if (j > i) { t.cancel(); running.delete(j) }
        }
        check()
      }, (err: Error) => { if (running.get(i) === h) fail(err) })
    }
    try {
      check()
      return await Promise.race([done, stop.promise])
    } finally {
      stop.off()
      for (const t of running.values()) t.cancel()
    }
  })
}

export interface VdfVerifyProgress {
  /** Chain steps recomputed so far. */
  done: number
  /** Steps to recompute in all (segments × steps / k). */
  total: number
}

export interface ParallelVdfOptions {
  signal?: AbortSignal
  onProgress?: (p: VdfVerifyProgress) => void
  threads?: number
  /** Steps per progress report inside one segment (default 2^20). */
  slice?: number
  pool?: KernelPool
}

/**
 * True when every chosen segment j of the chain recomputes from checkpoint
 * j-1 (the seed for j = 0) to checkpoint j in steps / k hashes; false at the
 * first mismatch (remaining segments are cancelled).
 */
export async function parallelVdfVerify (seed: Uint8Array, checkpoints: Uint8Array, steps: number, k: number,
  segmentIndices: readonly number[], opts: ParallelVdfOptions = {}): Promise<boolean> {
  checkVdf(seed, steps, k)
  checkBytes('checkpoints', checkpoints, k * HASH_BYTES)
  if (!Array.isArray(segmentIndices)) throw new TypeError('segmentIndices must be an array')
  for (const j of segmentIndices) checkInt('segment index', j, 0, k - 1)
  const slice = opts.slice ?? 1 << 20
  checkInt('slice', slice, 1, MAX_NONCE)
  throwIfAborted(opts.signal)
  const segs = [...new Set(segmentIndices)].sort((a, b) => a - b)
  if (segs.length === 0) return true
  const per = steps / k
  const total = per * segs.length
  const cps = Uint8Array.from(checkpoints)
  const seedCopy = Uint8Array.from(seed)
  return await withPool(opts, async (pool) => {
    const stop = abortable(opts.signal)
    let doneSteps = 0
    const report = (n: number): void => { doneSteps += n; opts.onProgress?.({ done: doneSteps, total }) }
    const tasks = segs.map((j) => {
      let seen = 0
      const from = j === 0 ? seedCopy : Uint8Array.from(cps.subarray((j - 1) * HASH_BYTES, j * HASH_BYTES))
      const h = pool.submit({ op: 'segment', start: from, steps: per, slice }, (n) => { seen += n; report(n) })
      return { j, h, finish: () => { report(per - seen) } }
    })
    const all = new Promise<boolean>((resolve, reject) => {
      let left = tasks.length
      for (const t of tasks) {
        t.h.promise.then((r) => {
          t.finish()
          const want = cps.subarray(t.j * HASH_BYTES, (t.j + 1) * HASH_BYTES)
          const got = r.value as Uint8Array
          let diff = 0
          for (let i = 0; i < HASH_BYTES; i++) diff |= got[i] ^ want[i]
          if (diff !== 0) { resolve(false); return }
          if (--left === 0) resolve(true)
        }, reject)
      }
    })
    all.catch(() => {})
    try {
      return await Promise.race([all, stop.promise])
    } finally {
      stop.off()
      for (const t of tasks) t.h.cancel()
    }
  })
}
