#!/usr/bin/env node
// `npm run chaos -- --seeds N [--start S] [--json] [--dir DIR]`: runs N generated
// chaos manifests (seeds S, S+1, ...) one after another against real node
// processes and prints {runs, violations, lostAcknowledged, recoveryP50Ms,
// recoveryP99Ms, ...}. A failing run prints its seed and manifest (it
// reproduces with `hypermesh testnet --generate --seed S --out m.json` then
// `hypermesh testnet --manifest m.json`); its data and logs are kept.
// `--manifest FILE` (repeatable) runs given manifests instead.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
if (Number(process.versions.node.split('.')[0]) < 22) {
  console.error(`chaos needs Node >= 22 (this is ${process.version}); run it through npm (npm run chaos).`)
  process.exit(2)
}
const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1' },
    start: { type: 'string' },
    json: { type: 'boolean', default: false },
    dir: { type: 'string' },
    manifest: { type: 'string', multiple: true },
    quiet: { type: 'boolean', default: false }
  }
})
const { generateManifest, parseManifestText, runManifest } = await import(path.join(root, 'node-host/chaos/index.ts'))

const n = Number(values.seeds)
if (!Number.isSafeInteger(n) || n < 1 || n > 10000) { console.error('--seeds expects 1..10000'); process.exit(2) }
const start = values.start !== undefined ? Number(values.start) : Math.floor(Date.now() / 1000) % 1_000_000
if (!Number.isSafeInteger(start) || start < 0 || start + n > 0xffffffff) { console.error('--start expects a seed in 0..2^32-1'); process.exit(2) }
const base = path.resolve(values.dir ?? path.join(os.tmpdir(), `hypermesh-chaos-${process.pid}`))
await mkdir(base, { recursive: true })
const say = (line) => { if (!values.quiet) process.stderr.write(line + '\n') }

const manifests = []
if (values.manifest !== undefined) {
  for (const f of values.manifest) manifests.push(parseManifestText(await readFile(f, 'utf8')))
} else {
  for (let k = 0; k < n; k++) manifests.push(generateManifest(start + k))
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? null : s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]
}

const runs = []
for (const m of manifests) {
  const dir = path.join(base, m.name)
  say(`== ${m.name}: ${m.nodes.length} nodes, ${m.durationSeconds} s, ${m.perturbations.map((p) => `${p.type}(n${p.node}@${p.at}s)`).join(' ') || 'no perturbations'}${m.expectHalt ? ', expects a halt' : ''}`)
  let report
  try {
    ({ report } = await runManifest(m, { dir, reportDir: base, log: (l) => say(`   ${l}`) }))
  } catch (err) {
    report = { name: m.name, seed: m.seed ?? null, ok: false, violations: [{ check: 'run', message: err.stack ?? String(err) }], lostAcknowledged: 0, acknowledged: 0, recoveryMs: [], perturbations: [], calm: { p50Ms: null, p99Ms: null }, halts: [], txPerSecond: 0 }
  }
  runs.push({ manifest: m, report })
  if (report.ok) say(`   ok: height ${report.finalHeight}, ${report.acknowledged} acknowledged, 0 lost, recovery ${report.recoveryMs.join(', ') || '–'} ms`)
  else {
    say(`   FAILED (seed ${m.seed ?? '–'}):`)
    for (const v of report.violations) say(`     ${v.check}: ${v.message}`)
    say(`   manifest: ${JSON.stringify(m)}`)
    say(`   data and logs kept in ${dir}`)
  }
}

const all = (f) => runs.flatMap((r) => f(r.report))
const recovery = all((r) => r.recoveryMs ?? [])
const during = all((r) => (r.perturbations ?? []).filter((p) => p.skipped === null && p.during?.p50Ms != null).map((p) => p.during.p50Ms))
const calm = all((r) => r.calm?.p50Ms != null ? [r.calm.p50Ms] : [])
const summary = {
  runs: runs.length,
  passed: runs.filter((r) => r.report.ok).length,
  violations: all((r) => r.violations).length,
  lostAcknowledged: runs.reduce((a, r) => a + (r.report.lostAcknowledged ?? 0), 0),
  acknowledged: runs.reduce((a, r) => a + (r.report.acknowledged ?? 0), 0),
  recoveryP50Ms: quantile(recovery, 0.5),
  recoveryP99Ms: quantile(recovery, 0.99),
  recoveryMaxMs: recovery.length > 0 ? Math.max(...recovery) : null,
  finalityCalmP50Ms: quantile(calm, 0.5),
  finalityDuringPerturbationP50Ms: quantile(during, 0.5),
  halts: all((r) => r.halts ?? []).length,
  skipped: all((r) => (r.perturbations ?? []).filter((p) => p.skipped !== null).map((p) => `${r.name}: ${p.type} ${p.skipped}`)),
  failed: runs.filter((r) => !r.report.ok).map((r) => ({ seed: r.manifest.seed ?? null, name: r.manifest.name, violations: r.report.violations.map((v) => `${v.check}: ${v.message}`) })),
  table: runs.map((r) => ({
    seed: r.manifest.seed ?? null,
    nodes: r.manifest.nodes.length,
    perturbations: r.manifest.perturbations.map((p) => `${p.type} n${p.node}@${p.at}s${p.durationSeconds > 0 ? `/${p.durationSeconds}s` : ''}`).concat(r.manifest.nodes.flatMap((x, i) => x.faults.map((f) => `${f} n${i}`))),
    recoveryMs: r.report.recoveryMs ?? [],
    ok: r.report.ok
  })),
  reports: base
}
await writeFile(path.join(base, 'summary.json'), JSON.stringify(summary, null, 2) + '\n')
if (values.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n')
else {
  process.stdout.write(`${summary.runs} runs, ${summary.passed} passed, ${summary.violations} violations, ${summary.lostAcknowledged} lost acknowledged of ${summary.acknowledged}; recovery p50 ${summary.recoveryP50Ms ?? '–'} ms, p99 ${summary.recoveryP99Ms ?? '–'} ms; reports in ${base}\n`)
}
process.exitCode = summary.passed === summary.runs ? 0 : 1
