/**
 * HTTP-agnostic handler for the C2SP read paths of a log, for a host to
 * mount under the log's prefix: `/checkpoint`, `/tile/<L>/<N>[.p/<W>]`,
 * `/tile/entries/<N>[.p/<W>]`. Paths not of the log give null (the host
 * goes on routing); a query string is ignored.
 * @module
 */
import type { TransparencyLog } from './log.ts'
import { parseTilePath } from './tiles.ts'

export interface TlogResponse {
  status: number
  contentType: string
  body: Uint8Array | string
  headers: Record<string, string>
}

const TEXT = 'text/plain; charset=utf-8'
const OCTETS = 'application/octet-stream'
const IMMUTABLE = { 'cache-control': 'public, max-age=31536000, immutable' }

/** `(path) => Promise<response | null>`; path is relative to the log prefix and starts with '/'. */
export function tlogRoutes (log: TransparencyLog): (path: string) => Promise<TlogResponse | null> {
  return async (rawPath: string): Promise<TlogResponse | null> => {
    if (typeof rawPath !== 'string') return null
    const q = rawPath.indexOf('?')
    const path = q < 0 ? rawPath : rawPath.slice(0, q)
    if (path === '/checkpoint') {
      const cp = log.latestCheckpoint
      if (cp === null) return { status: 404, contentType: TEXT, body: 'no checkpoint yet\n', headers: { 'cache-control': 'no-store' } }
      return { status: 200, contentType: TEXT, body: cp.note, headers: { 'cache-control': 'no-store' } }
    }
    if (!path.startsWith('/tile/')) return null
    let t
    try { t = parseTilePath(path.slice(1)) } catch { return { status: 400, contentType: TEXT, body: 'malformed tile path\n', headers: {} } }
    if (!log.hasTile(t)) return { status: 404, contentType: TEXT, body: 'tile not in the tree\n', headers: {} }
    const body = t.level === 'entries' ? await log.entryBundle(t) : log.hashTile(t)
    return { status: 200, contentType: OCTETS, body, headers: { ...IMMUTABLE } }
  }
}
