/**
 * A donor that can reach the node only through the edge relay (in workerd,
 * loopback) completes a job: the node started with `relay` hands the relay
 * channel to its job service, the donor is chosen with the node's two
 * threads for a k=3, q=2 job, and the accepted result is on the ledger with
 * the donor's attestation, transport 'relay'.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { HyperMeshNode } from '../../node-host/node/node.ts'
import { openRelayChannel, relayTargetFromConfig } from '../../browser-host/src/transport/relay.ts'
import { toHex } from '../../ts/ledger/index.ts'
import { nodeIdOf } from '../../ts/identity/index.ts'
import { createJob, encodeJob, jobId, runJobOutcome } from '../../ts/vm/index.ts'
import { startDonor, type DonorEvent } from '../../ts/jobs/donor.ts'
import { getJobRecord } from '../../ts/jobs/ledger.ts'
import { testKeyPair } from '../fixtures/keys.ts'
import { wranglerDryRun, startRelay, until, removeDir, type RunningRelay, type DryRun } from '../edge-relay/_relay.ts'

let build: DryRun
let relay: RunningRelay
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hm-relay-job-'))
  build = await wranglerDryRun()
  if (build.code !== 0) throw new Error(build.output)
  relay = await startRelay(build.outdir)
}, 120_000)
afterAll(async () => {
  await relay?.dispose()
  if (build !== undefined) await removeDir(build.outdir)
  await rm(dir, { recursive: true, force: true })
}, 30_000)

describe('donating through the edge relay', () => {
  it('a donor reaching the node only through the relay runs its share of a k=3 job, accepted and on the ledger', async () => {
    const node = await HyperMeshNode.start({ dataDir: dir, dev: true, http: { host: '127.0.0.1', port: 0 }, txIntervalMs: 0, relay: relay.url, jobThreads: 2 })
    try {
      await until(() => node.relay?.connected === true, 15_000, 'the node on the relay')
      // what a page learns from /api/donate/config (or its query string)
      const config = await (await fetch(`${node.httpUrl!}/api/donate/config`)).json() as Record<string, unknown>
      const target = relayTargetFromConfig(config)
      expect(target).not.toBeNull()
      const kp = testKeyPair(13)
      const ch = await openRelayChannel({ ...target!, keyPair: kp, keepAliveMs: 0 })
      expect(ch.transport).toBe('relay')
      const events: DonorEvent[] = []
      const donor = startDonor({ channel: ch, keyPair: kp, kind: 'browser', runJob: async (j) => await runJobOutcome(j), onEvent: (e) => events.push(e) })
      try {
        await until(() => events.some((e) => e.type === 'connected'), 15_000, 'the donor welcomed')
        const job = createJob({ js: 'function run (i) { return i.map((b) => b ^ 0x5a) }' }, new Uint8Array([1, 2, 3]), { memoryBytes: 1 << 20, fuel: 10n ** 8n, wallMs: 10_000, outputBytes: 1024 })
        const r = await fetch(`${node.httpUrl!}/api/jobs?k=3&q=2`, { method: 'POST', body: encodeJob(job) as BodyInit })
        expect(r.status).toBe(202)
        const { id } = await r.json() as { id: string }
        let s: { state: string, error: string | null, workers: Array<{ worker: string, transport: string, agreed: boolean | null }> } | undefined
        for (let i = 0; i < 6 && s?.state !== 'committed' && s?.state !== 'failed'; i++) s = await (await fetch(`${node.httpUrl!}/api/job?id=${id}&wait=20000`)).json() as typeof s
        expect(s!.state, s!.error ?? '').toBe('committed')
        const me = toHex(nodeIdOf(kp.publicKey))
        expect(s!.workers.find((w) => w.worker === me)).toMatchObject({ transport: 'relay', agreed: true })
        const rec = getJobRecord(node.ledger.stateReader, jobId(job))!
        expect(rec.agreeing.map(toHex)).toContain(me)
      } finally { donor.stop() }
    } finally { await node.stop() }
  }, 120_000)
})
