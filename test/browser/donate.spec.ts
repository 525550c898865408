/**
 * The donate page in headless Chromium against a real node that runs its
 * WebTransport gateway (Deno, certificate pinned by hash): /donate/ opened,
 * Start pressed, the page's Web Worker reaches the node over WebTransport,
 * and a k=3, q=2 job is computed by the browser and the node's two worker
 * threads, accepted, and recorded on the ledger with the browser's
 * attestation. A job that loops forever is stopped at its limit in the
 * browser too. Reloading keeps the browser's identity and its history. With
 * WebTransport gone from the page, it falls back to WebSockets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'
import { mkdtemp, rm, access } from 'node:fs/promises'
import { spawnSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { HyperMeshNode } from '../../node-host/node/node.ts'
import { toHex } from '../../ts/ledger/index.ts'
import { createJob, encodeJob, jobId, type Job } from '../../ts/vm/index.ts'
import { getJobRecord } from '../../ts/jobs/ledger.ts'

const ROOT = path.resolve(import.meta.dirname, '../..')
const LIMITS = { memoryBytes: 16 << 20, fuel: 10n ** 9n, wallMs: 30_000, outputBytes: 1 << 16 }
let node: HyperMeshNode
let browser: Browser
let dir: string
let base: string

interface DonateState { running: boolean, transport: string | null, jobs: number, nodeId: string | null, jobsBefore: number, accepted: number, status: string, log: string[] }
interface Status { id: string, state: string, error: string | null, output: string | null, workers: Array<{ worker: string, kind: string, transport: string, agreed: boolean | null, error: string | null }> }

const donateState = async (page: Page): Promise<DonateState> => await page.evaluate(() => JSON.parse(JSON.stringify((window as unknown as { hypermeshDonate: unknown }).hypermeshDonate)) as DonateState)

async function run (job: Job): Promise<Status> {
  const r = await fetch(`${base}/api/jobs?k=3&q=2`, { method: 'POST', body: encodeJob(job) as BodyInit })
  expect(r.status).toBe(202)
  const { id } = await r.json() as { id: string }
  for (let i = 0; i < 8; i++) {
    const s = await (await fetch(`${base}/api/job?id=${id}&wait=20000`)).json() as Status
    if (s.state === 'committed' || s.state === 'failed') return s
  }
  throw new Error('job did not settle')
}

async function startDonating (page: Page, query: string): Promise<DonateState> {
  await page.goto(`${base}/donate/${query}`)
  await page.click('#toggle')
  await expect.poll(async () => (await donateState(page)).status, { timeout: 60_000 }).toBe('donating')
  return await donateState(page)
}

beforeAll(async () => {
  try { await access(path.join(ROOT, 'browser-host/dist/index.html')) } catch {
    const b = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'browser-host'], { cwd: ROOT, encoding: 'utf8' })
    if (b.status !== 0) throw new Error(`vite build browser-host failed: ${b.stderr}`)
  }
  dir = await mkdtemp(path.join(os.tmpdir(), 'hm-donate-'))
  node = await HyperMeshNode.start({ dataDir: dir, dev: true, http: { host: '127.0.0.1', port: 0 }, txIntervalMs: 0, jobThreads: 2, webtransport: { port: 0 } })
  base = node.httpUrl!
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
}, 180_000)
afterAll(async () => {
  await browser?.close()
  await node?.stop()
  await rm(dir, { recursive: true, force: true })
}, 60_000)

describe('the donate page', () => {
  it('is served at /donate (redirect to /donate/) with a policy that lets it run workers and WASM', async () => {
    const r = await fetch(`${base}/donate`, { redirect: 'manual' })
    expect(r.status).toBe(301)
    expect(r.headers.get('location')).toBe('/donate/')
    const page = await fetch(`${base}/donate/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toMatch(/wasm-unsafe-eval/)
    expect(await page.text()).toMatch(/Donate compute/)
  })

  it('Start: the browser computes a k=3 q=2 job with the node\'s threads, accepted and on the ledger; a looping job stops at its limit; a reload keeps identity and history', async () => {
    const ctx = await browser.newContext()
    const page = await ctx.newPage()
    page.on('pageerror', (e) => { throw e })
    try {
      const first = await startDonating(page, '')
      expect(first.transport, first.log.join('\n')).toBe('webtransport')
      expect(await page.textContent('#transport')).toBe('webtransport')
      const me = first.nodeId!
      expect(me).toMatch(/^[0-9a-f]{64}$/)

      const job = createJob({ js: 'function run (i) { let x = 1; for (let n = 0; n < 20000; n++) x = (x * 48271 + i[n % i.length]) % 2147483647; return new Uint8Array([x & 255, (x >> 8) & 255, (x >> 16) & 255]) }' }, new Uint8Array([3, 1, 4, 1, 5]), LIMITS)
      const s = await run(job)
      expect(s.state, s.error ?? '').toBe('committed')
      const mine = s.workers.find((w) => w.worker === me)
      expect(mine, 'the browser is one of the k=3 workers (2 threads + 1 browser)').toMatchObject({ kind: 'browser', transport: 'webtransport', agreed: true })
      expect(getJobRecord(node.ledger.stateReader, jobId(job))!.agreeing.map(toHex)).toContain(me)
      await expect.poll(async () => (await donateState(page)).jobs, { timeout: 10_000 }).toBe(1)
      await expect.poll(async () => (await donateState(page)).accepted, { timeout: 10_000 }).toBe(1)

      const loop = createJob({ js: 'function run () { for (;;) {} }' }, new Uint8Array(0), { ...LIMITS, fuel: 10n ** 7n, wallMs: 10_000 })
      const l = await run(loop)
      expect(l.state, l.error ?? '').toBe('committed')
      expect(l.error).toMatch(/^JobTimeoutError/)
      expect(l.workers.find((w) => w.worker === me)).toMatchObject({ agreed: true })

      await page.reload()
      const again = await startDonating(page, '')
      expect(again.nodeId).toBe(me)
      expect(again.jobsBefore).toBe(2)
      // Stop: the node drops this donor at once (a bye), not when the transport notices
      await page.click('#toggle')
      await expect.poll(async () => (await donateState(page)).status, { timeout: 10_000 }).toBe('stopped')
      await expect.poll(async () => ((await (await fetch(`${base}/api/jobs/workers`)).json()) as { workers: Array<{ worker: string }> }).workers.some((w) => w.worker === me), { timeout: 5000 }).toBe(false)
    } finally { await ctx.close() }
  }, 240_000)

  it('without WebTransport in the page, it falls back to WebSockets and still computes its share', async () => {
    const ctx = await browser.newContext()
    const page = await ctx.newPage()
    try {
      await page.addInitScript(() => { delete (globalThis as { WebTransport?: unknown }).WebTransport })
      const s0 = await startDonating(page, '')
      expect(s0.transport).toBe('websocket')
      expect(s0.log.join('\n')).toMatch(/no WebTransport; trying WebSockets/)
      const job = createJob({ js: 'function run (i) { return i.reverse() }' }, new Uint8Array([7, 8, 9]), LIMITS)
      const s = await run(job)
      expect(s.state, s.error ?? '').toBe('committed')
      expect(s.workers.find((w) => w.worker === s0.nodeId)).toMatchObject({ kind: 'browser', transport: 'websocket', agreed: true })
    } finally { await ctx.close() }
  }, 120_000)

  it('publishes a certificate hash of a short-lived certificate, and keeps the previous hash after a rotation', async () => {
    const before = (await (await fetch(`${base}/api/donate/config`)).json() as { webtransport: { url: string, certHashes: string[] } }).webtransport
    expect(before.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/jobs$/)
    expect(before.certHashes).toHaveLength(1)
    await node.webtransport!.rotate()
    const after = (await (await fetch(`${base}/api/donate/config`)).json() as { webtransport: { url: string, certHashes: string[] } }).webtransport
    expect(after.certHashes).toHaveLength(2)
    expect(after.certHashes[1]).toBe(before.certHashes[0])
    expect(after.certHashes[0]).not.toBe(before.certHashes[0])
  }, 60_000)

  it('tells a browser without WebAssembly what it lacks', async () => {
    const ctx = await browser.newContext()
    const page = await ctx.newPage()
    try {
      await page.addInitScript(() => { delete (globalThis as { WebAssembly?: unknown }).WebAssembly })
      await page.goto(`${base}/donate/`)
      expect(await page.isVisible('#problem')).toBe(true)
      expect(await page.textContent('#problem')).toMatch(/no WebAssembly/)
      expect(await page.isDisabled('#toggle')).toBe(true)
    } finally { await ctx.close() }
  }, 60_000)
})
