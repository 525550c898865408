/**
 * RelayRoom: one Durable Object per mesh room. Peers connect through the
 * Worker (which has already checked their join token) and are accepted with
 * the WebSocket Hibernation API: each socket is tagged with its NodeId (hex)
 * and carries {id, strikes} as its attachment, so after the object hibernates
 * and wakes, `getWebSockets(tag)` still finds every peer and nothing held in
 * memory is needed to route. What lives only in memory is the token bucket
 * (hibernation happens only after the room was idle, when every bucket would
 * have refilled anyway). Counters and used join nonces live in SQLite.
 */
import { nodeIdToHex, nodeIdFromHex } from '../../ts/identity/falcon.ts'
import { decodeFrame, encodeWelcome, encodeArrived, encodeDeparted, encodeUndeliverable } from './frame.ts'
import { CLOSE, FRAME, MAX_FRAME_BYTES, MAX_PEERS_PER_ROOM, PING, PONG, DEFAULT_LIMITS, NODE_ID_BYTES } from './constants.ts'
import type { RelayLimits } from './constants.ts'
import { newWebSocketPair, newAutoResponse, upgradeResponse } from './_runtime.ts'
import type { DurableObjectState, RelayEnv, WorkerWebSocket } from './_runtime.ts'

/** Headers the Worker sets on the join request after verifying the token (clients cannot reach the object directly). */
export const JOIN_HEADERS = Object.freeze({ nodeId: 'x-relay-node-id', nonce: 'x-relay-nonce', expires: 'x-relay-expires' })

interface Attachment { id: string, strikes: number, strikeAt: number, gone: boolean }
interface Bucket { msgs: number, bytes: number, at: number }

const COUNTERS = ['generation', 'joins', 'departures', 'replaced', 'relayedFrames', 'relayedBytes', 'undeliverable',
  'droppedOversized', 'droppedMalformed', 'droppedRate', 'abuseClosed', 'refusedReplay', 'refusedFull'] as const
type Counter = typeof COUNTERS[number]
/** relayedFrames/relayedBytes are written to SQLite every this many frames (and with every other event). */
const RELAY_FLUSH_EVERY = 64

export interface RoomStats {
  peers: number
  counters: Record<Counter, number>
}

function limitFrom (v: string | number | undefined, dflt: number): number {
  if (v === undefined || v === '') return dflt
  const n = Number(v)
  return Number.isFinite(n) && n > 0 ? n : dflt
}

export function limitsFromEnv (env: Partial<RelayEnv>): RelayLimits {
  return {
    msgsPerSec: limitFrom(env.RELAY_MSGS_PER_SEC, DEFAULT_LIMITS.msgsPerSec),
    msgBurst: limitFrom(env.RELAY_MSG_BURST, DEFAULT_LIMITS.msgBurst),
    bytesPerSec: limitFrom(env.RELAY_BYTES_PER_SEC, DEFAULT_LIMITS.bytesPerSec),
    byteBurst: limitFrom(env.RELAY_BYTE_BURST, DEFAULT_LIMITS.byteBurst),
    maxStrikes: limitFrom(env.RELAY_MAX_STRIKES, DEFAULT_LIMITS.maxStrikes)
  }
}

function json (body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}

/** Accepts and at once closes a socket with `code`, so browsers see the reason (an HTTP error on upgrade shows them nothing). */
export function refuse (code: number, reason: string): Response {
  const [client, server] = newWebSocketPair()
  server.accept()
  server.close(code, reason)
  return upgradeResponse(client)
}

export class RelayRoom {
  readonly #state: DurableObjectState
  readonly #limits: RelayLimits
  readonly #counters: Record<Counter, number>
  /** The values last written to SQLite. */
  readonly #stored: Record<Counter, number>
  readonly #buckets = new WeakMap<WorkerWebSocket, Bucket>()
  #unflushedRelays = 0

  constructor (state: DurableObjectState, env: RelayEnv) {
    this.#state = state
    this.#limits = limitsFromEnv(env)
    const sql = state.storage.sql
    sql.exec('CREATE TABLE IF NOT EXISTS stats (k TEXT PRIMARY KEY, v INTEGER NOT NULL)')
    sql.exec('CREATE TABLE IF NOT EXISTS nonces (nonce TEXT PRIMARY KEY, expires INTEGER NOT NULL)')
    this.#counters = Object.fromEntries(COUNTERS.map((k) => [k, 0])) as Record<Counter, number>
    for (const row of sql.exec<{ k: string, v: number }>('SELECT k, v FROM stats')) {
      if ((COUNTERS as readonly string[]).includes(row.k)) this.#counters[row.k as Counter] = Number(row.v)
    }
    this.#stored = { ...this.#counters }
    // Counts how often this room was (re)constructed: each wake from hibernation adds one.
    this.#bump('generation')
    // Keep-alives are answered by the runtime without waking a hibernating room.
    state.setWebSocketAutoResponse(newAutoResponse(PING, PONG))
  }

  async fetch (request: Request): Promise<Response> {
    const url = new URL(request.url)
    if (url.pathname === '/stats') return json(this.stats())
    if (url.pathname === '/join') return this.#join(request)
    return json({ error: 'not found' }, 404)
  }

  stats (): RoomStats {
    this.#flush()
    return { peers: this.#openPeers().length, counters: { ...this.#counters } }
  }

  #join (request: Request): Response {
    const idHex = request.headers.get(JOIN_HEADERS.nodeId) ?? ''
    const nonce = request.headers.get(JOIN_HEADERS.nonce) ?? ''
    const expires = Number(request.headers.get(JOIN_HEADERS.expires))
    if (!/^[0-9a-f]{64}$/.test(idHex) || !/^[0-9a-f]{32}$/.test(nonce) || !Number.isSafeInteger(expires)) return json({ error: 'join request without verified identity' }, 400)
    const sql = this.#state.storage.sql
    const now = Date.now()
    sql.exec('DELETE FROM nonces WHERE expires <= ?', now)
    if (sql.exec('SELECT 1 AS x FROM nonces WHERE nonce = ?', nonce).toArray().length > 0) {
      this.#bump('refusedReplay')
      return refuse(CLOSE.Replayed, 'join token already used')
    }
    const previous = this.#state.getWebSockets(idHex).filter((ws) => ws.readyState === WebSocket.OPEN)
    if (previous.length === 0 && this.#openPeers().length >= MAX_PEERS_PER_ROOM) {
      this.#bump('refusedFull')
      return refuse(CLOSE.RoomFull, `room is full (${MAX_PEERS_PER_ROOM} peers)`)
    }
    sql.exec('INSERT INTO nonces (nonce, expires) VALUES (?, ?)', nonce, expires)
    for (const old of previous) {
      this.#markGone(old)
      this.#bump('replaced')
      try { old.close(CLOSE.Replaced, 'replaced by a newer connection of the same NodeId') } catch { /* already closing */ }
    }
    const [client, server] = newWebSocketPair()
    this.#state.acceptWebSocket(server, [idHex])
    server.serializeAttachment({ id: idHex, strikes: 0, strikeAt: now, gone: false } satisfies Attachment)
    const others = this.#openPeers().filter((p) => p.id !== idHex)
    server.send(encodeWelcome(nodeIdFromHex(idHex), others.map((p) => nodeIdFromHex(p.id))))
    const arrived = encodeArrived(nodeIdFromHex(idHex))
    for (const p of others) this.#trySend(p.ws, arrived)
    this.#bump('joins')
    return upgradeResponse(client)
  }

  webSocketMessage (ws: WorkerWebSocket, message: string | ArrayBuffer): void {
    const att = ws.deserializeAttachment() as Attachment | null
    if (att === null || att.gone || ws.readyState !== WebSocket.OPEN) return
    const size = typeof message === 'string' ? message.length : message.byteLength
    if (size > MAX_FRAME_BYTES) return this.#drop(ws, att, 'droppedOversized')
    if (!this.#take(ws, size)) return this.#drop(ws, att, 'droppedRate')
    if (typeof message === 'string') return this.#drop(ws, att, 'droppedMalformed')
    const bytes = new Uint8Array(message)
    let to: Uint8Array
    try {
      const f = decodeFrame(bytes)
      if (f.type !== 'send') return this.#drop(ws, att, 'droppedMalformed')
      to = f.to
    } catch {
      return this.#drop(ws, att, 'droppedMalformed')
    }
    const toHex = nodeIdToHex(to)
    const target = toHex === att.id ? undefined : this.#state.getWebSockets(toHex).find((t) => t.readyState === WebSocket.OPEN)
    if (target === undefined) {
      this.#bump('undeliverable')
      this.#trySend(ws, encodeUndeliverable(to))
      return
    }
    // Rewrite SEND ‖ to ‖ payload into DELIVER ‖ from ‖ payload in place (the buffer is ours).
    bytes[0] = FRAME.Deliver
    bytes.set(nodeIdFromHex(att.id), 1)
    this.#trySend(target, bytes)
    this.#counters.relayedFrames++
    this.#counters.relayedBytes += bytes.length - 1 - NODE_ID_BYTES
    if (++this.#unflushedRelays >= RELAY_FLUSH_EVERY) this.#flush()
  }

  webSocketClose (ws: WorkerWebSocket, _code: number, _reason: string, _wasClean: boolean): void {
    this.#leave(ws)
    try { ws.close(1000, 'closed') } catch { /* already closed */ }
  }

  webSocketError (ws: WorkerWebSocket, _error: unknown): void {
    this.#leave(ws)
  }

  /** Departure: told to the room once, unless the same NodeId is still connected on a newer socket. */
  #leave (ws: WorkerWebSocket): void {
    const att = ws.deserializeAttachment() as Attachment | null
    if (att === null || att.gone) return
    this.#markGone(ws)
    const still = this.#state.getWebSockets(att.id).some((o) => o !== ws && o.readyState === WebSocket.OPEN)
    if (still) return
    const departed = encodeDeparted(nodeIdFromHex(att.id))
    for (const p of this.#openPeers()) this.#trySend(p.ws, departed)
    this.#bump('departures')
  }

  #drop (ws: WorkerWebSocket, att: Attachment, why: 'droppedOversized' | 'droppedMalformed' | 'droppedRate'): void {
    this.#bump(why)
    const now = Date.now()
    // One strike per dropped frame, forgiven at one per second.
    const strikes = Math.max(0, att.strikes - (now - att.strikeAt) / 1000) + 1
    if (strikes >= this.#limits.maxStrikes) {
      this.#bump('abuseClosed')
      this.#leave(ws)
      try { ws.close(CLOSE.Abuse, `closed after ${Math.floor(strikes)} dropped frames (oversized, malformed or over the rate)`) } catch { /* closing */ }
      return
    }
    ws.serializeAttachment({ ...att, strikes, strikeAt: now } satisfies Attachment)
  }

  /** Token buckets: frames and bytes per second per socket. */
  #take (ws: WorkerWebSocket, size: number): boolean {
    const l = this.#limits
    const now = Date.now()
    let b = this.#buckets.get(ws)
    if (b === undefined) { b = { msgs: l.msgBurst, bytes: l.byteBurst, at: now }; this.#buckets.set(ws, b) }
    const dt = Math.max(0, now - b.at) / 1000
    b.msgs = Math.min(l.msgBurst, b.msgs + dt * l.msgsPerSec)
    b.bytes = Math.min(l.byteBurst, b.bytes + dt * l.bytesPerSec)
    b.at = now
    if (b.msgs < 1 || b.bytes < size) return false
    b.msgs -= 1
    b.bytes -= size
    return true
  }

  #openPeers (): Array<{ ws: WorkerWebSocket, id: string }> {
    const out: Array<{ ws: WorkerWebSocket, id: string }> = []
    for (const ws of this.#state.getWebSockets()) {
      if (ws.readyState !== WebSocket.OPEN) continue
      const att = ws.deserializeAttachment() as Attachment | null
      if (att !== null && !att.gone) out.push({ ws, id: att.id })
    }
    return out
  }

  #markGone (ws: WorkerWebSocket): void {
    const att = ws.deserializeAttachment() as Attachment | null
    if (att !== null) ws.serializeAttachment({ ...att, gone: true } satisfies Attachment)
  }

  #trySend (ws: WorkerWebSocket, bytes: Uint8Array): void {
    try { ws.send(bytes) } catch { /* the socket closed meanwhile; its close handler tells the room */ }
  }

  #bump (k: Counter): void {
    this.#counters[k]++
    this.#flush()
  }

  /** Writes the counters that changed since the last flush. */
  #flush (): void {
    this.#unflushedRelays = 0
    const sql = this.#state.storage.sql
    for (const k of COUNTERS) {
      if (this.#counters[k] === this.#stored[k]) continue
      sql.exec('INSERT INTO stats (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v', k, this.#counters[k])
      this.#stored[k] = this.#counters[k]
    }
  }
}
