/**
 * Test helper: builds the Worker exactly as `wrangler deploy` would
 * (`wrangler deploy --dry-run --outdir`, spawned by PID, offline) and runs
 * the bundle in workerd through Miniflare's Node API on 127.0.0.1.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Miniflare } from 'miniflare'

export const RELAY_DIR = path.resolve(import.meta.dirname, '../../edge-relay')
const WRANGLER = path.resolve(import.meta.dirname, '../../node_modules/wrangler/bin/wrangler.js')

/** Environment for wrangler: no metrics, no network look-ups, config kept inside the project. */
export function wranglerEnv (): NodeJS.ProcessEnv {
  return {
    ...process.env,
    XDG_CONFIG_HOME: path.join(RELAY_DIR, '.wrangler-home'),
    WRANGLER_SEND_METRICS: 'false',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    NO_COLOR: '1',
    CI: '1'
  }
}

export interface DryRun { outdir: string, code: number, output: string }

/** Runs `wrangler deploy --dry-run --outdir <tmp>` in edge-relay/ (bounded to 60 s). */
export async function wranglerDryRun (): Promise<DryRun> {
  const outdir = await mkdtemp(path.join(tmpdir(), 'hm-relay-'))
  const child = spawn(process.execPath, [WRANGLER, 'deploy', '--dry-run', '--outdir', outdir], { cwd: RELAY_DIR, env: wranglerEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (d: Buffer) => { output += d.toString() })
  child.stderr.on('data', (d: Buffer) => { output += d.toString() })
  const timer = setTimeout(() => { if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL') }, 60_000)
  const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)))
  clearTimeout(timer)
  return { outdir, code, output }
}

export interface RunningRelay {
  /** http://127.0.0.1:PORT */
  url: string
  mf: Miniflare
  dispose: () => Promise<void>
  health: (room?: string) => Promise<HealthBody>
}

export interface HealthBody {
  ok: boolean
  isolate: { requests: number, upgrades: number, refused: Record<string, number> }
  room?: { meshId: string, peers: number, counters: Record<string, number> }
  limits: Record<string, number>
}

/** Starts the dry-run bundle in workerd; `vars` override the Worker's RELAY_* limits. */
export async function startRelay (bundleDir: string, vars: Record<string, string> = {}): Promise<RunningRelay> {
  const script = await readFile(path.join(bundleDir, 'worker.js'), 'utf8')
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: '2026-05-03',
    durableObjects: { ROOMS: { className: 'RelayRoom', useSQLite: true } },
    bindings: vars,
    host: '127.0.0.1',
    port: 0
  })
  const ready = await mf.ready
  const url = ready.href.replace(/\/$/, '')
  return {
    url,
    mf,
    dispose: async () => { await mf.dispose() },
    health: async (room?: string) => {
      const r = await fetch(`${url}/health${room !== undefined ? `?room=${encodeURIComponent(room)}` : ''}`, { signal: AbortSignal.timeout(5000) })
      return await r.json() as HealthBody
    }
  }
}

export async function removeDir (dir: string): Promise<void> { await rm(dir, { recursive: true, force: true }) }

/** Resolves when `cond()` holds; rejects after `ms`. */
export async function until (cond: () => boolean | Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
