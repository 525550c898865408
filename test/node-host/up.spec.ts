/**
 * `hypermesh up` as a user runs it: a dev mesh that finalizes blocks with
 * transactions (here on the WebAssembly kernel, as on a machine where the
 * native addon is unavailable), stops cleanly on SIGTERM, restarts where it
 * stopped, and refuses a mismatched genesis or a --validator it is not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { freePort } from '../../node-host/node/testnet.ts'

const BIN = path.resolve(import.meta.dirname, '../../node-host/bin/hypermesh.mjs')
let dir: string

interface Run { proc: ChildProcess, lines: Array<Record<string, any>>, stdout: string[], stderr: string[], exit: Promise<number | null> }

function runUp (args: string[], env: Record<string, string> = {}): Run {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
  const run: Run = { proc, lines: [], stdout: [], stderr: [], exit: new Promise((resolve) => proc.once('exit', (code) => resolve(code))) }
  let buf = ''
  proc.stdout?.on('data', (d: Buffer) => {
    buf += d.toString()
    run.stdout.push(d.toString())
    let nl
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl); buf = buf.slice(nl + 1)
      try { run.lines.push(JSON.parse(line)) } catch { run.stderr.push(line) }
    }
  })
  proc.stderr?.on('data', (d: Buffer) => run.stderr.push(d.toString()))
  return run
}

async function until<T> (f: () => T | undefined | Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    const v = await f()
    if (v !== undefined) return v
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`timed out waiting for ${what}`)
}

async function status (port: number): Promise<Record<string, any> | undefined> {
  try { return await (await fetch(`http://127.0.0.1:${port}/api/status`, { signal: AbortSignal.timeout(2000) })).json() } catch { return undefined }
}

beforeAll(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'hm-up-')) })
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

describe('hypermesh up', () => {
  const data = (): string => path.join(dir, 'dev')
  let stoppedAt = 0
  let nodeId = ''

  it('runs a dev mesh on the WASM kernel when the native addon is unavailable, and stops cleanly on SIGTERM', async () => {
    const port = await freePort()
    const run = runUp(['up', '--data', data(), '--http', `127.0.0.1:${port}`, '--json', '--tx-interval', '200'], { HYPERMESH_NATIVE_PATH: path.join(dir, 'missing.node'), HYPERMESH_KERNEL: '' })
    try {
      const ready = await until(() => run.lines.find((l) => l.event === 'ready'), 30_000, 'the ready line')
      expect(ready.kernel).toMatch(/^(simd|scalar)$/)
      expect(ready.validator).toBe(true)
      nodeId = ready.nodeId
      const st = await until(async () => { const s = await status(port); return s !== undefined && s.height >= 3 && s.txCommitted >= 2 ? s : undefined }, 60_000, 'height 3 with transactions')
      expect(st.kernel).toBe(ready.kernel)
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
      expect(metrics).toContain(`hypermesh_node_info{kernel="${String(ready.kernel)}"`)
      // Caesar credits run on every chain hypermesh creates: nothing minted without verified work, and the invariant holds
      const credits = await (await fetch(`http://127.0.0.1:${port}/api/credits`)).json() as { enabled: boolean, account: { balance: string }, supply: { minted: string, invariantHolds: boolean } }
      expect(credits).toMatchObject({ enabled: true, account: { balance: '0' }, supply: { minted: '0', invariantHolds: true } })
    } finally { run.proc.kill('SIGTERM') }
    expect(await run.exit).toBe(0)
    const stopped = run.lines.find((l) => l.event === 'stopped')
    expect(stopped).toBeDefined()
    stoppedAt = stopped?.height as number
    expect(stoppedAt).toBeGreaterThanOrEqual(3)
  }, 120_000)

  it('restarts from its data directory at the height where it stopped, with the same identity', async () => {
    const port = await freePort()
    const run = runUp(['up', '--data', data(), '--http', `127.0.0.1:${port}`, '--json', '--tx-interval', '0'])
    try {
      const ready = await until(() => run.lines.find((l) => l.event === 'ready'), 30_000, 'the ready line')
      expect(ready.nodeId).toBe(nodeId)
      expect(ready.height).toBeGreaterThanOrEqual(stoppedAt)
      await until(async () => { const s = await status(port); return s !== undefined && s.height > stoppedAt ? s : undefined }, 30_000, 'a new block after restart')
    } finally { run.proc.kill('SIGINT') }
    expect(await run.exit).toBe(0)
  }, 90_000)

  it('keys show prints the identity the node runs with', async () => {
    const run = runUp(['keys', 'show', '--data', data(), '--json'])
    expect(await run.exit).toBe(0)
    const k = JSON.parse(run.stdout.join('')) as { nodeId: string, peerId: string, publicKey: string }
    expect(k.nodeId).toBe(nodeId)
    expect(k.peerId).toMatch(/^12D3KooW/)
    expect(atob(k.publicKey).length).toBe(1793)
  }, 30_000)

  it('refuses a genesis that is not the one its chain was started with, naming both', async () => {
    const g = JSON.parse(await readFile(path.join(data(), 'genesis.json'), 'utf8'))
    g.genesisTime += 1
    const other = path.join(dir, 'other-genesis.json')
    await writeFile(other, JSON.stringify(g))
    const run = runUp(['up', '--data', data(), '--genesis', other, '--http', 'none'])
    expect(await run.exit).toBe(1)
    const err = run.stderr.join('')
    expect(err).toContain(path.join(data(), 'chain'))
    expect(err).toContain(other)
  }, 30_000)

  it('refuses --validator when its key is not a validator of the genesis', async () => {
    const run = runUp(['up', '--data', path.join(dir, 'stranger'), '--genesis', path.join(data(), 'genesis.json'), '--validator', '--http', 'none'])
    expect(await run.exit).toBe(1)
    expect(run.stderr.join('')).toMatch(/is not a validator in .*genesis\.json/)
  }, 30_000)

  it('prints help and rejects bad flags with a usage error', async () => {
    const help = runUp(['up', '--help'])
    expect(await help.exit).toBe(0)
    expect(help.stderr.join('')).toContain('--bootstrap')
    const bad = runUp(['up', '--http', 'nowhere'])
    expect(await bad.exit).toBe(2)
    expect(bad.stderr.join('')).toContain('--http expects HOST:PORT')
  }, 30_000)

  it('keys init + genesis + up: two validators on two data directories form a mesh, as on two machines', async () => {
    const dirs = [path.join(dir, 'm1'), path.join(dir, 'm2')]
    const info: Array<{ peerId: string }> = []
    for (const d of dirs) {
      const r = runUp(['keys', 'init', '--data', d, '--json'])
      expect(await r.exit).toBe(0)
      info.push(JSON.parse(r.stdout.join('')))
    }
    const gfile = path.join(dir, 'mesh.json')
    const g = runUp(['genesis', '--chain-id', 'lab-mesh', '--validator', dirs[0], '--validator', dirs[1], '--out', gfile, '--json'])
    expect(await g.exit).toBe(0)
    expect(JSON.parse(g.stdout.join(''))).toMatchObject({ chainId: 'lab-mesh', validators: 2 })
    const again = runUp(['genesis', '--chain-id', 'lab-mesh', '--validator', dirs[0], '--out', gfile])
    expect(await again.exit).toBe(1) // never overwritten
    const p2p = [await freePort(), await freePort()]
    const http = [await freePort(), await freePort()]
    const runs = [0, 1].map((i) => runUp(['up', '--data', dirs[i], '--genesis', gfile, '--validator', '--json', '--tx-interval', '300',
      '--listen', `/ip4/127.0.0.1/tcp/${p2p[i]}`, '--http', `127.0.0.1:${http[i]}`,
      '--bootstrap', `/ip4/127.0.0.1/tcp/${p2p[1 - i]}/p2p/${info[1 - i].peerId}`]))
    try {
      for (const i of [0, 1]) {
        await until(async () => { const s = await status(http[i]); return s !== undefined && s.height >= 3 && s.peers === 1 && s.txCommitted >= 1 ? s : undefined }, 60_000, `node ${i} at height 3 with its peer`)
      }
      const [a, b] = [await status(http[0]), await status(http[1])]
      expect(a?.chainId).toBe('lab-mesh')
      expect(a?.genesisHash).toBe(b?.genesisHash)
    } finally { for (const r of runs) r.proc.kill('SIGTERM') }
    for (const r of runs) expect(await r.exit).toBe(0)
  }, 120_000)
})
