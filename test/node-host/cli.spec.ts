import { describe, it, expect } from 'vitest'
import { execFile } from 'node:child_process'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import { main, rootCommand } from '../../node-host/cli/main.ts'
import type { CliIO, Command } from '../../node-host/cli/framework.ts'
import { parseHostPort } from '../../node-host/cli/commands/status.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const BIN = path.join(root, 'node-host/bin/hypermesh.mjs')

async function run (argv: string[]): Promise<{ code: number, out: string, err: string }> {
  let out = ''; let err = ''
  const io: CliIO = { stdout: (t) => { out += t }, stderr: (t) => { err += t }, env: {}, cwd: root, signal: new AbortController().signal }
  const code = await main(argv, io)
  return { code, out, err }
}

function leafPaths (c: Command, prefix: string[] = []): string[][] {
  if ('subcommands' in c) return c.subcommands.flatMap((s) => leafPaths(s, [...prefix, s.name]))
  return [prefix]
}

describe('hypermesh CLI (in process)', () => {
  it('--help lists every command and exits 0', async () => {
    const r = await run(['--help'])
    expect(r.code).toBe(0)
    for (const c of rootCommand.subcommands) expect(r.out).toContain(c.name)
  })
  it('every command answers --help with its usage and exit 0', async () => {
    const paths = leafPaths(rootCommand)
    expect(paths.length).toBeGreaterThanOrEqual(2)
    for (const p of paths) {
      const r = await run([...p, '--help'])
      expect(r.code, p.join(' ')).toBe(0)
      expect(r.out).toContain(`Usage: hypermesh ${p.join(' ')}`)
      expect(r.out).toContain('--help')
      expect(r.err).toBe('')
    }
  })
  it('--version prints the package version', async () => {
    const r = await run(['--version'])
    expect(r).toMatchObject({ code: 0, out: 'hypermesh 0.1.0\n' })
  })
  it('no arguments: usage on stderr, exit 2', async () => {
    const r = await run([])
    expect(r.code).toBe(2)
    expect(r.err).toContain('Commands:')
  })
  it('unknown command: exit 2 with a suggestion', async () => {
    const r = await run(['hardwre'])
    expect(r.code).toBe(2)
    expect(r.err).toContain("unknown command 'hardwre'")
    expect(r.err).toContain("did you mean 'hardware'")
    expect(r.out).toBe('')
  })
  it('unknown flag, missing value, stray argument: exit 2 naming the problem', async () => {
    let r = await run(['hardware', '--bogus'])
    expect(r.code).toBe(2); expect(r.err).toContain("'--bogus'"); expect(r.err).toContain('hypermesh hardware --help')
    r = await run(['status', '--http'])
    expect(r.code).toBe(2); expect(r.err).toContain('--http')
    r = await run(['hardware', 'extra'])
    expect(r.code).toBe(2); expect(r.err).toContain("unexpected argument 'extra'")
    r = await run(['--bogus'])
    expect(r.code).toBe(2)
    r = await run(['status', '--http', 'nohostport'])
    expect(r.code).toBe(2); expect(r.err).toContain('HOST:PORT')
  })
  it('hardware --json prints the real machine as JSON', async () => {
    const r = await run(['hardware', '--json'])
    expect(r.code).toBe(0)
    const hw = JSON.parse(r.out)
    expect(hw.cpu.logicalCores).toBeGreaterThan(0)
    expect(hw.memory.totalBytes).toBeGreaterThan(0)
    expect(hw.disks.some((d: { mountPoint: string }) => d.mountPoint === '/')).toBe(true)
  })
  it('hardware with a sharing policy prints assets, and refuses an impossible one (exit 2)', async () => {
    let r = await run(['hardware', '--share-cores', '1', '--share-memory', '64MiB', '--share-storage', '/:1GiB', '--json'])
    expect(r.code).toBe(0)
    const j = JSON.parse(r.out)
    expect(j.assets.map((a: { kind: string }) => a.kind)).toEqual(['Cpu', 'Memory', 'Storage'])
    r = await run(['hardware', '--share-cores', '4096'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/4096 requested/)
    r = await run(['hardware', '--share-gpu', '0'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/no GPU/)
  })
  it('status: a clear message and exit 1 when no node listens', async () => {
    // a port that was free a moment ago
    const srv = createServer(); await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
    const port = (srv.address() as AddressInfo).port
    await new Promise((resolve) => srv.close(resolve))
    const r = await run(['status', '--http', `127.0.0.1:${port}`])
    expect(r.code).toBe(1)
    expect(r.err).toContain(`no HyperMesh node answers at http://127.0.0.1:${port}`)
    expect(r.err).toContain('hypermesh up')
  })
  it('parses HOST:PORT forms', () => {
    expect(parseHostPort('127.0.0.1:8080', '--http')).toEqual({ host: '127.0.0.1', port: 8080 })
    expect(parseHostPort('[::1]:9', '--http')).toEqual({ host: '::1', port: 9 })
    expect(parseHostPort('localhost:1', '--http')).toEqual({ host: 'localhost', port: 1 })
    for (const bad of ['127.0.0.1', ':80', '1.2.3.4:0', '1.2.3.4:65536', '::1:80', 'a:b']) expect(() => parseHostPort(bad, '--http')).toThrow(/HOST:PORT/)
  })
})

describe('hypermesh bin', () => {
  function spawnBin (node: string, args: string[]): Promise<{ code: number | null, out: string, err: string }> {
    return new Promise((resolve) => {
      execFile(node, [BIN, ...args], { cwd: root, timeout: 30_000, env: { ...process.env, HYPERMESH_REEXEC: '' } }, (e, out, err) => {
        resolve({ code: e === null ? 0 : (typeof e.code === 'number' ? e.code : null), out, err })
      })
    })
  }
  it('runs under the Node 22 that runs the tests', async () => {
    const r = await spawnBin(process.execPath, ['--version'])
    expect(r).toMatchObject({ code: 0, out: 'hypermesh 0.1.0\n' })
  })
  it('started by an older system Node, it re-executes itself with Node 22', async () => {
    const r = await spawnBin('/usr/bin/node', ['--help'])
    expect(r.code).toBe(0)
    expect(r.out).toContain('Usage: hypermesh <command>')
    const bad = await spawnBin('/usr/bin/node', ['nope'])
    expect(bad.code).toBe(2)
    expect(bad.err).toContain("unknown command 'nope'")
  })
})

describe('hypermesh status against a running HTTP API', () => {
  it('prints the status of the node (human and --json)', async () => {
    const { createHttpServer } = await import('../../node-host/http/server.ts')
    const srv = createHttpServer({
      port: 0,
      metrics: () => '',
      status: () => ({ nodeId: 'cd'.repeat(32), peerId: '12D3KooWx', chainId: 'hypermesh-dev', height: 17, round: 1, peers: 3, validator: true, kernel: 'native', uptimeSeconds: 125, version: '0.1.0' })
    })
    await srv.start()
    try {
      const hp = `127.0.0.1:${srv.address.port}`
      let r = await run(['status', '--http', hp])
      expect(r.code).toBe(0)
      expect(r.out).toContain('Height     17')
      expect(r.out).toContain('Peers      3')
      expect(r.out).toContain('Uptime     2 min 5 s')
      r = await run(['status', '--http', hp, '--json'])
      expect(r.code).toBe(0)
      expect(JSON.parse(r.out)).toMatchObject({ nodeId: 'cd'.repeat(32), height: 17, kernel: 'native', host: { cores: expect.any(Number) } })
    } finally { await srv.stop() }
  })
  it('says so when something else answers', async () => {
    const http = await import('node:http')
    const other = http.createServer((_, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<html>hello</html>') })
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve))
    try {
      const r = await run(['status', '--http', `127.0.0.1:${(other.address() as AddressInfo).port}`])
      expect(r.code).toBe(1)
      expect(r.err).toContain('is this a HyperMesh node?')
    } finally { await new Promise((resolve) => other.close(resolve)) }
  })
})
