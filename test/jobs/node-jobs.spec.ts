/**
 * Jobs on a real node: two worker threads and a donor connected over a real
 * WebSocket to /jobs/ws. A k=3, q=2 job is run by all three, accepted, and
 * its result with the three FALCON attestations is on the ledger; a donor
 * that lies is outvoted and recorded as disagreeing; a job that loops
 * forever is stopped at its fuel limit (every worker agrees it failed); one
 * that allocates past its memory limit fails cleanly; malformed job bytes
 * get a 400 with the reason. Also `hypermesh job submit --wait`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { spawn } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { HyperMeshNode } from '../../node-host/node/node.ts'
import { toHex } from '../../ts/ledger/index.ts'
import { nodeIdOf } from '../../ts/identity/index.ts'
import { createJob, encodeJob, jobId, runJobOutcome, type Job, type JobLimits, type JobOutcome } from '../../ts/vm/index.ts'
import { webSocketChannel, type WebSocketLike } from '../../ts/jobs/channel.ts'
import { startDonor, type Donor, type DonorEvent } from '../../ts/jobs/donor.ts'
import { getJobRecord, getWorkerRecord } from '../../ts/jobs/ledger.ts'
import { testKeyPair } from '../fixtures/keys.ts'

const BIN = path.resolve(import.meta.dirname, '../../node-host/bin/hypermesh.mjs')
const LIMITS: JobLimits = { memoryBytes: 16 << 20, fuel: 10n ** 9n, wallMs: 20_000, outputBytes: 1 << 16 }
let node: HyperMeshNode
let dir: string
let base: string

interface Status { id: string, state: string, workers: Array<{ worker: string, kind: string, transport: string, digest: string | null, agreed: boolean | null, error: string | null }>, digest: string | null, output: string | null, error: string | null, tx: string | null, height: number | null }

async function connectDonor (i: number, runJob: (job: Job) => Promise<JobOutcome>): Promise<{ donor: Donor, events: DonorEvent[], id: string }> {
  const kp = testKeyPair(i)
  const ws = new WebSocket(base.replace('http', 'ws') + '/jobs/ws')
  await new Promise<void>((resolve, reject) => { ws.addEventListener('open', () => resolve()); ws.addEventListener('error', () => reject(new Error('ws failed'))) })
  const events: DonorEvent[] = []
  const connected = new Promise<void>((resolve) => {
    const donor = startDonor({ channel: webSocketChannel(ws as unknown as WebSocketLike), keyPair: kp, kind: 'node', runJob: async (j) => await runJob(j), onEvent: (e) => { events.push(e); if (e.type === 'connected') resolve() } })
    ;(connectDonor as unknown as { last: Donor }).last = donor
  })
  await connected
  return { donor: (connectDonor as unknown as { last: Donor }).last, events, id: toHex(nodeIdOf(kp.publicKey)) }
}

async function submit (job: Job, k = 3, q = 2): Promise<Response> {
  return await fetch(`${base}/api/jobs?k=${k}&q=${q}`, { method: 'POST', body: encodeJob(job) as BodyInit, signal: AbortSignal.timeout(30_000) })
}
async function settle (id: string): Promise<Status> {
  for (let i = 0; i < 10; i++) {
    const s = await (await fetch(`${base}/api/job?id=${id}&wait=20000`, { signal: AbortSignal.timeout(30_000) })).json() as Status
    if (s.state === 'committed' || s.state === 'failed') return s
  }
  throw new Error(`job ${id} did not settle`)
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hm-jobs-'))
  node = await HyperMeshNode.start({ dataDir: dir, dev: true, http: { host: '127.0.0.1', port: 0 }, txIntervalMs: 0, jobThreads: 2 })
  base = node.httpUrl!
}, 120_000)
afterAll(async () => {
  await node?.stop()
  await rm(dir, { recursive: true, force: true })
}, 60_000)

describe('jobs on a node: threads and a WebSocket donor', () => {
  it('a k=3 q=2 job runs on two threads and the donor, is accepted, and its attested result is on the ledger', async () => {
    const d = await connectDonor(11, async (j) => await runJobOutcome(j))
    try {
      const job = createJob({ js: 'function run (i) { let h = 7; for (const b of i) h = (h * 31 + b) >>> 0; return new Uint8Array([h >>> 24, (h >>> 16) & 255, (h >>> 8) & 255, h & 255]) }' }, new Uint8Array([1, 2, 3, 4, 5]), LIMITS)
      const r = await submit(job)
      expect(r.status).toBe(202)
      const { id } = await r.json() as { id: string }
      expect(id).toBe(toHex(jobId(job)))
      const s = await settle(id)
      expect(s.state, s.error ?? '').toBe('committed')
      expect(s.workers.map((w) => w.kind).sort()).toEqual(['node', 'thread', 'thread'])
      expect(s.workers.find((w) => w.kind === 'node')).toMatchObject({ worker: d.id, transport: 'websocket', agreed: true })
      const expected = await runJobOutcome(job)
      expect(expected.ok).toBe(true)
      expect(Buffer.from(s.output!, 'base64')).toEqual(Buffer.from((expected as { output: Uint8Array }).output))
      const rec = getJobRecord(node.ledger.stateReader, jobId(job))!
      expect(rec.agreeing.length).toBe(3)
      expect(rec.disagreeing.length).toBe(0)
      expect(Number(rec.height)).toBe(s.height)
      expect(getWorkerRecord(node.ledger.stateReader, Buffer.from(d.id, 'hex')).valid).toBeGreaterThanOrEqual(1)
      expect(d.events.some((e) => e.type === 'job-done')).toBe(true)
      // the donor is told its standing from the ledger
      await expect.poll(() => d.events.some((e) => e.type === 'stats' && e.accepted >= 1), { timeout: 10_000 }).toBe(true)
    } finally { d.donor.stop() }
  }, 120_000)

  it('a donor that returns a wrong result is outvoted and recorded as disagreeing on the ledger', async () => {
    const liar = await connectDonor(12, async (j) => {
      const o = await runJobOutcome(j)
      return o.ok ? { ...o, output: Uint8Array.from(o.output, (b) => b ^ 0xff) } : o
    })
    try {
      const job = createJob({ js: 'function run (i) { return i.map((b) => b + 1) }' }, new Uint8Array([10, 20, 30]), LIMITS)
      const s = await settle((await (await submit(job)).json() as { id: string }).id)
      expect(s.state, s.error ?? '').toBe('committed')
      expect(Array.from(Buffer.from(s.output!, 'base64'))).toEqual([11, 21, 31])
      expect(s.workers.find((w) => w.worker === liar.id)?.agreed).toBe(false)
      const rec = getJobRecord(node.ledger.stateReader, jobId(job))!
      expect(rec.disagreeing.map((x) => toHex(x))).toEqual([liar.id])
      expect(getWorkerRecord(node.ledger.stateReader, Buffer.from(liar.id, 'hex')).invalid).toBe(1)
    } finally { liar.donor.stop() }
  }, 120_000)

  it('a worker that fails mid-job is replaced by the next candidate and the job still commits', async () => {
    const flaky = await connectDonor(9, async () => { throw new Error('this donor breaks every job') })
    const honest = await connectDonor(10, async (j) => await runJobOutcome(j))
    try {
      let seen = false
      for (let i = 0; i < 10 && !seen; i++) {
        const job = createJob({ js: `function run (i) { return i.map((b) => b + ${i}) }` }, new Uint8Array([1, 2, 3]), LIMITS)
        const s = await settle((await (await submit(job)).json() as { id: string }).id)
        expect(s.state, JSON.stringify(s.workers)).toBe('committed')
        const f = s.workers.find((w) => w.worker === flaky.id)
        if (f === undefined) continue
        seen = true
        expect(f.error).toMatch(/this donor breaks every job/)
        expect(s.workers.length).toBe(4) // the flaky slot moved to the one candidate left
        expect(s.workers.filter((w) => w.agreed === true).length).toBe(3)
      }
      expect(seen, 'the flaky donor was chosen for at least one of 10 jobs (3 of 4 candidates each time)').toBe(true)
    } finally { flaky.donor.stop(); honest.donor.stop() }
  }, 180_000)

  it('a job that loops forever is stopped at its limit; one that allocates past its memory limit fails cleanly', async () => {
    // two threads + q=2 of k=2: both must agree
    const loop = createJob({ js: 'function run () { for (;;) {} }' }, new Uint8Array(0), { ...LIMITS, fuel: 10n ** 7n, wallMs: 5000 })
    const s1 = await settle((await (await submit(loop, 2, 2)).json() as { id: string }).id)
    expect(s1.state, JSON.stringify(s1.workers)).toBe('committed')
    expect(s1.output).toBeNull()
    expect(s1.error).toMatch(/^JobTimeoutError/)
    const hog = createJob({ js: 'function run () { const a = []; for (;;) a.push(new Array(1e5).fill(1)) }' }, new Uint8Array(0), { ...LIMITS, memoryBytes: 4 << 20, fuel: 10n ** 10n })
    const s2 = await settle((await (await submit(hog, 2, 2)).json() as { id: string }).id)
    expect(s2.state, s2.error ?? '').toBe('committed')
    expect(s2.error).toMatch(/^JobMemoryError/)
    expect((await fetch(`${base}/api/status`)).status).toBe(200) // the host is fine
  }, 120_000)

  it('refuses malformed job bytes, a bad quorum and too few workers with a clear error', async () => {
    const bad = await fetch(`${base}/api/jobs?k=3&q=2`, { method: 'POST', body: new Uint8Array([1, 2, 3, 4]) })
    expect(bad.status).toBe(400)
    expect((await bad.json() as { error: string }).error).toMatch(/^malformed job: /)
    const job = createJob({ js: 'function run (i) { return i }' }, new Uint8Array([1]), LIMITS)
    const q = await submit(job, 3, 1)
    expect(q.status).toBe(400)
    expect((await q.json() as { error: string }).error).toMatch(/strict majority/)
    const few = await submit(job, 5, 3)
    expect(few.status).toBe(503)
    expect((await few.json() as { error: string }).error).toMatch(/needs 5 workers/)
  }, 60_000)

  it('`hypermesh job submit --wait` runs a file on the mesh and prints the committed result', async () => {
    const file = path.join(dir, 'double.js')
    await writeFile(file, 'function run (i) { return i.map((b) => b * 2) }')
    const input = path.join(dir, 'in.bin')
    await writeFile(input, new Uint8Array([1, 2, 3]))
    const r = await new Promise<{ code: number | null, out: string, err: string }>((resolve) => {
      const p = spawn(process.execPath, [BIN, 'job', 'submit', file, '--input', input, '--k', '2', '--q', '2', '--wait', '--json', '--http', base.replace('http://', '')], { stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''; let err = ''
      p.stdout.on('data', (x) => { out += x }); p.stderr.on('data', (x) => { err += x })
      p.on('exit', (code) => resolve({ code, out, err }))
    })
    expect(r.code, r.err).toBe(0)
    const s = JSON.parse(r.out) as Status
    expect(s.state).toBe('committed')
    expect(Array.from(Buffer.from(s.output!, 'base64'))).toEqual([2, 4, 6])
  }, 120_000)
})
