#!/usr/bin/env node
// `npm test`: runs the whole vitest suite (unit, parity, property, simulator,
// integration, browser, edge) and ends with the plain line CI reads:
// `N passed, N failed, N skipped`. Extra arguments go to vitest.
import { spawn } from 'node:child_process'
import { readFile, mkdir, rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  console.error(`HyperMesh needs Node >= 22 (this is ${process.version}). Run it through npm (npm test), which uses the Node 22 installed in node_modules.`)
  process.exit(2)
}
const out = path.join(root, 'test-results', 'vitest.json')
await mkdir(path.dirname(out), { recursive: true })
await rm(out, { force: true })
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs')
const child = spawn(process.execPath, [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)], {
  cwd: root, stdio: 'inherit', env: { ...process.env }
})
const code = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))))
let passed = 0; let failed = 0; let skipped = 0
try {
  const r = JSON.parse(await readFile(out, 'utf8'))
  passed = r.numPassedTests ?? 0
  failed = (r.numFailedTests ?? 0)
  skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0)
  // a suite that failed to load counts as a failure even with no test inside
  const brokenSuites = (r.testResults ?? []).filter((s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0).length
  failed += brokenSuites
} catch (err) {
  console.error(`could not read vitest results: ${err.message}`)
  if (code === 0) process.exitCode = 1
  failed = Math.max(failed, 1)
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exitCode = code !== 0 ? code : (failed > 0 ? 1 : 0)
