/**
 * ARCHITECTURE.md's layer rules, checked with dependency-cruiser on the real
 * tree (no cycle anywhere, ts/ never imports a host, the replicate layer never
 * imports a service, ...) — and the same rules shown able to fail on a small
 * tree written here that breaks each of them.
 */
import { describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

const ROOT = path.resolve(import.meta.dirname, '../..')
const DEPCRUISE = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruiser.mjs')
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs')

function cruise (cwd: string, dirs: string[], output = 'json'): Promise<{ code: number, out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [DEPCRUISE, '--config', CONFIG, '--output-type', output, ...dirs], { cwd, maxBuffer: 64 << 20, timeout: 120_000 }, (err, stdout) => {
      resolve({ code: err === null ? 0 : (typeof err.code === 'number' ? err.code : 1), out: stdout })
    })
  })
}

interface Violation { rule: { name: string }, from: string, to: string }

describe('layer rules (dependency-cruiser)', () => {
  it('the repository has no import cycle and no import against the layers', async () => {
    const r = await cruise(ROOT, ['ts', 'node-host', 'browser-host', 'edge-relay', 'core-wasm/assembly', 'scripts'])
    const report = JSON.parse(r.out) as { summary: { violations: Violation[], totalCruised: number } }
    expect(report.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([])
    expect(report.summary.totalCruised).toBeGreaterThan(150)
  }, 150_000)

  it('catches a cycle, ts/ importing a host, the ledger importing a service, and the base importing proofs', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hm-layers-'))
    try {
      const files: Record<string, string> = {
        'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'nodenext', allowImportingTsExtensions: true, noEmit: true } }),
        'ts/a/one.ts': "import { two } from './two.ts'\nexport const one = (): number => two() + 1\n",
        'ts/a/two.ts': "import { one } from './one.ts'\nexport const two = (): number => one.length\n",
        'ts/nat/uses-host.ts': "import { serve } from '../../node-host/server.ts'\nexport const x = serve\n",
        'node-host/server.ts': 'export const serve = (): void => {}\n',
        'ts/ledger/uses-service.ts': "import { fee } from '../trustchain/names.ts'\nexport const y = fee\n",
        'ts/trustchain/names.ts': 'export const fee = 1\n',
        'ts/wire/uses-proofs.ts': "import { p } from '../proofs/p.ts'\nexport const z = p\n",
        'ts/proofs/p.ts': 'export const p = 2\n'
      }
      for (const [f, text] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(dir, f)), { recursive: true })
        await writeFile(path.join(dir, f), text)
      }
      const r = await cruise(dir, ['ts', 'node-host'])
      const found = (JSON.parse(r.out) as { summary: { violations: Violation[] } }).summary.violations.map((v) => `${v.rule.name}: ${v.from}`)
      expect(found).toEqual(expect.arrayContaining([
        'no-circular: ts/a/one.ts',
        'ts-never-imports-a-host: ts/nat/uses-host.ts',
        'replicate-not-up: ts/ledger/uses-service.ts',
        'base-not-up: ts/wire/uses-proofs.ts'
      ]))
      // `npm run lint:deps` (the err reporter) fails with a non-zero exit on the same tree
      expect((await cruise(dir, ['ts', 'node-host'], 'err')).code).not.toBe(0)
    } finally { await rm(dir, { recursive: true, force: true }) }
  }, 150_000)
})
