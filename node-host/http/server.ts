/**
 * The node's HTTP server (node:http): Prometheus text at /metrics, JSON at
 * /api/status, /api/metrics and /api/hardware, and the dashboard at /.
 * Binds to 127.0.0.1 unless told otherwise. Unknown paths answer 404 JSON,
 * other methods than GET/HEAD 405, and malformed requests 400 — the server
 * keeps running whatever a client sends.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import { readHardware, CpuUsageSampler } from '../hardware/index.ts'
import type { HardwareReport } from '../hardware/index.ts'
import { PROMETHEUS_CONTENT_TYPE, parsePrometheusText, familiesToJson } from './prometheus.ts'
import os from 'node:os'

/** What a node reports about itself; the composition root fills it. */
export interface NodeStatus {
  nodeId: string | null
  peerId: string | null
  chainId: string | null
  /** Height of the latest finalized block (-1 before genesis). */
  height: number
  round: number | null
  peers: number
  validator: boolean
  /** Hashing kernel in use (native, simd, scalar, ts). */
  kernel: string | null
  uptimeSeconds: number
  version: string
  [extra: string]: unknown
}

export interface ApiRequest { method: string, query: URLSearchParams, body: Uint8Array }
export type ApiResult = { status?: number, json: unknown } | { status?: number, bytes: Uint8Array }

/** A refusal from an API handler: its status and message reach the client as JSON. */
export class ApiError extends Error {
  static override readonly name = 'ApiError'
  override readonly name = 'ApiError'
  readonly status: number
  constructor (status: number, message: string) { super(message); this.status = status }
}

export interface HostLoad {
  /** Busy fraction of all cores, 0..1, over the last second (null until the first second has passed). */
  cpuUsage: number | null
  loadAverage: [number, number, number]
  cores: number
  memoryUsedBytes: number
  memoryTotalBytes: number
}

export interface HttpServerInit {
  /** Default 127.0.0.1. */
  host?: string
  /** Default 8080; 0 picks a free port. */
  port?: number
  status: () => NodeStatus | Promise<NodeStatus>
  /** Prometheus text exposition (0.0.4) of the node's metrics registry. */
  metrics: () => string | Promise<string>
  /** Defaults to the hardware adapters, cached for a few seconds. */
  hardware?: () => Promise<HardwareReport>
  /** Extra JSON routes (`/api/...` path -> value), answered like /api/status. */
  routes?: Record<string, () => unknown>
  /**
   * Operator API routes (any method): `path -> handler`. The handler gets the
   * method, the query and the body (bounded by `maxBodyBytes`) and answers
   * JSON or bytes; an ApiError becomes its status with a JSON error.
   */
  api?: Record<string, (req: ApiRequest) => Promise<ApiResult> | ApiResult>
  /**
   * Read-only trees served under a prefix (GET/HEAD): `'/log' -> handler(rest)`
   * answering `{status, contentType, body, headers}` or null (then 404).
   */
  prefixes?: Record<string, (path: string) => Promise<{ status: number, contentType: string, body: Uint8Array | string, headers: Record<string, string> } | null>>
  /** Largest request body accepted by `api` routes (default 80 MiB). */
  maxBodyBytes?: number
  /** WebSocket (HTTP Upgrade) endpoints by exact path; other upgrade requests get 404. The handler owns the socket. */
  upgrades?: Record<string, (req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => void>
  /** Where index.html, dashboard.js and dashboard.css are (default node-host/dashboard). */
  dashboardDir?: string
}

export const DEFAULT_HTTP_HOST = '127.0.0.1'
export const DEFAULT_HTTP_PORT = 8080
const HARDWARE_CACHE_MS = 5000
const DASHBOARD_FILES: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/dashboard.js': 'dashboard.js',
  '/charts.js': 'charts.js',
  '/dashboard.css': 'dashboard.css',
  '/favicon.svg': 'favicon.svg',
  '/favicon.ico': 'favicon.svg'
}
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml'
}
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'"
}

class HttpError extends Error {
  readonly status: number
  readonly headers: Record<string, string>
  constructor (status: number, message: string, headers: Record<string, string> = {}) { super(message); this.status = status; this.headers = headers }
}

export class HttpServer {
  private readonly init: HttpServerInit
  private readonly server: http.Server
  private readonly cpu = new CpuUsageSampler()
  private cpuUsage: number | null = null
  private cpuTimer: NodeJS.Timeout | undefined
  private hwCache: { at: number, value: Promise<HardwareReport> } | undefined
  private files = new Map<string, { body: Buffer, type: string }>()
  private readonly routes: Record<string, () => Promise<{ body: string, type: string }>>

  constructor (init: HttpServerInit) {
    this.init = init
    this.server = http.createServer({ requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000, maxHeaderSize: 16 * 1024 }, (req, res) => { void this.handle(req, res) })
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      // malformed request line/headers, oversized headers, timeouts: answer 400 when still possible, then drop
      if (socket.writable && err.code !== 'ECONNRESET') {
        const body = JSON.stringify({ error: 'bad request' })
        socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`)
      } else socket.destroy()
    })
    this.server.on('upgrade', (req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => {
      socket.on('error', () => { socket.destroy() })
      let pathname = ''
      try { pathname = new URL(req.url ?? '/', 'http://x').pathname } catch { /* answered below */ }
      const handler = this.init.upgrades?.[pathname]
      if (handler === undefined) { socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'); return }
      try { handler(req, socket, head) } catch { socket.destroy() }
    })
    const json = (v: unknown): { body: string, type: string } => ({ body: JSON.stringify(v), type: 'application/json; charset=utf-8' })
    this.routes = {
      '/metrics': async () => ({ body: await this.init.metrics(), type: PROMETHEUS_CONTENT_TYPE }),
      '/api/metrics': async () => json({ families: familiesToJson(parsePrometheusText(await this.init.metrics())), at: Date.now() }),
      '/api/status': async () => json({ ...(await this.init.status()), host: this.hostLoad(), at: Date.now() }),
      '/api/hardware': async () => json(await this.hardware())
    }
    for (const [route, fn] of Object.entries(init.routes ?? {})) {
      if (!/^\/api\/[a-z0-9/-]+$/.test(route) || route in this.routes) throw new Error(`bad or duplicate route ${route}`)
      this.routes[route] = async () => json(await fn())
    }
  }

  /** Listens; resolves once bound. */
  async start (): Promise<void> {
    const dir = this.init.dashboardDir ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dashboard')
    for (const [route, file] of Object.entries(DASHBOARD_FILES)) {
      this.files.set(route, { body: await readFile(path.join(dir, file)), type: MIME[path.extname(file)] })
    }
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => { reject(err) }
      this.server.once('error', onError)
      this.server.listen(this.init.port ?? DEFAULT_HTTP_PORT, this.init.host ?? DEFAULT_HTTP_HOST, () => {
        this.server.off('error', onError)
        this.cpuTimer = setInterval(() => { this.cpuUsage = this.cpu.sample() }, 1000)
        this.cpuTimer.unref()
        resolve()
      })
    })
  }

  async stop (): Promise<void> {
    if (this.cpuTimer !== undefined) clearInterval(this.cpuTimer)
    if (!this.server.listening) return
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.server.closeAllConnections()
    await closed
  }

  get address (): { host: string, port: number } {
    const a = this.server.address() as AddressInfo | null
    if (a === null) throw new Error('HTTP server is not listening')
    return { host: a.address, port: a.port }
  }

  get url (): string {
    const { host, port } = this.address
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  }

  private hostLoad (): HostLoad {
    const la = os.loadavg()
    return {
      cpuUsage: this.cpuUsage,
      loadAverage: [la[0], la[1], la[2]],
      cores: os.availableParallelism(),
      memoryUsedBytes: os.totalmem() - os.freemem(),
      memoryTotalBytes: os.totalmem()
    }
  }

  private async hardware (): Promise<HardwareReport> {
    const now = Date.now()
    if (this.hwCache === undefined || now - this.hwCache.at > HARDWARE_CACHE_MS) {
      const value = (this.init.hardware ?? readHardware)()
      this.hwCache = { at: now, value }
      value.catch(() => { this.hwCache = undefined })
    }
    return await this.hwCache.value
  }

  private async readBody (req: http.IncomingMessage): Promise<Uint8Array> {
    const max = this.init.maxBodyBytes ?? 80 * 1024 * 1024
    const declared = Number(req.headers['content-length'] ?? 0)
    if (declared > max) throw new HttpError(413, `body over ${max} bytes`)
    const parts: Buffer[] = []
    let n = 0
    for await (const chunk of req as AsyncIterable<Buffer>) {
      n += chunk.length
      if (n > max) throw new HttpError(413, `body over ${max} bytes`)
      parts.push(chunk)
    }
    return Buffer.concat(parts)
  }

  private async handle (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    req.on('error', () => {})
    res.on('error', () => {})
    try {
      let pathname: string
      let query: URLSearchParams
      try {
        const u = new URL(req.url ?? '/', 'http://localhost')
        pathname = u.pathname; query = u.searchParams
      } catch {
        req.resume()
        throw new HttpError(400, 'bad request target')
      }
      const api = this.init.api?.[pathname]
      if (api !== undefined) {
        const body = req.method === 'GET' || req.method === 'HEAD' ? (req.resume(), new Uint8Array(0)) : await this.readBody(req)
        let r: ApiResult
        try { r = await api({ method: req.method ?? 'GET', query, body }) } catch (err) {
          if (err instanceof ApiError) throw new HttpError(err.status, err.message)
          throw err
        }
        const out = 'bytes' in r ? Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength) : Buffer.from(JSON.stringify(r.json))
        res.writeHead(r.status ?? 200, { 'content-type': 'bytes' in r ? 'application/octet-stream' : 'application/json; charset=utf-8', 'content-length': out.length, 'cache-control': 'no-store', ...SECURITY_HEADERS })
        res.end(req.method === 'HEAD' ? undefined : out)
        return
      }
      // a body on GET is allowed by HTTP but unused here: discard it without buffering
      req.resume()
      for (const [prefix, serve] of Object.entries(this.init.prefixes ?? {})) {
        if (!pathname.startsWith(prefix + '/')) continue
        if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `method ${String(req.method).slice(0, 20)} not allowed`, { allow: 'GET, HEAD' })
        const r = await serve(pathname.slice(prefix.length))
        if (r === null) break
        const out = typeof r.body === 'string' ? Buffer.from(r.body) : Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength)
        // a prefix may set its own content-security-policy (the donate page needs workers, WASM and other origins)
        res.writeHead(r.status, { 'content-type': r.contentType, 'content-length': out.length, ...SECURITY_HEADERS, ...r.headers })
        res.end(req.method === 'HEAD' ? undefined : out)
        return
      }
      if (this.init.prefixes?.[pathname] !== undefined && (req.method === 'GET' || req.method === 'HEAD')) {
        res.writeHead(301, { location: pathname + '/', 'content-length': 0, ...SECURITY_HEADERS })
        res.end()
        return
      }
      const route = this.routes[pathname]
      const file = this.files.get(pathname)
      if (route === undefined && file === undefined) throw new HttpError(404, `no such path: ${pathname.slice(0, 200)}`)
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `method ${String(req.method).slice(0, 20)} not allowed`, { allow: 'GET, HEAD' })
      let body: Buffer; let type: string
      if (file !== undefined) {
        body = file.body; type = file.type
      } else {
        const r = await route!()
        body = Buffer.from(r.body); type = r.type
      }
      res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-store', ...SECURITY_HEADERS })
      res.end(req.method === 'HEAD' ? undefined : body)
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, 'internal error')
      const body = Buffer.from(JSON.stringify({ error: e.message, status: e.status }))
      if (res.headersSent) { res.destroy(); return }
      res.writeHead(e.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length, 'cache-control': 'no-store', ...e.headers, ...SECURITY_HEADERS })
      res.end(req.method === 'HEAD' ? undefined : body)
    }
  }
}

export function createHttpServer (init: HttpServerInit): HttpServer {
  return new HttpServer(init)
}
