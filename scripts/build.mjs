#!/usr/bin/env node
// `npm run build` (also run by npm install / npm ci through `prepare`):
// 1. core-wasm -> core-wasm/build/*.wasm + ts/wasm/generated/wasm-bytes.ts
// 2. the example jobs (examples/jobs/assembly -> examples/jobs/build/*.wasm);
// 3. the donate page (browser-host/dist, vite);
// 4. the optional native addon (node-host/native); a failure there is reported,
//    never fatal: the host then runs on the WASM kernel and says so.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const run = (script, args = []) => spawnSync(process.execPath, [path.join(root, script), ...args], { cwd: root, stdio: 'inherit' }).status

if (run('scripts/build-wasm.mjs', process.argv.slice(2)) !== 0) process.exit(1)
if (run('scripts/build-jobs.mjs') !== 0) process.exit(1)
// 3. the donate page (browser-host/ -> browser-host/dist, served by node-host at /donate/)
if (spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', 'browser-host'], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1)
if (existsSync(path.join(root, 'scripts/build-native.mjs'))) {
  const status = run('scripts/build-native.mjs')
  if (status !== 0) console.warn('native addon not built: the node host will use the WASM kernel')
}
