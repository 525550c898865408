/**
 * Serves a built directory (the donate page, browser-host/dist) under an
 * HTTP prefix: only files inside it, by exact name, with the content type of
 * their extension; `/` is index.html. Files are read once and cached.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png'
}

/** The donate page's policy: its own scripts and workers, WASM compilation, and connections to the node, its WebTransport gateway and relays. */
export const DONATE_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss: https: http:; frame-ancestors 'none'"

export function staticDir (dir: string, opts: { csp?: string, missing?: string } = {}): (p: string) => Promise<{ status: number, contentType: string, body: Uint8Array | string, headers: Record<string, string> } | null> {
  const root = path.resolve(dir)
  const cache = new Map<string, Uint8Array>()
  const headers = { 'cache-control': 'no-cache', ...(opts.csp !== undefined ? { 'content-security-policy': opts.csp } : {}) }
  return async (p: string) => {
    let rel: string
    try { rel = decodeURIComponent(p === '/' || p === '' ? '/index.html' : p) } catch { return null }
    if (rel.includes('\0')) return null
    const file = path.resolve(root, '.' + rel)
    if (!file.startsWith(root + path.sep)) return null
    const type = TYPES[path.extname(file)]
    if (type === undefined) return null
    let body = cache.get(file)
    if (body === undefined) {
      try { body = new Uint8Array(await readFile(file)) } catch {
        if (rel === '/index.html' && opts.missing !== undefined) return { status: 503, contentType: 'text/plain; charset=utf-8', body: opts.missing, headers: {} }
        return null
      }
      if (cache.size < 256) cache.set(file, body)
    }
    return { status: 200, contentType: type, body, headers }
  }
}
