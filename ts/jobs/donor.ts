/**
 * A donor: answers the node's challenge with its FALCON identity, runs the
 * jobs it is offered one at a time with the runner it is given (a Web Worker
 * in browsers, a worker thread in Node), and returns each outcome with its
 * signed attestation. Platform-neutral.
 */
import { DecodeError } from '../errors.ts'
import { DOMAINS, sign } from '../identity/index.ts'
import { decodeJob, jobId as jobIdOf, type Job, type JobOutcome } from '../vm/index.ts'
import type { FrameChannel } from './channel.ts'
import { DONOR_KINDS, decodeDonorMessage, encodeDonorMessage, helloMessage, resultMessage, type DonorKind, type DonorMessageValue } from './protocol.ts'

export type DonorEvent =
  | { type: 'connected', worker: Uint8Array, transport: FrameChannel['transport'] }
  | { type: 'job-start', jobId: Uint8Array }
  | { type: 'job-done', jobId: Uint8Array, ok: boolean, fuelUsed: bigint, ms: number }
  | { type: 'stats', accepted: number, credits: bigint }
  | { type: 'error', message: string }
  | { type: 'closed', reason?: string }

export interface DonorOptions {
  channel: FrameChannel
  keyPair: { publicKey: Uint8Array, secretKey: Uint8Array }
  kind: DonorKind
  /** Runs one job; resolves with its outcome (failures of the job are outcomes, not rejections). */
  runJob: (job: Job, signal: AbortSignal) => Promise<JobOutcome>
  onEvent?: (e: DonorEvent) => void
  /** Heartbeat interval (default 10 s). */
  heartbeatMs?: number
}

export interface Donor {
  stop (): void
  stats (): { jobsDone: number, fuelTotal: bigint, since: number }
}

/** Starts donating over `channel`; stops when the channel closes or stop() is called. */
export function startDonor (o: DonorOptions): Donor {
  const emit = (e: DonorEvent): void => { try { o.onEvent?.(e) } catch { /* a listener's bug is not the donor's */ } }
  const ctl = new AbortController()
  let jobsDone = 0
  let fuelTotal = 0n
  const since = Date.now()
  let queue: Promise<void> = Promise.resolve()
  const send = (m: DonorMessageValue): void => { try { o.channel.send(encodeDonorMessage(m)) } catch { /* closed: the close handler reports */ } }
  const hb = setInterval(() => { send({ type: 'heartbeat', value: {} }) }, o.heartbeatMs ?? 10_000)
  ;(hb as { unref?: () => void }).unref?.()

  const run = async (jobBytes: Uint8Array): Promise<void> => {
    let job: Job
    try { job = decodeJob(jobBytes) } catch (err) { send({ type: 'error', value: { message: `malformed job: ${(err as Error).message}`.slice(0, 290) } }); return }
    const id = jobIdOf(job)
    emit({ type: 'job-start', jobId: id })
    const t0 = Date.now()
    let outcome: JobOutcome
    try { outcome = await o.runJob(job, ctl.signal) } catch (err) {
      if (ctl.signal.aborted) return
      send({ type: 'error', value: { message: `runner failed: ${(err as Error).message}`.slice(0, 290) } })
      emit({ type: 'error', message: (err as Error).message })
      return
    }
    if (ctl.signal.aborted) return
    send(resultMessage(o.keyPair.secretKey, id, outcome))
    jobsDone++
    if (outcome.ok) fuelTotal += outcome.fuelUsed
    emit({ type: 'job-done', jobId: id, ok: outcome.ok, fuelUsed: outcome.ok ? outcome.fuelUsed : 0n, ms: Date.now() - t0 })
  }

  o.channel.onFrame((frame) => {
    let m: DonorMessageValue
    try { m = decodeDonorMessage(frame) } catch (err) {
      emit({ type: 'error', message: err instanceof DecodeError ? `malformed frame from the node: ${err.message}` : String(err) })
      return
    }
    switch (m.type) {
      case 'challenge': {
        const signature = sign(o.keyPair.secretKey, DOMAINS.JobHello, helloMessage(m.value.nonce, m.value.node))
        send({ type: 'hello', value: { kind: DONOR_KINDS[o.kind], publicKey: o.keyPair.publicKey, signature } })
        break
      }
      case 'welcome': emit({ type: 'connected', worker: m.value.worker, transport: o.channel.transport }); break
      case 'offer': { const b = m.value.job; queue = queue.then(async () => { await run(b) }); break }
      case 'stats': emit({ type: 'stats', accepted: m.value.accepted, credits: m.value.credits }); break
      case 'error': emit({ type: 'error', message: m.value.message }); break
      default: break
    }
  })
  o.channel.onClose((err) => { clearInterval(hb); ctl.abort(); emit({ type: 'closed', ...(err !== undefined ? { reason: err.message } : {}) }) })

  return {
    stop () { clearInterval(hb); ctl.abort(); send({ type: 'bye', value: {} }); o.channel.close() },
    stats: () => ({ jobsDone, fuelTotal, since })
  }
}
