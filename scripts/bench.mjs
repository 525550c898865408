#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --json] [-- --only NAME]`: runs every
// test/perf/*.bench.ts module, prints each figure beside its baseline from the
// same run with the ratio, and writes bench-results/latest.json.
// With --json, stdout is exactly one JSON array of rows; progress goes to stderr.
import { readdir, mkdir, writeFile } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import os from 'node:os'
import path from 'node:path'
import { spawn } from 'node:child_process'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
if (args.includes('--help') || args.includes('-h')) {
  console.log(`usage: npm run bench -- [--quick] [--json] [--only NAME[,NAME]]

  --quick   short runs (well under a minute for the kernel figures)
  --json    print one JSON array of {name, value, unit, baseline, baselineValue, ratio}
  --only    run only the named modules (file names in test/perf without .bench.ts)

Writes bench-results/latest.json either way.`)
  process.exit(0)
}
const quick = args.includes('--quick')
const json = args.includes('--json')
const onlyIdx = args.indexOf('--only')
const only = onlyIdx >= 0 ? new Set(String(args[onlyIdx + 1] ?? '').split(',')) : null
const log = (line) => process.stderr.write(line + '\n')

const dir = path.join(root, 'test', 'perf')
const files = (await readdir(dir)).filter((f) => f.endsWith('.bench.ts')).sort()
const rows = []
const failed = []

/** One module in its own process; null when it failed. */
function runModule (file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'scripts', '_bench-module.mjs'), file, quick ? '1' : '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d) => { out += d })
    child.on('exit', (code) => {
      if (code !== 0) { log(`   module exited with ${code}`); resolve(null); return }
      try { resolve(JSON.parse(out.trim().split('\n').pop())) } catch { log('   module printed no rows'); resolve(null) }
    })
  })
}

for (const f of files) {
  const name = f.replace(/\.bench\.ts$/, '')
  if (only && !only.has(name)) continue
  log(`== ${name}`)
  const t0 = performance.now()
  const got = await runModule(path.join(dir, f))
  if (got === null) failed.push(name)
  else for (const r of got) rows.push({ module: name, ...r })
  log(`   (${((performance.now() - t0) / 1000).toFixed(1)} s)`)
}
if (failed.length > 0) log(`FAILED modules: ${failed.join(', ')} (their figures are missing)`)

const fmt = (v) => {
  if (!Number.isFinite(v)) return String(v)
  const a = Math.abs(v)
  if (a >= 1e9) return (v / 1e9).toFixed(2) + ' G'
  if (a >= 1e6) return (v / 1e6).toFixed(2) + ' M'
  if (a >= 1e4) return (v / 1e3).toFixed(1) + ' k'
  if (a >= 100) return v.toFixed(0)
  return v.toPrecision(3)
}
const machine = { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString() }
await mkdir(path.join(root, 'bench-results'), { recursive: true })
await writeFile(path.join(root, 'bench-results', 'latest.json'), JSON.stringify({ machine, quick, rows }, null, 2) + '\n')
if (json) {
  process.stdout.write(JSON.stringify(rows.map(({ module, ...r }) => r)) + '\n')
} else {
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB, Node ${machine.node}${quick ? ' (quick)' : ''}`)
  console.log('| figure | value | unit | baseline | baseline value | ratio | note |')
  console.log('|---|---:|---|---|---:|---:|---|')
  for (const r of rows) console.log(`| ${r.name} | ${fmt(r.value)} | ${r.unit} | ${r.baseline} | ${fmt(r.baselineValue)} | ${r.ratio.toFixed(2)}× | ${r.note ?? ''} |`)
}
if (failed.length > 0) process.exitCode = 1
