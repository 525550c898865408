import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import net from 'node:net'
import { createHttpServer } from '../../node-host/http/server.ts'
import type { HttpServer, NodeStatus } from '../../node-host/http/server.ts'
import { parsePrometheusText } from '../../node-host/http/prometheus.ts'
import { TestMetrics } from './_exposition.ts'

const started = Date.now()
const metrics = new TestMetrics()
let failStatus = false
function status (): NodeStatus {
  if (failStatus) throw new Error('status source broke')
  return { nodeId: 'ab'.repeat(32), peerId: '12D3KooWtest', chainId: 'hypermesh-test', height: metrics.height, round: 0, peers: metrics.peers, validator: true, kernel: 'simd', uptimeSeconds: (Date.now() - started) / 1000, version: '0.1.0' }
}

let server: HttpServer
let port: number
beforeAll(async () => {
  server = createHttpServer({ port: 0, status, metrics: () => metrics.prometheus() })
  await server.start()
  port = server.address.port
})
afterAll(async () => { await server.stop() })

const get = (p: string, init?: RequestInit): Promise<Response> => fetch(`http://127.0.0.1:${port}${p}`, init)

/** Sends raw bytes and collects whatever comes back until the server closes or `ms` passes. */
function raw (bytes: string | Buffer, ms = 2000): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    let out = ''
    const done = (): void => { clearTimeout(t); s.destroy(); resolve(out) }
    const t = setTimeout(done, ms)
    s.on('data', (d) => { out += d.toString('latin1') })
    s.on('end', done); s.on('error', done); s.on('close', done)
    s.write(bytes)
  })
}

describe('HTTP server', () => {
  it('binds to 127.0.0.1 by default', () => {
    expect(server.address.host).toBe('127.0.0.1')
    expect(server.url).toBe(`http://127.0.0.1:${port}`)
  })
  it('/metrics is Prometheus text 0.0.4 with the registry values', async () => {
    metrics.height = 42; metrics.observeFinality(0.3)
    const r = await get('/metrics')
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const fams = parsePrometheusText(await r.text())
    expect(fams.find((f) => f.name === 'hypermesh_consensus_height')?.samples[0].value).toBe(42)
  })
  it('/api/status is JSON with the node status and host load', async () => {
    const r = await get('/api/status')
    expect(r.headers.get('content-type')).toMatch(/^application\/json/)
    const j = await r.json() as Record<string, unknown> & { host: Record<string, number> }
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const j2 = await (await get('/api/status')).json() as { host: { cpuUsage: number } }
    expect(j2.host.cpuUsage).toBeGreaterThanOrEqual(0)
    expect(j2.host.cpuUsage).toBeLessThanOrEqual(1)
    expect(j).toMatchObject({ nodeId: 'ab'.repeat(32), height: 42, kernel: 'simd', validator: true })
    expect(j.host.cores).toBeGreaterThan(0)
    expect(j.host.memoryTotalBytes).toBeGreaterThan(j.host.memoryUsedBytes)
  })
  it('/api/metrics is the same registry as JSON', async () => {
    metrics.txCommitted = 7
    const j = await (await get('/api/metrics')).json() as { families: Array<{ name: string, type: string, samples: Array<{ value: number | string }> }> }
    const tx = j.families.find((f) => f.name === 'hypermesh_ledger_tx_committed_total')
    expect(tx).toMatchObject({ type: 'counter', samples: [{ value: 7 }] })
    const hist = j.families.find((f) => f.type === 'histogram')
    expect(hist?.samples.some((s) => s.value === 1)).toBe(true)
  })
  it('/api/hardware reports the real machine', async () => {
    const j = await (await get('/api/hardware')).json() as { cpu: { logicalCores: number }, memory: { totalBytes: number } }
    expect(j.cpu.logicalCores).toBeGreaterThan(0)
    expect(j.memory.totalBytes).toBeGreaterThan(0)
  })
  it('/ serves the dashboard page and its assets with a strict CSP', async () => {
    const r = await get('/')
    expect(r.headers.get('content-type')).toMatch(/^text\/html/)
    expect(r.headers.get('content-security-policy')).toContain("default-src 'self'")
    const html = await r.text()
    expect(html).toContain('<canvas id="chart-height"')
    expect(html).not.toMatch(/https?:\/\//) // nothing from outside: the machine may be offline
    for (const asset of ['/dashboard.js', '/charts.js', '/dashboard.css']) {
      const a = await get(asset)
      expect(a.status, asset).toBe(200)
      expect(await a.text()).not.toMatch(/https?:\/\//)
    }
  })
  it('HEAD answers headers only', async () => {
    const r = await get('/api/status', { method: 'HEAD' })
    expect(r.status).toBe(200)
    expect(await r.text()).toBe('')
  })
  it('unknown paths are 404 JSON; other methods 405 with Allow', async () => {
    let r = await get('/api/assets')
    expect(r.status).toBe(404)
    expect(await r.json()).toMatchObject({ status: 404 })
    r = await get('/../../etc/passwd')
    expect(r.status).toBe(404)
    r = await get('/api/status', { method: 'POST', body: 'x'.repeat(100_000) })
    expect(r.status).toBe(405)
    expect(r.headers.get('allow')).toBe('GET, HEAD')
    r = await get('/metrics', { method: 'DELETE' })
    expect(r.status).toBe(405)
  })
  it('a failing status source is a 500 JSON, and the server carries on', async () => {
    failStatus = true
    try {
      const r = await get('/api/status')
      expect(r.status).toBe(500)
      expect(await r.json()).toMatchObject({ error: 'internal error' })
    } finally { failStatus = false }
    expect((await get('/api/status')).status).toBe(200)
  })
  it('survives garbage on raw sockets and keeps serving', async () => {
    const garbage: Array<string | Buffer> = [
      'GARBAGE\r\n\r\n',
      'GET\r\n\r\n',
      'GET / HTTP/9.9\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nX-Big: ' + 'a'.repeat(64 * 1024) + '\r\n\r\n',
      'GET / HTTP/1.1\r\nBad Header Line\r\n\r\n',
      'GET http://[::1 HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /%ZZ%00 HTTP/1.1\r\nHost: x\r\n\r\n',
      Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03]), // a TLS ClientHello
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) & 0xff)),
      'GET / HTTP/1.1\r\nHost: x\r\n' // incomplete, then the client goes away
    ]
    for (const g of garbage) {
      const out = await raw(g, 800)
      if (out !== '') expect(out, JSON.stringify(g.toString().slice(0, 40))).toMatch(/^HTTP\/1\.1 (400|404|405|431|505)/)
    }
    // a pipelined pair on one connection still works
    const two = await raw('GET /api/status HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    expect(two).toMatch(/^HTTP\/1\.1 200/)
    expect(two).toContain('HTTP/1.1 404')
    expect((await get('/api/status')).status).toBe(200)
  })
  it('refuses to start on a port in use with the OS error', async () => {
    const other = createHttpServer({ port, status, metrics: () => metrics.prometheus() })
    await expect(other.start()).rejects.toMatchObject({ code: 'EADDRINUSE' })
  })
})
