/**
 * Fault-injection testnets (issue 13): run a manifest, check the stores, write
 * the report. `runManifest` is what `hypermesh testnet --manifest`, the chaos
 * script and the tests call.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { ChaosRun, type RawRun } from './runner.ts'
import { checkRun } from './checks.ts'
import { buildReport, renderHtml, type RunReport } from './report.ts'
import type { Manifest } from './manifest.ts'

export { parseManifest, parseManifestText, ManifestError, faultTolerance, maxFaultyValidators, PERTURBATION_TYPES, type Manifest, type Perturbation, type NodeSpec } from './manifest.ts'
export { generateManifest } from './generate.ts'
export { NetnsTopology, netnsUnavailable, cleanupStale } from './netns.ts'
export { checkRun, type CheckResult, type Violation } from './checks.ts'
export { buildReport, renderHtml, timelineSvg, type RunReport } from './report.ts'
export { ChaosRun, type RawRun } from './runner.ts'

export interface RunManifestOptions {
  /** Working directory for node data and logs. */
  dir: string
  /** Where report.json and report.html go (default: `dir`). */
  reportDir?: string
  log?: (line: string) => void
  /** Keep node data after a passing run (a failing run's data is always kept). */
  keep?: boolean
}

export interface RunOutcome { report: RunReport, raw: RawRun, reportFiles: { json: string, html: string } }

export async function runManifest (manifest: Manifest, opts: RunManifestOptions): Promise<RunOutcome> {
  const run = new ChaosRun(manifest, { dir: opts.dir, ...(opts.log !== undefined ? { log: opts.log } : {}) })
  let raw: RawRun
  let report: RunReport
  try {
    raw = await run.run()
    const checks = await checkRun(raw)
    report = buildReport(raw, checks)
  } finally {
    await run.unmount()
  }
  const reportDir = path.resolve(opts.reportDir ?? opts.dir)
  await mkdir(reportDir, { recursive: true })
  const json = path.join(reportDir, `${manifest.name}.report.json`)
  const html = path.join(reportDir, `${manifest.name}.report.html`)
  await writeFile(json, JSON.stringify(report, null, 2) + '\n')
  await writeFile(html, renderHtml(raw, report))
  if (report.ok && opts.keep !== true) await run.removeDir()
  return { report, raw, reportFiles: { json, html } }
}
