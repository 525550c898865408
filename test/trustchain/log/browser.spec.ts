// ts/trustchain/log runs unchanged in headless Chromium (no node: imports):
// a checkpoint signed in Node (Ed25519 + FALCON-1024 + cosignatures) and an
// inclusion proof are verified in the page, the RFC 6962 vector root and the
// sumdb/note signature are reproduced there.
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'
import { chromium, type Browser } from 'playwright-core'
import { TransparencyLog, MemoryLogStorage, ed25519Signer, falconSigner, cosignatureSigner, addNoteSignatures } from '../../../ts/trustchain/log/index.ts'
import { testKeyPair } from '../../fixtures/keys.ts'
import { LEAVES_HEX, ROOTS_HEX } from './fixtures/rfc6962-vectors.ts'
import { PETER_SKEY, PETER_TEXT, PETER_SIG_LINE } from './fixtures/note-vectors.ts'
import type { BrowserInput, browserCheck } from './_browser-entry.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const CHROMIUM = '/usr/bin/chromium'

describe('trustchain/log in headless Chromium', () => {
  let browser: Browser
  let bundle: string

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`)
    const out = await build({
      configFile: false,
      logLevel: 'silent',
      root: here,
      build: { write: false, minify: false, lib: { entry: path.join(here, '_browser-entry.ts'), formats: ['iife'], name: 'HMTlog', fileName: 'tlog' } }
    })
    const outputs = Array.isArray(out) ? out : [out]
    const chunk = outputs.flatMap((o) => ('output' in o ? o.output : [])).find((c) => c.type === 'chunk')
    if (chunk === undefined || chunk.type !== 'chunk') throw new Error('vite produced no bundle')
    bundle = chunk.code
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
    })
  })

  afterAll(async () => { await browser?.close() })

  it('verifies a cosigned checkpoint and an inclusion proof made in Node', async () => {
    const origin = 'test.mesh/trustchain/log'
    const log = await TransparencyLog.open(new MemoryLogStorage(), { origin })
    const entries = Array.from({ length: 37 }, (_, i) => new TextEncoder().encode(`certificate hash ${i}`))
    await log.appendMany(entries)
    const kp = testKeyPair(4)
    const ed = ed25519Signer(origin, new Uint8Array(32).fill(3))
    const fal = falconSigner(origin, kp.secretKey, kp.publicKey)
    const cos = [cosignatureSigner('v1.mesh', new Uint8Array(32).fill(21)), cosignatureSigner('v2.mesh', new Uint8Array(32).fill(22))]
    const note = addNoteSignatures(log.checkpoint([ed, fal]).note, cos)
    const input: BrowserInput = {
      note,
      origin,
      logVkeys: [ed.vkey, fal.vkey],
      cosignerVkeys: cos.map((c) => c.vkey),
      entryHex: Buffer.from(entries[21]).toString('hex'),
      index: 21,
      proofHex: log.inclusionProof(21).map((h) => Buffer.from(h).toString('hex')),
      leavesHex: LEAVES_HEX,
      peterSkey: PETER_SKEY,
      peterText: PETER_TEXT
    }
    const page = await browser.newPage()
    try {
      await page.setContent('<!doctype html><title>tlog</title>')
      await page.addScriptTag({ content: bundle })
      const res = await page.evaluate((inp) => {
        const g = globalThis as unknown as { HMTlog: { browserCheck: typeof browserCheck } }
        return g.HMTlog.browserCheck(inp)
      }, input)
      expect(res).toEqual({
        size: 37,
        cosignedBy: ['v1.mesh', 'v2.mesh'],
        included: true,
        tamperedIncluded: false,
        vectorRoot: ROOTS_HEX[7],
        peterNote: PETER_TEXT + '\n' + PETER_SIG_LINE
      })
    } finally {
      await page.close()
    }
  })
})
