import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { mkdir, stat } from 'node:fs/promises'
import { chromium } from 'playwright-core'
import type { Browser } from 'playwright-core'
import path from 'node:path'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import { HyperMeshNode } from '../../node-host/node/node.ts'
import { readHardware, describeShareable, policyFromStrings } from '../../node-host/hardware/index.ts'

let node: HyperMeshNode
let dataDir: string
let browser: Browser

beforeAll(async () => {
  // a real dev-mesh node: LevelDB, Tendermint, FALCON, its own transactions with all four proofs
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'hm-dash-'))
  const share = describeShareable(await readHardware(), policyFromStrings({ cores: '1', memory: '64MiB', privacy: 'P2P' }))
  node = await HyperMeshNode.start({ dataDir, dev: true, http: { host: '127.0.0.1', port: 0 }, txIntervalMs: 100, share })
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']  // playwright gives the browser a fresh temporary profile
  })
})

afterAll(async () => {
  await browser?.close()
  await node?.stop()
  await rm(dataDir, { recursive: true, force: true })
})

describe('dashboard in headless Chromium', () => {
  it('shows live data that changes, draws the charts, and saves a screenshot', async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 }, colorScheme: 'dark' })
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(String(e)))
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()) })
    const base = node.httpUrl as string
    const external: string[] = []
    page.on('request', (r) => { if (!r.url().startsWith(base)) external.push(r.url()) })
    await page.goto(base + '/')
    await page.waitForFunction(() => document.body.dataset.state === 'live', undefined, { timeout: 10_000 })
    const h1 = Number(await page.textContent('#stat-height'))
    expect(h1).toBeGreaterThan(0)
    // the page polls once a second: the height it shows must move on
    await page.waitForFunction((h) => Number(document.getElementById('stat-height')?.textContent) > h, h1, { timeout: 10_000 })
    await page.waitForFunction(() => /ms$/.test(document.getElementById('stat-finality')?.textContent ?? ''), undefined, { timeout: 10_000 })
    await page.waitForFunction(() => Number(document.getElementById('stat-tps')?.textContent) > 0, undefined, { timeout: 10_000 })
    expect(await page.textContent('#chain-id')).toBe(node.genesis.chainId)
    expect(await page.textContent('#kernel')).toBe(node.kernelName)
    // charts have pixels drawn: count non-transparent pixels on each canvas
    const inked = await page.evaluate(() => [...document.querySelectorAll('canvas')].map((c) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data
      let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++
      return [c.id, n] as const
    }))
    expect(inked).toHaveLength(6)
    // the shared hardware was registered through consensus and is listed as this node's assets
    const assets = await (await fetch(base + '/api/assets')).json() as { mine: Array<{ kind: string, privacy: string, id: string }>, registered: Record<string, number> }
    expect(assets.mine.map((a) => a.kind).sort()).toEqual(['Cpu', 'Memory'])
    expect(assets.mine.every((a) => a.privacy === 'P2P' && /^(cpu|memory):[0-9a-f]{64}$/.test(a.id))).toBe(true)
    expect(assets.registered).toMatchObject({ Cpu: 1, Memory: 1 })
    await page.waitForFunction(() => document.querySelectorAll('#assets-table tbody tr').length === 2 && !document.querySelector('#assets-table .muted'), undefined, { timeout: 10_000 })
    expect(await page.$$eval('#assets-table tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent).sort())).toEqual(['Cpu', 'Memory'])
    for (const [id, n] of inked) expect(n, id).toBeGreaterThan(1000)
    // let a few more seconds of history accumulate for a meaningful picture
    await page.waitForTimeout(6000)
    const dir = path.resolve('test-results')
    await mkdir(dir, { recursive: true })
    await page.screenshot({ path: path.join(dir, 'dashboard.png'), fullPage: true })
    await page.emulateMedia({ colorScheme: 'light' })
    await page.waitForTimeout(1200)
    await page.screenshot({ path: path.join(dir, 'dashboard-light.png'), fullPage: true })
    expect((await stat(path.join(dir, 'dashboard.png'))).size).toBeGreaterThan(10_000)
    expect(errors).toEqual([])
    expect(external).toEqual([])
    // when the node goes away the page says so instead of freezing on stale numbers
    await node.stop()
    await page.waitForFunction(() => document.body.dataset.state === 'offline', undefined, { timeout: 10_000 })
    await page.close()
  })
})
