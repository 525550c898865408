/**
 * The HyperMesh edge relay Worker.
 *
 *   GET /room/<mesh-id>?token=<base64url join token>   (WebSocket upgrade)
 *       → checks the token (see token.ts) and hands the socket to the
 *         room's RelayRoom Durable Object (idFromName(mesh-id)); a refused
 *         token still gets an accepted socket, closed at once with a CLOSE
 *         code and a reason, so browsers can tell why.
 *   GET /health[?room=<mesh-id>]
 *       → JSON: status, limits, this isolate's counters, and with `room`
 *         that room's peers and counters.
 *   anything else → 404 JSON.
 *
 * workerd accepts only handlers and classes as a Worker module's exports:
 * constants live in constants.ts.
 */
import { DecodeError } from '../../ts/errors.ts'
import { nodeIdToHex } from '../../ts/identity/falcon.ts'
import { joinTokenFromString, checkJoinToken, MAX_JOIN_TOKEN_BYTES } from './token.ts'
import { RelayRoom, JOIN_HEADERS, refuse, limitsFromEnv } from './room.ts'
import { CLOSE, RELAY_VERSION, MESH_ID_PATTERN, MAX_FRAME_BYTES, MAX_PEERS_PER_ROOM, MAX_JOIN_TOKEN_TTL_MS } from './constants.ts'
import type { RelayEnv } from './_runtime.ts'

export { RelayRoom }


const ROOM_PATH = /^\/room\/([^/]+)$/

/** Counters of this Worker isolate (a deployment runs many isolates; each reports its own). */
const isolate = {
  since: Date.now(),
  requests: 0,
  upgrades: 0,
  refused: { badToken: 0, forged: 0, expired: 0, wrongRoom: 0 }
}

function json (body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } })
}

async function health (url: URL, env: RelayEnv): Promise<Response> {
  const body: Record<string, unknown> = {
    ok: true,
    service: 'hypermesh-edge-relay',
    version: RELAY_VERSION,
    limits: { ...limitsFromEnv(env), maxFrameBytes: MAX_FRAME_BYTES, maxPeersPerRoom: MAX_PEERS_PER_ROOM, maxJoinTokenTtlMs: MAX_JOIN_TOKEN_TTL_MS },
    isolate: { ...isolate, refused: { ...isolate.refused } }
  }
  const room = url.searchParams.get('room')
  if (room !== null) {
    if (!MESH_ID_PATTERN.test(room)) return json({ error: `room must match ${String(MESH_ID_PATTERN)}` }, 400)
    const stub = env.ROOMS.get(env.ROOMS.idFromName(room))
    body.room = { meshId: room, ...(await (await stub.fetch('https://relay/stats')).json() as object) }
  }
  return json(body)
}

async function join (request: Request, meshId: string, url: URL, env: RelayEnv): Promise<Response> {
  isolate.upgrades++
  const raw = url.searchParams.get('token')
  if (raw === null || raw.length === 0 || raw.length > Math.ceil(MAX_JOIN_TOKEN_BYTES * 4 / 3)) {
    isolate.refused.badToken++
    return refuse(CLOSE.BadToken, 'missing or oversized join token')
  }
  let token
  try {
    token = joinTokenFromString(raw)
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err
    isolate.refused.badToken++
    return refuse(CLOSE.BadToken, 'malformed join token')
  }
  const verdict = checkJoinToken(token, meshId, Date.now())
  if (!verdict.ok) {
    switch (verdict.reason) {
      case 'wrong-room': isolate.refused.wrongRoom++; return refuse(CLOSE.WrongRoom, 'join token is for another mesh')
      case 'expired': isolate.refused.expired++; return refuse(CLOSE.Expired, 'join token expired')
      case 'too-long': isolate.refused.expired++; return refuse(CLOSE.Expired, `join token lives longer than ${MAX_JOIN_TOKEN_TTL_MS} ms`)
      default: isolate.refused.forged++; return refuse(CLOSE.Forged, 'join token does not verify')
    }
  }
  // Only this Worker reaches the room, so these headers carry the verified identity.
  const headers = new Headers(request.headers)
  headers.set(JOIN_HEADERS.nodeId, nodeIdToHex(token.nodeId))
  headers.set(JOIN_HEADERS.nonce, Array.from(token.nonce, (b) => b.toString(16).padStart(2, '0')).join(''))
  headers.set(JOIN_HEADERS.expires, String(token.expires))
  const stub = env.ROOMS.get(env.ROOMS.idFromName(meshId))
  return stub.fetch(new Request('https://relay/join', { headers }))
}

export default {
  async fetch (request: Request, env: RelayEnv): Promise<Response> {
    isolate.requests++
    const url = new URL(request.url)
    if (url.pathname === '/health') {
      if (request.method !== 'GET') return json({ error: 'method not allowed' }, 405)
      return health(url, env)
    }
    const m = ROOM_PATH.exec(url.pathname)
    if (m !== null) {
      let meshId: string
      try { meshId = decodeURIComponent(m[1]) } catch { return json({ error: 'bad mesh id' }, 400) }
      if (!MESH_ID_PATTERN.test(meshId)) return json({ error: `mesh id must match ${String(MESH_ID_PATTERN)}` }, 400)
      if (request.method !== 'GET' || request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
        return json({ error: 'expected a WebSocket upgrade' }, 426)
      }
      return join(request, meshId, url, env)
    }
    return json({ error: 'not found' }, 404)
  }
}
