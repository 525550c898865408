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
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs')
const extra = process.argv.slice(2)

/** Runs vitest once; returns {code, passed, failed, skipped} read from its JSON report. */
async function runVitest (label, args, env, outFile) {
  await rm(outFile, { force: true })
  const child = spawn(process.execPath, [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${outFile}`, ...args], {
    cwd: root, stdio: 'inherit', env: { ...process.env, ...env }
  })
  const code = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))))
  const counts = { code, passed: 0, failed: 0, skipped: 0 }
  try {
    const r = JSON.parse(await readFile(outFile, 'utf8'))
    counts.passed = r.numPassedTests ?? 0
    counts.failed = r.numFailedTests ?? 0
    counts.skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0)
    // a suite that failed to load counts as a failure even with no test inside
    counts.failed += (r.testResults ?? []).filter((s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0).length
  } catch (err) {
    console.error(`${label}: could not read vitest results: ${err.message}`)
    counts.failed = Math.max(counts.failed, 1)
    if (counts.code === 0) counts.code = 1
  }
  return counts
}

const runs = [await runVitest('all', extra, {}, out)]
// The proofs suite again with each portable kernel forced (the main run used
// the fastest, normally the native addon): every kernel must pass it whole.
if (extra.length === 0) {
  for (const kernel of ['simd', 'scalar', 'ts']) {
    console.log(`\n== test/proofs with HYPERMESH_KERNEL=${kernel}`)
    runs.push(await runVitest(`proofs/${kernel}`, ['test/proofs'], { HYPERMESH_KERNEL: kernel }, path.join(root, 'test-results', `vitest-proofs-${kernel}.json`)))
  }
}
const total = runs.reduce((a, r) => ({ passed: a.passed + r.passed, failed: a.failed + r.failed, skipped: a.skipped + r.skipped }), { passed: 0, failed: 0, skipped: 0 })
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`)
const firstBad = runs.find((r) => r.code !== 0)
process.exitCode = firstBad !== undefined ? firstBad.code : (total.failed > 0 ? 1 : 0)
