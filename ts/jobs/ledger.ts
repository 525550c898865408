/**
 * Jobs on the ledger. A coordinator (the node that ran the job's quorum)
 * submits `job.result` with every attestation it received; each replica
 * re-checks it — every FALCON attestation verifies, at least q distinct
 * workers attested the accepted digest and its fuel, no job is recorded
 * twice — and records the result, who agreed, who disagreed, and each
 * worker's running record.
 *
 * State keys:
 * | key | value |
 * |---|---|
 * | `job/<jobIdHex>` | JobRecord: digest, fuel used, k, q, height, coordinator, agreeing and disagreeing workers |
 * | `job-worker/<nodeIdHex>` | WorkerRecord: results that matched an accepted one, results that did not |
 *
 * Every attesting worker must have a compute asset registered by the
 * coordinator (`workerAssetDescription`): jobs go only to workers that
 * registered compute on the ledger.
 */
import {
  struct, bytes, varBytes, vector, u8, u32, u64, encodeCanonical, decodeCanonical, equalBytes, type CoderType
} from '../wire/index.ts'
import { TxRejectedError, type Ledger, type StateReader } from '../ledger/index.ts'
import { nodeIdOf } from '../identity/index.ts'
import { checkQuorum, jobIdHex, tallyVotes } from '../vm/index.ts'
import { MAX_PUBLIC_KEY_BYTES, MAX_SIGNATURE_BYTES, verifyAttestation } from './protocol.ts'
import { ASSET_KINDS, ASSET_STATES, assetsOf, getAsset } from '../assets/index.ts'

/**
 * The description of the compute asset (kind Cpu) a coordinator registers
 * for each worker it may give jobs to — its own worker threads and each
 * donor — before that worker is eligible: `job worker <NodeId hex>`.
 */
export function workerAssetDescription (worker: Uint8Array): string { return `job worker ${jobIdHex(worker)}` }

/** The workers (NodeId hex) for which `owner` holds a live compute asset. */
export function registeredWorkers (state: StateReader, owner: Uint8Array): Set<string> {
  const out = new Set<string>()
  for (const id of assetsOf(state, owner)) {
    const a = getAsset(state, id)
    if (a === undefined || a.kind !== ASSET_KINDS.Cpu || a.state === ASSET_STATES.Failed) continue
    const m = /^job worker ([0-9a-f]{64})$/.exec(a.description)
    if (m !== null) out.add(m[1])
  }
  return out
}

export const JOB_TX = Object.freeze({ result: 'job.result' } as const)
/** Most attestations in one job.result (k ≤ 16 on the ledger). */
export const MAX_LEDGER_K = 16

export const Attestation = struct({ publicKey: varBytes(MAX_PUBLIC_KEY_BYTES), digest: bytes(32), fuelUsed: u64, signature: varBytes(MAX_SIGNATURE_BYTES) }, 'attestation')
export const JobResultOp = struct({
  jobId: bytes(32), k: u8, q: u8, digest: bytes(32), fuelUsed: u64, attestations: vector(Attestation, MAX_LEDGER_K)
}, 'job.result')
export const JobRecord = struct({
  digest: bytes(32), fuelUsed: u64, k: u8, q: u8, height: u64, coordinator: bytes(32),
  agreeing: vector(bytes(32), MAX_LEDGER_K), disagreeing: vector(bytes(32), MAX_LEDGER_K)
}, 'job record')
export const WorkerRecord = struct({ valid: u32, invalid: u32 }, 'worker record')

export type JobResultOpValue = CoderType<typeof JobResultOp>
export type JobRecordValue = CoderType<typeof JobRecord>
export type WorkerRecordValue = CoderType<typeof WorkerRecord>

export function encodeJobResultOp (op: JobResultOpValue): Uint8Array { return encodeCanonical(JobResultOp, op) }

const hex = (b: Uint8Array): string => jobIdHex(b)
function reject (msg: string): never { throw new TxRejectedError(msg) }

export function getJobRecord (state: StateReader, jobId: Uint8Array): JobRecordValue | undefined {
  const v = state.get(`job/${hex(jobId)}`)
  return v === undefined ? undefined : decodeCanonical(JobRecord, v)
}

export function getWorkerRecord (state: StateReader, worker: Uint8Array): WorkerRecordValue {
  const v = state.get(`job-worker/${hex(worker)}`)
  return v === undefined ? { valid: 0, invalid: 0 } : decodeCanonical(WorkerRecord, v)
}

/**
 * Checks a job.result operation the way every replica does; returns the
 * record it creates. Throws TxRejectedError naming the first problem.
 */
export function checkJobResult (op: JobResultOpValue): Omit<JobRecordValue, 'height' | 'coordinator'> {
  try { checkQuorum(op.k, op.q) } catch (err) { reject((err as Error).message) }
  if (op.k > MAX_LEDGER_K) reject(`k must be at most ${MAX_LEDGER_K}`)
  if (op.attestations.length > op.k) reject(`${op.attestations.length} attestations for k=${op.k}`)
  const workers: Uint8Array[] = []
  const seen = new Set<string>()
  for (const [i, a] of op.attestations.entries()) {
    let id: Uint8Array
    try { id = nodeIdOf(a.publicKey) } catch { return reject(`attestation ${i}: not a FALCON-1024 public key`) }
    if (seen.has(hex(id))) reject(`attestation ${i}: worker ${hex(id).slice(0, 16)}… attested twice`)
    seen.add(hex(id))
    if (!verifyAttestation(a.publicKey, op.jobId, a.digest, a.fuelUsed, a.signature)) reject(`attestation ${i}: signature does not verify`)
    workers.push(id)
  }
  const t = tallyVotes(op.attestations.map((a, i) => ({ worker: hex(workers[i]), digest: a.digest })), op.q)
  if (t.accepted === undefined) reject(`no digest has q=${op.q} attestations`)
  if (!equalBytes(t.accepted.digest, op.digest)) reject('the accepted digest is not the one q workers attested')
  const agreeing: Uint8Array[] = []
  const disagreeing: Uint8Array[] = []
  for (const [i, a] of op.attestations.entries()) {
    if (equalBytes(a.digest, op.digest)) {
      if (a.fuelUsed !== op.fuelUsed) reject(`attestation ${i}: same result with fuel ${a.fuelUsed}, not ${op.fuelUsed}`)
      agreeing.push(workers[i])
    } else disagreeing.push(workers[i])
  }
  return { digest: op.digest, fuelUsed: op.fuelUsed, k: op.k, q: op.q, agreeing, disagreeing }
}

/** Registers the job handlers on `ledger` (every replica, from genesis). */
export function registerJobs (ledger: Ledger, opts: { minStake?: number } = {}): void {
  ledger.registerHandler(JOB_TX.result, ({ tx, state, height }) => {
    let op: JobResultOpValue
    try { op = decodeCanonical(JobResultOp, tx.op) } catch (err) { return reject(`malformed job.result operation: ${(err as Error).message}`) }
    const key = `job/${hex(op.jobId)}`
    if (state.get(key) !== undefined) reject('this job\'s result is already on the ledger')
    const r = checkJobResult(op)
    const registered = registeredWorkers(state, tx.sender)
    for (const w of [...r.agreeing, ...r.disagreeing]) {
      if (!registered.has(hex(w))) reject(`worker ${hex(w).slice(0, 16)}… has no compute asset registered by the coordinator`)
    }
    state.set(key, encodeCanonical(JobRecord, { ...r, height: BigInt(height), coordinator: tx.sender }))
    for (const [list, field] of [[r.agreeing, 'valid'], [r.disagreeing, 'invalid']] as const) {
      for (const w of list) {
        const rec = getWorkerRecord(state, w)
        rec[field] = Math.min(rec[field] + 1, 0xffffffff)
        state.set(`job-worker/${hex(w)}`, encodeCanonical(WorkerRecord, rec))
      }
    }
  }, { workKind: 1, minStake: opts.minStake ?? 1 })
}
