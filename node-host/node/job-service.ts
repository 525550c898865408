/**
 * The node's job service: keeps the workers that may run jobs — this node's
 * own worker threads (each with its own FALCON identity derived from the
 * node's key) and donors connected over a FrameChannel (WebSocket at
 * `/jobs/ws`, the edge relay, ...) — runs each submitted job on k of them
 * chosen by rendezvous hashing keyed with the job id and the latest
 * finalized block hash, accepts it when q signed results agree, and puts the
 * result with every attestation on the ledger (`job.result`, ts/jobs/ledger.ts).
 */
import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { sha256, sha384 } from '@noble/hashes/sha2.js'
import { WebSocketServer } from 'ws'
import { DOMAINS, generateKeyPair, nodeIdOf, verify, type KeyPair } from '../../ts/identity/index.ts'
import { toHex, txHash, type Block, type Ledger } from '../../ts/ledger/index.ts'
import {
  checkQuorum, decodeJob, jobId as jobIdOf, outcomeDigest, runJobOutcome, selectWorkers, tallyVotes,
  type Job, type JobOutcome
} from '../../ts/vm/index.ts'
import { runJobInWorker } from '../../ts/vm/node-runner.ts'
import { webSocketChannel, type FrameChannel, type WebSocketLike } from '../../ts/jobs/channel.ts'
import {
  DONOR_KINDS, decodeDonorMessage, encodeDonorMessage, helloMessage, outcomeFromWire, resultMessage, verifyAttestation,
  type DonorMessageValue
} from '../../ts/jobs/protocol.ts'
import { JOB_TX, MAX_LEDGER_K, encodeJobResultOp, getWorkerRecord, registeredWorkers, workerAssetDescription } from '../../ts/jobs/ledger.ts'
import { ASSET_KINDS, ASSET_TX, PRIVACY_LEVELS, encodeRegister } from '../../ts/assets/index.ts'
import { DecodeError, InvalidArgumentError } from '../../ts/errors.ts'

/** A refusal the HTTP API maps to its status. */
export class JobServiceError extends Error {
  static override readonly name = 'JobServiceError'
  override readonly name = 'JobServiceError'
  readonly status: number
  constructor (status: number, message: string) { super(message); this.status = status }
}

export interface JobServiceHost {
  nodeId: Uint8Array
  identity: KeyPair
  ledger: Ledger
  submitOwnTx: (kind: string, op: Uint8Array, workKind: number, opts?: { dryRun?: boolean }) => Promise<{ reason: string | null, tx: { kind: string } | null }>
  waitForCommit: (hashHex: string, timeoutMs?: number) => Promise<Block>
  log: (line: string) => void
  /** A worker's credit balance in micro-credits (Caesar), when the mesh runs it. */
  credits?: (nodeId: Uint8Array) => bigint
}

type WorkerKind = 'thread' | 'node' | 'browser'
interface SignedResult { publicKey: Uint8Array, digest: Uint8Array, fuelUsed: bigint, signature: Uint8Array, outcome: JobOutcome }
interface Worker {
  id: Uint8Array
  hex: string
  kind: WorkerKind
  transport: FrameChannel['transport'] | 'thread'
  run: (jobBytes: Uint8Array, job: Job, id: Uint8Array) => Promise<SignedResult>
  close?: () => void
  notify?: (m: DonorMessageValue) => void
}

export interface JobWorkerView { worker: string, kind: WorkerKind, transport: string, digest: string | null, agreed: boolean | null, error: string | null }
export interface JobStatus {
  id: string
  state: 'running' | 'accepted' | 'committed' | 'failed'
  k: number
  q: number
  submittedAt: number
  workers: JobWorkerView[]
  digest: string | null
  fuelUsed: string | null
  /** The accepted outcome: base64 output, or the error every agreeing worker hit. */
  output: string | null
  error: string | null
  tx: string | null
  height: number | null
  latencyMs: number | null
}

/** Extra time a worker gets beyond the job's wall-time limit (start-up, transport). */
const WORKER_GRACE_MS = 15_000
const HELLO_TIMEOUT_MS = 10_000
/** Donors send a heartbeat every 10 s; one silent this long is gone. */
const DONOR_SILENCE_MS = 25_000
const MAX_DONORS = 256
const MAX_JOBS_KEPT = 1000
/** How many times one of a job's k slots moves to another worker after its worker failed. */
const MAX_REPLACEMENTS = 2

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64')

export class JobService {
  private readonly host: JobServiceHost
  private readonly workers = new Map<string, Worker>()
  private readonly jobs = new Map<string, JobStatus>()
  private readonly running = new Map<string, Promise<JobStatus>>()
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 8 * 1024 * 1024 })
  private readonly threadCount: number
  private threadsReady: Promise<void> | null = null
  private registering: Promise<unknown> = Promise.resolve()
  private webTransport: { url: string, certHashes: string[] } | null = null
  relayInfo: { url: string, room: string } | null = null
  private stopped = false

  constructor (host: JobServiceHost, opts: { threads?: number } = {}) {
    this.host = host
    this.threadCount = opts.threads ?? 2
    if (!Number.isSafeInteger(this.threadCount) || this.threadCount < 0 || this.threadCount > 64) throw new InvalidArgumentError('job threads must be 0..64')
  }

  /**
   * Makes the node's worker threads workers: their FALCON keys are derived
   * from the node's key (~1 s each), and each gets its compute asset on the
   * ledger before it is eligible. Started once, in the background.
   */
  start (): Promise<void> {
    this.threadsReady ??= this.prepareThreads().catch((err: unknown) => { this.host.log(`job threads not available: ${(err as Error).message}`) })
    return this.threadsReady
  }

  /** Registers (once) the compute asset that makes `worker` eligible; resolves when it is on the ledger. */
  private async registerCompute (worker: Uint8Array): Promise<void> {
    const run = async (): Promise<void> => {
      if (registeredWorkers(this.host.ledger.stateReader, this.host.nodeId).has(toHex(worker))) return
      const op = encodeRegister({ kind: ASSET_KINDS.Cpu, capacity: 1n, privacy: PRIVACY_LEVELS.Private, allow: [], description: workerAssetDescription(worker) })
      const { reason, tx } = await this.host.submitOwnTx(ASSET_TX.register, op, 0, { dryRun: true })
      if (reason !== null || tx === null) throw new Error(`cannot register the worker's compute asset: ${reason ?? 'unknown'}`)
      await this.host.waitForCommit(toHex(txHash(tx as never)), 60_000)
    }
    const p = this.registering.then(run, run)
    this.registering = p.catch(() => {})
    await p
  }

  private async prepareThreads (): Promise<void> {
    for (let i = 0; i < this.threadCount; i++) {
      if (this.stopped) return
      // a 48-byte FALCON keygen seed: SHA-384 of the node's secret key prefix and the thread's index
      const seed = sha384(new Uint8Array([...this.host.identity.secretKey.subarray(0, 64), ...new TextEncoder().encode(`hypermesh/jobs/thread/${i}`)]))
      const kp = generateKeyPair(seed)
      const id = nodeIdOf(kp.publicKey)
      await this.registerCompute(id)
      if (this.stopped) return
      this.workers.set(toHex(id), {
        id, hex: toHex(id), kind: 'thread', transport: 'thread',
        run: async (_bytes, job, jid) => {
          let outcome: JobOutcome
          try {
            const r = await runJobInWorker(job)
            outcome = { ok: true, output: r.output, fuelUsed: r.fuelUsed }
          } catch (err) {
            const name = (err as Error).name
            if (['JobTimeoutError', 'JobMemoryError', 'JobOutputError', 'JobTrapError', 'JobModuleError'].includes(name)) outcome = { ok: false, error: name as 'JobTrapError', message: (err as Error).message }
            else throw err
          }
          const m = resultMessage(kp.secretKey, jid, outcome)
          if (m.type !== 'result') throw new Error('unreachable')
          return { publicKey: kp.publicKey, digest: m.value.digest, fuelUsed: m.value.fuelUsed, signature: m.value.signature, outcome }
        }
      })
      this.host.log(`job thread ${i} is worker ${toHex(id).slice(0, 16)}…`)
    }
  }

  // ------------------------------------------------------------ donors

  /** HTTP upgrade handler for `/jobs/ws`. `?via=webtransport|relay` is believed only from 127.0.0.1 (a local gateway). */
  upgrade (req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.stopped) { socket.destroy(); return }
    const url = new URL(req.url ?? '/', 'http://x')
    const via = url.searchParams.get('via')
    const local = req.socket.remoteAddress === '127.0.0.1' || req.socket.remoteAddress === '::1' || req.socket.remoteAddress === '::ffff:127.0.0.1'
    const transport: FrameChannel['transport'] = local && (via === 'webtransport' || via === 'relay') ? via : 'websocket'
    this.wss.handleUpgrade(req, socket, head, (ws) => { this.acceptChannel(webSocketChannel(ws as unknown as WebSocketLike, transport)) })
  }

  /** Takes a donor's channel: challenge, verify its hello, then it is a worker until the channel closes. */
  acceptChannel (ch: FrameChannel): void {
    if (this.stopped || [...this.workers.values()].filter((w) => w.kind !== 'thread').length >= MAX_DONORS) { ch.close(); return }
    const nonce = new Uint8Array(randomBytes(32))
    const send = (m: DonorMessageValue): boolean => { try { ch.send(encodeDonorMessage(m)); return true } catch { return false } }
    let worker: Worker | undefined
    let registeringDonor = false
    let lastHeard = Date.now()
    // a donor silent for 2.5 heartbeats (its tab closed, its network gone) is dropped
    const watchdog = setInterval(() => { if (Date.now() - lastHeard > DONOR_SILENCE_MS) { this.host.log('a donor went silent; dropping it'); ch.close() } }, 5000)
    watchdog.unref()
    let closedCh = false
    const pending = new Map<string, { resolve: (r: SignedResult) => void, reject: (e: Error) => void }>()
    const helloTimer = setTimeout(() => { if (worker === undefined) { send({ type: 'error', value: { message: 'no hello within 10 s' } }); ch.close() } }, HELLO_TIMEOUT_MS)
    ch.onClose(() => {
      clearInterval(watchdog)
      closedCh = true
      clearTimeout(helloTimer)
      for (const p of pending.values()) p.reject(new Error('the donor disconnected'))
      pending.clear()
      if (worker !== undefined && this.workers.get(worker.hex) === worker) {
        this.workers.delete(worker.hex)
        this.host.log(`donor ${worker.hex.slice(0, 16)}… (${worker.kind}, ${worker.transport}) left`)
      }
    })
    ch.onFrame((frame) => {
      let m: DonorMessageValue
      try { m = decodeDonorMessage(frame) } catch (err) {
        send({ type: 'error', value: { message: `malformed frame: ${(err as Error).message}`.slice(0, 290) } })
        ch.close()
        return
      }
      lastHeard = Date.now()
      if (worker === undefined) {
        if (registeringDonor) return // frames before the welcome are not expected; ignore
        if (m.type !== 'hello') { send({ type: 'error', value: { message: 'say hello first' } }); ch.close(); return }
        let id: Uint8Array
        try { id = nodeIdOf(m.value.publicKey) } catch { send({ type: 'error', value: { message: 'not a FALCON-1024 public key' } }); ch.close(); return }
        if (!verify(m.value.publicKey, DOMAINS.JobHello, helloMessage(nonce, this.host.nodeId), m.value.signature)) {
          send({ type: 'error', value: { message: 'hello signature does not verify' } }); ch.close(); return
        }
        clearTimeout(helloTimer)
        if (registeringDonor) return
        registeringDonor = true
        const publicKey = m.value.publicKey
        const kind: WorkerKind = m.value.kind === DONOR_KINDS.browser ? 'browser' : 'node'
        const w: Worker = {
          id, hex: toHex(id), kind, transport: ch.transport,
          close: () => { ch.close() },
          notify: (x) => { send(x) },
          run: async (jobBytes, _job, jid) => await new Promise<SignedResult>((resolve, reject) => {
            const key = toHex(jid)
            if (pending.has(key)) { reject(new Error('this donor is already running the job')); return }
            pending.set(key, { resolve: (r) => resolve({ ...r, publicKey }), reject })
            if (!send({ type: 'offer', value: { job: jobBytes } })) { pending.delete(key); reject(new Error('the donor disconnected')) }
          })
        }
        // eligible once its compute asset is on the ledger
        this.registerCompute(id).then(() => {
          if (closedCh || this.stopped) return
          this.workers.get(w.hex)?.close?.() // a newer session of the same donor replaces the older
          worker = w
          this.workers.set(w.hex, w)
          send({ type: 'welcome', value: { worker: id } })
          this.sendStats(w)
          this.host.log(`donor ${w.hex.slice(0, 16)}… (${kind}) joined over ${ch.transport}`)
        }, (err: Error) => { send({ type: 'error', value: { message: err.message.slice(0, 290) } }); ch.close() })
        return
      }
      if (m.type === 'bye') { ch.close(); return }
      if (m.type === 'result') {
        const key = toHex(m.value.jobId)
        const p = pending.get(key)
        if (p === undefined) return // late or unsolicited: ignored
        pending.delete(key)
        const outcome = outcomeFromWire(m.value.outcome, m.value.fuelUsed)
        if (outcome === undefined) { p.reject(new Error('result names an unknown error')); return }
        const fuel = outcome.ok ? outcome.fuelUsed : 0n
        // the digest must be the outcome's, and the attestation must be the donor's
        if (fuel !== m.value.fuelUsed || toHex(outcomeDigest(outcome)) !== toHex(m.value.digest)) { p.reject(new Error('result digest does not match its outcome')); return }
        p.resolve({ publicKey: new Uint8Array(0), digest: m.value.digest, fuelUsed: m.value.fuelUsed, signature: m.value.signature, outcome })
      } else if (m.type === 'error') {
        // a donor's error fails only the job it was running (if one)
        if (pending.size === 1) { const [k, p] = [...pending.entries()][0]; pending.delete(k); p.reject(new Error(`donor: ${m.value.message}`)) }
      }
    })
    send({ type: 'challenge', value: { node: this.host.nodeId, nonce } })
  }

  /** Tells a donor its standing from the ledger: results that matched an accepted one, and its credit balance. */
  private sendStats (w: Worker): void {
    if (w.notify === undefined) return
    const accepted = getWorkerRecord(this.host.ledger.stateReader, w.id).valid
    let credits = 0n
    try { credits = this.host.credits?.(w.id) ?? 0n } catch { /* no credits service */ }
    w.notify({ type: 'stats', value: { accepted, credits: credits < 0n ? 0n : credits } })
  }

  /** Connected workers (threads first). */
  listWorkers (): Array<{ worker: string, kind: WorkerKind, transport: string, valid: number, invalid: number }> {
    return [...this.workers.values()].map((w) => {
      const r = getWorkerRecord(this.host.ledger.stateReader, w.id)
      return { worker: w.hex, kind: w.kind, transport: w.transport, valid: r.valid, invalid: r.invalid }
    })
  }

  setWebTransport (info: { url: string, certHashes: string[] } | null): void { this.webTransport = info }

  donateConfig (httpBase: string): unknown {
    return {
      nodeId: toHex(this.host.nodeId),
      websocket: httpBase.replace(/^http/, 'ws') + '/jobs/ws',
      webtransport: this.webTransport,
      relay: this.relayInfo
    }
  }

  // ------------------------------------------------------------- jobs

  /** Starts a job (idempotent per job id); resolves, once the node's own workers are ready, with its id. */
  async submit (jobBytes: Uint8Array, k: number, q: number): Promise<{ id: string, status: JobStatus }> {
    if (this.stopped) throw new JobServiceError(503, 'the job service is stopping')
    let job: Job
    try { job = decodeJob(jobBytes) } catch (err) {
      throw new JobServiceError(400, `malformed job: ${err instanceof DecodeError ? err.message : (err as Error).message}`)
    }
    try { checkQuorum(k, q) } catch (err) { throw new JobServiceError(400, (err as Error).message) }
    if (k > MAX_LEDGER_K) throw new JobServiceError(400, `k must be at most ${MAX_LEDGER_K}`)
    const id = jobIdOf(job)
    const hex = toHex(id)
    const known = this.jobs.get(hex)
    if (known !== undefined && known.state !== 'failed') return { id: hex, status: known }
    await Promise.race([this.start(), new Promise((resolve) => setTimeout(resolve, 30_000).unref())])
    const candidates = [...this.workers.keys()]
    if (candidates.length < k) throw new JobServiceError(503, `k=${k} needs ${k} workers; ${candidates.length} connected (${this.threadCount} threads + donors)`)
    // the mesh's randomness, not the submitter's: rendezvous key = SHA-256(job id ‖ latest finalized block hash)
    const key = sha256(new Uint8Array([...id, ...this.host.ledger.lastHash]))
    const chosen = selectWorkers(key, candidates, k).map((h) => this.workers.get(h)!)
    const status: JobStatus = {
      id: hex, state: 'running', k, q, submittedAt: Date.now(),
      workers: chosen.map((w) => ({ worker: w.hex, kind: w.kind, transport: w.transport, digest: null, agreed: null, error: null })),
      digest: null, fuelUsed: null, output: null, error: null, tx: null, height: null, latencyMs: null
    }
    this.jobs.set(hex, status)
    if (this.jobs.size > MAX_JOBS_KEPT) this.jobs.delete(this.jobs.keys().next().value as string)
    const p = this.runJob(jobBytes, job, id, status, chosen, key).catch((err: unknown) => {
      status.state = 'failed'
      status.error = (err as Error).message
      return status
    })
    this.running.set(hex, p)
    void p.finally(() => this.running.delete(hex))
    return { id: hex, status }
  }

  get (idHex: string): JobStatus | undefined { return this.jobs.get(idHex.toLowerCase()) }

  /** Resolves when the job is committed or failed (or after timeoutMs with its status then). */
  async wait (idHex: string, timeoutMs: number): Promise<JobStatus | undefined> {
    const p = this.running.get(idHex.toLowerCase())
    if (p !== undefined) await Promise.race([p, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())])
    return this.get(idHex)
  }

  private async runJob (jobBytes: Uint8Array, job: Job, id: Uint8Array, status: JobStatus, chosen: Worker[], key: Uint8Array): Promise<JobStatus> {
    const deadline = job.limits.wallMs + WORKER_GRACE_MS
    const results = new Map<string, SignedResult>()
    const order: string[] = []
    const tried = new Set(chosen.map((w) => w.hex))
    // each of the k slots runs on its worker; a worker that fails (disconnects,
    // times out, sends a bad attestation) is replaced by the next candidate in
    // rendezvous order, at most MAX_REPLACEMENTS times per slot
    await Promise.all(chosen.map(async (first, slot) => {
      let w: Worker | undefined = first
      let view = status.workers[slot]
      for (let attempt = 0; w !== undefined; attempt++) {
        let timer: NodeJS.Timeout | undefined
        try {
          const r = await Promise.race([
            w.run(jobBytes, job, id),
            new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`no result within ${deadline} ms`)), deadline) })
          ])
          if (!verifyAttestation(r.publicKey, id, r.digest, r.fuelUsed, r.signature)) throw new Error('attestation signature does not verify')
          results.set(w.hex, r)
          order.push(w.hex)
          view.digest = toHex(r.digest)
          return
        } catch (err) {
          view.error = (err as Error).message
        } finally { clearTimeout(timer) }
        if (attempt >= MAX_REPLACEMENTS || this.stopped) return
        const next = selectWorkers(key, [...this.workers.keys()], 1, tried)[0]
        if (next === undefined) return
        tried.add(next)
        w = this.workers.get(next)
        if (w === undefined) return
        view = { worker: w.hex, kind: w.kind, transport: w.transport, digest: null, agreed: null, error: null }
        status.workers.push(view)
      }
    }))
    const tally = tallyVotes(order.map((h) => ({ worker: h, digest: results.get(h)!.digest })), status.q)
    const acc = tally.accepted
    if (acc === undefined) {
      status.state = 'failed'
      status.error = `no ${status.q} of ${status.k} results agreed (${results.size} results)`
      for (const v of status.workers) v.agreed = v.digest === null ? null : false
      return status
    }
    const accepted = [...results.entries()].find(([w]) => acc.workers.includes(w))![1]
    status.state = 'accepted'
    status.digest = toHex(acc.digest)
    status.fuelUsed = accepted.fuelUsed.toString()
    status.output = accepted.outcome.ok ? b64(accepted.outcome.output) : null
    status.error = accepted.outcome.ok ? null : `${accepted.outcome.error}: ${accepted.outcome.message}`
    for (const v of status.workers) v.agreed = v.digest === null ? null : v.digest === status.digest
    const op = encodeJobResultOp({
      jobId: id, k: status.k, q: status.q, digest: acc.digest, fuelUsed: accepted.fuelUsed,
      attestations: order.map((h) => { const r = results.get(h)!; return { publicKey: r.publicKey, digest: r.digest, fuelUsed: r.fuelUsed, signature: r.signature } })
    })
    const { reason, tx } = await this.host.submitOwnTx(JOB_TX.result, op, 1, { dryRun: true })
    if (reason !== null || tx === null) { status.state = 'failed'; status.error = `job.result refused: ${reason ?? 'unknown'}`; return status }
    status.tx = toHex(txHash(tx as never))
    const b = await this.host.waitForCommit(status.tx, 60_000)
    status.state = 'committed'
    status.height = b.height
    status.latencyMs = Date.now() - status.submittedAt
    for (const w of chosen) this.sendStats(w)
    return status
  }

  /** Runs a job in this process (the baseline for benchmarks; not part of any quorum). */
  static async runLocal (job: Job): Promise<JobOutcome> { return await runJobOutcome(job) }

  stop (): void {
    this.stopped = true
    for (const w of this.workers.values()) w.close?.()
    this.workers.clear()
    this.wss.close()
  }
}
