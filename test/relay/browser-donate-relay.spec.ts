/**
 * Issue #8's end to end: a donating Chromium page that cannot reach the node
 * host directly — the built donate page is served by a separate static
 * server, every request to the node's HTTP origin is blocked, and the page
 * is given only `?relay=&room=&node=` — completes its share of a k=3 job
 * through the edge relay (workerd via Miniflare, loopback). The node's
 * record shows transport 'relay' and the browser's attestation is on the ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser } from 'playwright-core'
import { mkdtemp, rm, access } from 'node:fs/promises'
import { spawnSync } from 'node:child_process'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { HyperMeshNode } from '../../node-host/node/node.ts'
import { staticDir } from '../../node-host/http/static-dir.ts'
import { toHex } from '../../ts/ledger/index.ts'
import { createJob, encodeJob, jobId } from '../../ts/vm/index.ts'
import { getJobRecord } from '../../ts/jobs/ledger.ts'
import { wranglerDryRun, startRelay, until, removeDir, type RunningRelay, type DryRun } from '../edge-relay/_relay.ts'

const ROOT = path.resolve(import.meta.dirname, '../..')
let build: DryRun
let relay: RunningRelay
let dir: string
let node: HyperMeshNode
let browser: Browser
let pages: http.Server
let pagesUrl: string

beforeAll(async () => {
  try { await access(path.join(ROOT, 'browser-host/dist/index.html')) } catch {
    const b = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'browser-host'], { cwd: ROOT, encoding: 'utf8' })
    if (b.status !== 0) throw new Error(`vite build browser-host failed: ${b.stderr}`)
  }
  dir = await mkdtemp(path.join(os.tmpdir(), 'hm-donate-relay-'))
  build = await wranglerDryRun()
  if (build.code !== 0) throw new Error(build.output)
  relay = await startRelay(build.outdir)
  node = await HyperMeshNode.start({ dataDir: dir, dev: true, http: { host: '127.0.0.1', port: 0 }, txIntervalMs: 0, relay: relay.url, jobThreads: 2 })
  await until(() => node.relay?.connected === true, 15_000, 'the node on the relay')
  // the page from somewhere else than the node (a static host), under /donate/ as built
  const serve = staticDir(path.join(ROOT, 'browser-host/dist'))
  pages = http.createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname
    void (p.startsWith('/donate/') ? serve(p.slice('/donate'.length)) : Promise.resolve(null)).then((r) => {
      if (r === null) { res.writeHead(404).end(); return }
      res.writeHead(r.status, { 'content-type': r.contentType }).end(r.body)
    })
  })
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve))
  pagesUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await new Promise<void>((resolve) => { if (pages === undefined) resolve(); else pages.close(() => resolve()) })
  await node?.stop()
  await relay?.dispose()
  if (build !== undefined) await removeDir(build.outdir)
  await rm(dir, { recursive: true, force: true })
}, 60_000)

describe('a donating page that can reach only the relay', () => {
  it('completes its share of a k=3 job through the relay; the node records transport relay', async () => {
    const ctx = await browser.newContext()
    const nodeOrigin = new URL(node.httpUrl!).origin
    const blocked: string[] = []
    await ctx.route((url) => url.origin === nodeOrigin, async (route) => { blocked.push(route.request().url()); await route.abort() })
    const page = await ctx.newPage()
    try {
      const q = new URLSearchParams({ relay: relay.url, room: node.genesis.chainId, node: toHex(node.nodeId) })
      await page.goto(`${pagesUrl}/donate/?${q.toString()}`)
      await page.click('#toggle')
      const state = async (): Promise<{ status: string, transport: string | null, nodeId: string | null, log: string[] }> => await page.evaluate(() => JSON.parse(JSON.stringify((window as unknown as { hypermeshDonate: unknown }).hypermeshDonate)) as { status: string, transport: string | null, nodeId: string | null, log: string[] })
      await expect.poll(async () => (await state()).status, { timeout: 60_000 }).toBe('donating')
      const s0 = await state()
      expect(s0.transport).toBe('relay')
      const job = createJob({ js: 'function run (i) { return i.map((b) => (b * 3) & 255) }' }, new Uint8Array([5, 6, 7]), { memoryBytes: 1 << 20, fuel: 10n ** 8n, wallMs: 20_000, outputBytes: 1024 })
      const r = await fetch(`${node.httpUrl!}/api/jobs?k=3&q=2`, { method: 'POST', body: encodeJob(job) as BodyInit })
      expect(r.status).toBe(202)
      const { id } = await r.json() as { id: string }
      let s: { state: string, error: string | null, workers: Array<{ worker: string, kind: string, transport: string, agreed: boolean | null }> } | undefined
      for (let i = 0; i < 6 && s?.state !== 'committed' && s?.state !== 'failed'; i++) s = await (await fetch(`${node.httpUrl!}/api/job?id=${id}&wait=20000`)).json() as typeof s
      expect(s!.state, s!.error ?? '').toBe('committed')
      expect(s!.workers.find((w) => w.worker === s0.nodeId)).toMatchObject({ kind: 'browser', transport: 'relay', agreed: true })
      expect(getJobRecord(node.ledger.stateReader, jobId(job))!.agreeing.map(toHex)).toContain(s0.nodeId)
      expect(blocked).toEqual([]) // the page never even tried the node's origin
    } finally { await ctx.close() }
  }, 180_000)
})
