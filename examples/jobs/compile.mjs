// Compiles the AssemblyScript job examples (examples/jobs/assembly/*.ts,
// except abi.ts) into examples/jobs/build/<name>.wasm with assemblyscript's
// asc. Used by scripts/build-jobs.mjs and by the VM tests (which build the
// examples when missing). A file is rebuilt when its source or abi.ts is newer.
import { readdir, stat, mkdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')
export const JOBS_DIR = here
export const BUILD_DIR = path.join(here, 'build')
export const EXAMPLES = ['hash-search', 'matmul', 'blur']

async function mtime (p) {
  try { return (await stat(p)).mtimeMs } catch { return -1 }
}

/** Builds the examples that are missing or stale; returns { name: Uint8Array }. */
export async function buildJobs ({ force = false, log = () => {} } = {}) {
  const { default: asc } = await import('assemblyscript/asc')
  await mkdir(BUILD_DIR, { recursive: true })
  const abiTime = await mtime(path.join(here, 'assembly/abi.ts'))
  const out = {}
  for (const name of EXAMPLES) {
    const src = path.join(here, 'assembly', `${name}.ts`)
    const dst = path.join(BUILD_DIR, `${name}.wasm`)
    const dstTime = await mtime(dst)
    if (force || dstTime < Math.max(await mtime(src), abiTime)) {
      const stderr = []
      const { error } = await asc.main([
        path.relative(root, src),
        '--outFile', path.relative(root, dst),
        '--config', 'examples/jobs/asconfig.json'
      ], { baseDir: root, stdout: { write () {} }, stderr: { write (s) { stderr.push(String(s)) } } })
      if (error) throw new Error(`asc failed for examples/jobs/assembly/${name}.ts: ${error.message}\n${stderr.join('')}`)
      log(`examples/jobs/build/${name}.wasm`)
    }
    out[name] = new Uint8Array(await readFile(dst))
  }
  return out
}
