// The same core-wasm bytes give the same answers in headless Chromium as in
// Node: the real loader + wrapper are bundled with Vite and run in the page.
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'
import { chromium, type Browser } from 'playwright-core'
import { instantiateKernelModule, wasmBytes, type WasmVariant } from '../../ts/wasm/loader.ts'
import { createWasmKernel } from '../../ts/wasm/wasm-kernel.ts'
import { referenceKernel } from '../../ts/wasm/reference.ts'
import { SCALAR_WASM_SHA256, SIMD_WASM_SHA256 } from '../../ts/wasm/generated/wasm-bytes.ts'
import { kernelAnswers, type KernelAnswers } from './_wasm-entry.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const CHROMIUM = '/usr/bin/chromium'

describe('core-wasm in headless Chromium', () => {
  let browser: Browser
  let bundle: string

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`)
    const out = await build({
      configFile: false,
      logLevel: 'silent',
      root: here,
      build: {
        write: false,
        minify: false,
        lib: { entry: path.join(here, '_wasm-entry.ts'), formats: ['iife'], name: 'HMKernel', fileName: 'kernel' }
      }
    })
    const outputs = Array.isArray(out) ? out : [out]
    const chunk = outputs.flatMap((o) => ('output' in o ? o.output : [])).find((c) => c.type === 'chunk')
    if (chunk === undefined || chunk.type !== 'chunk') throw new Error('vite produced no bundle')
    bundle = chunk.code
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync']
    })
  })

  afterAll(async () => {
    // playwright gives the browser a fresh temporary profile and removes it on close
    await browser?.close()
  })

  for (const variant of ['simd', 'scalar'] as WasmVariant[]) {
    it(`${variant}: same bytes, same answers as Node`, async () => {
      const page = await browser.newPage()
      try {
        await page.setContent('<!doctype html><title>kernel</title>')
        await page.addScriptTag({ content: bundle })
        const inBrowser = await page.evaluate(async (v) => {
          const g = globalThis as unknown as { HMKernel: { browserAnswers: (v: string) => Promise<unknown> } }
          return await g.HMKernel.browserAnswers(v)
        }, variant) as KernelAnswers
        const inNode = kernelAnswers(createWasmKernel(instantiateKernelModule(variant)), variant, wasmBytes(variant))
        expect(inBrowser.variant).toBe(variant)
        expect(inBrowser.wasmSha256).toBe(variant === 'simd' ? SIMD_WASM_SHA256 : SCALAR_WASM_SHA256)
        expect(inBrowser).toEqual(inNode)
        // and both equal the TypeScript reference
        expect({ ...kernelAnswers(referenceKernel, variant, wasmBytes(variant)) }).toEqual(inNode)
        expect(inNode.verify).toEqual([true, false, false])
        expect(inNode.pow).toBeGreaterThanOrEqual(0)
      } finally {
        await page.close()
      }
    })
  }
})
