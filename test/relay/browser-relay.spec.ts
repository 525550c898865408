/**
 * The donate page's relay transport in headless Chromium: a page that knows
 * only `?relay=…&room=…&node=…` (no address of the node; the node here has
 * no HTTP server at all) loads its FALCON identity from IndexedDB, signs its
 * own join token, joins the relay room in workerd (Miniflare on loopback) and
 * exchanges frames with the node's RelayLink through a relay channel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'
import { chromium, type Browser } from 'playwright-core'
import { RelayLink } from '../../node-host/node/relay-link.ts'
import { createMetricsRegistry } from '../../ts/monitor/index.ts'
import { nodeIdOf, nodeIdToHex } from '../../ts/identity/index.ts'
import { testKeyPair } from '../fixtures/keys.ts'
import { wranglerDryRun, startRelay, until, removeDir, type RunningRelay, type DryRun } from '../edge-relay/_relay.ts'
import type { BrowserRelayResult } from './_browser-relay-entry.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const CHROMIUM = '/usr/bin/chromium'
const ROOM = 'browser-relay-test'
const NODE = testKeyPair(10)
const NODE_HEX = nodeIdToHex(nodeIdOf(NODE.publicKey))

let build_: DryRun
let relay: RunningRelay
let link: RelayLink
let browser: Browser
let bundle: string
const peers: string[] = []

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`)
  const out = await build({
    configFile: false,
    logLevel: 'silent',
    root: here,
    build: { write: false, minify: false, lib: { entry: path.join(here, '_browser-relay-entry.ts'), formats: ['iife'], name: 'HMRelay', fileName: 'relay' } }
  })
  const chunk = (Array.isArray(out) ? out : [out]).flatMap((o) => ('output' in o ? o.output : [])).find((c) => c.type === 'chunk')
  if (chunk === undefined || chunk.type !== 'chunk') throw new Error('vite produced no bundle')
  bundle = chunk.code
  build_ = await wranglerDryRun()
  if (build_.code !== 0) throw new Error(build_.output)
  relay = await startRelay(build_.outdir)
  link = new RelayLink(relay.url, {
    identity: NODE, meshId: ROOM, status: () => ({}), submit: () => 'not here', registry: createMetricsRegistry(), log: () => {},
    acceptChannel: (channel, peer) => {
      peers.push(nodeIdToHex(peer))
      channel.onFrame((f) => { try { channel.send(f.slice().reverse()) } catch { /* closed */ } })
    }
  })
  link.start()
  await until(() => link.connected, 15_000, 'the node on the relay')
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await link?.stop()
  await relay?.dispose()
  if (build_ !== undefined) await removeDir(build_.outdir)
}, 30_000)

describe('relay transport in headless Chromium', () => {
  it('a page given only the relay address reaches the node by NodeId with its IndexedDB identity; frames cross byte-exact; the identity persists', async () => {
    const ctx = await browser.newContext()
    try {
      const page = await ctx.newPage()
      // a real origin (IndexedDB needs one): the relay's own /health, which is JSON; the bundle runs on top of it
      await page.goto(`${relay.url}/health`)
      await page.addScriptTag({ content: bundle })
      const search = `?relay=${encodeURIComponent(relay.url)}&room=${ROOM}&node=${NODE_HEX}`
      const run = async (): Promise<BrowserRelayResult> => await page.evaluate(async ([s, sizes]) => {
        const g = globalThis as unknown as { HMRelay: { donateEcho: (s: string, sizes: number[]) => Promise<BrowserRelayResult> } }
        return await g.HMRelay.donateEcho(s, sizes)
      }, [search, [1, 65_531, 1_000_000]] as [string, number[]])
      const first = await run()
      expect(first).toMatchObject({ created: true, transport: 'relay', closedCleanly: true })
      expect(first.echoes).toEqual([{ size: 1, ok: true }, { size: 65_531, ok: true }, { size: 1_000_000, ok: true }])
      expect(peers.at(-1)).toBe(first.nodeId)
      await until(() => link.channels === 0, 5000, 'the node to end the session')

      const second = await run()
      expect(second).toMatchObject({ created: false, nodeId: first.nodeId, closedCleanly: true })
      expect(second.echoes.every((e) => e.ok)).toBe(true)
    } finally {
      await ctx.close()
    }
  }, 120_000)
})
