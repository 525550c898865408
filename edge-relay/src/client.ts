/**
 * Relay client for Node 22+ and browsers (anything with a WHATWG WebSocket).
 *
 * @example
 * ```ts
 * const token = createJoinToken(keys, meshId)             // token.ts, signed with the node's FALCON key
 * const relay = await connect('wss://relay.example', meshId, token)
 * relay.on('message', (from, bytes) => { ... })
 * relay.on('arrival', (id) => { ... }); relay.on('departure', (id) => { ... })
 * relay.send(peerNodeId, new Uint8Array([1, 2, 3]))
 * await relay.close()
 * ```
 */
import { AbortError, InvalidArgumentError } from '../../ts/errors.ts'
import { nodeIdToHex, nodeIdFromHex } from '../../ts/identity/falcon.ts'
import { decodeFrame, encodeSend } from './frame.ts'
import { joinTokenToString } from './token.ts'
import type { JoinToken } from './token.ts'
import { DEFAULT_CONNECT_TIMEOUT_MS, MESH_ID_PATTERN, PING } from './constants.ts'

/** The relay closed (or refused) the socket; `code` is one of CLOSE in constants.ts or a standard WebSocket code. */
export class RelayClosedError extends Error {
  static override readonly name = 'RelayClosedError'
  override readonly name = 'RelayClosedError'
  readonly code: number
  readonly reason: string
  constructor (code: number, reason: string, options?: ErrorOptions) {
    super(`relay closed the connection: ${code}${reason !== '' ? ` ${reason}` : ''}`, options)
    this.code = code
    this.reason = reason
  }
}

export interface RelayEvents {
  /** A DELIVER frame: `payload` from peer `from` (views; copy to keep). */
  message: (from: Uint8Array, payload: Uint8Array) => void
  arrival: (nodeId: Uint8Array) => void
  departure: (nodeId: Uint8Array) => void
  /** The relay had nobody with this NodeId in the room. */
  undeliverable: (to: Uint8Array) => void
  /** A frame from the relay that does not decode (counted in `malformed`, otherwise ignored). */
  close: (code: number, reason: string) => void
}

export interface RelayClient {
  /** This peer's NodeId, as the relay admitted it. */
  readonly nodeId: Uint8Array
  /** Other peers in the room now (lowercase hex NodeIds). */
  readonly peers: ReadonlySet<string>
  /** Frames from the relay that did not decode. */
  readonly malformed: number
  /** Resolves once the socket has closed, with the code and reason. */
  readonly closed: Promise<{ code: number, reason: string }>
  /** Sends `payload` (≤ MAX_PAYLOAD_BYTES) to the peer `to` (NodeId bytes or hex). Throws RelayClosedError once closed. */
  send (to: Uint8Array | string, payload: Uint8Array): void
  /** Adds a listener; returns a function that removes it. */
  on<E extends keyof RelayEvents> (event: E, listener: RelayEvents[E]): () => void
  /** Closes the socket (1000) and resolves when it is closed. */
  close (): Promise<{ code: number, reason: string }>
}

type WebSocketCtor = new (url: string) => WebSocket

export interface ConnectOptions {
  signal?: AbortSignal
  /** Time allowed to open the socket and be admitted (default 10 s). */
  timeoutMs?: number
  /** Sends a text `ping` (answered by the relay without waking the room) this often; 0 disables (default 30 s). */
  keepAliveMs?: number
  /** WebSocket implementation (default globalThis.WebSocket). */
  WebSocket?: WebSocketCtor
}

/** `ws(s)://host/room/<meshId>?token=…` from a relay base URL (http(s) or ws(s)). */
export function roomUrl (relayUrl: string, meshId: string, token: JoinToken | string): string {
  if (!MESH_ID_PATTERN.test(meshId)) throw new InvalidArgumentError(`meshId must match ${String(MESH_ID_PATTERN)}`)
  const u = new URL(relayUrl)
  if (u.protocol === 'http:') u.protocol = 'ws:'
  else if (u.protocol === 'https:') u.protocol = 'wss:'
  else if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new InvalidArgumentError(`relay URL must be http(s) or ws(s), got ${u.protocol}`)
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/room/${encodeURIComponent(meshId)}`
  u.search = `?token=${typeof token === 'string' ? token : joinTokenToString(token)}`
  u.hash = ''
  return u.toString()
}

/**
 * Opens a socket to the relay's room `meshId` and waits for admission
 * (the WELCOME frame). Rejects with RelayClosedError when the relay refuses
 * the token (code 4001–4013, see CLOSE), AbortError on `signal` or timeout.
 */
export async function connect (relayUrl: string, meshId: string, token: JoinToken | string, opts: ConnectOptions = {}): Promise<RelayClient> {
  const Ctor: WebSocketCtor | undefined = opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket
  if (Ctor === undefined) throw new InvalidArgumentError('no WebSocket implementation: pass opts.WebSocket')
  const ws = new Ctor(roomUrl(relayUrl, meshId, token))
  ws.binaryType = 'arraybuffer'

  const listeners: { [E in keyof RelayEvents]: Set<RelayEvents[E]> } = {
    message: new Set(), arrival: new Set(), departure: new Set(), undeliverable: new Set(), close: new Set()
  }
  const peers = new Set<string>()
  let malformed = 0
  let self: Uint8Array | undefined
  let closedInfo: { code: number, reason: string } | undefined
  let resolveClosed!: (v: { code: number, reason: string }) => void
  const closed = new Promise<{ code: number, reason: string }>((resolve) => { resolveClosed = resolve })
  let keepAlive: ReturnType<typeof setInterval> | undefined

  let admit!: (c: RelayClient) => void
  let fail!: (e: Error) => void
  const admitted = new Promise<RelayClient>((resolve, reject) => { admit = resolve; fail = reject })
  const timeoutMs = opts.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
  const timer = setTimeout(() => { fail(new AbortError(`relay did not admit us within ${timeoutMs} ms`)); try { ws.close() } catch { /* not open */ } }, timeoutMs)
  const onAbort = (): void => { fail(new AbortError(undefined, { cause: opts.signal?.reason })); try { ws.close() } catch { /* not open */ } }
  if (opts.signal?.aborted === true) onAbort()
  opts.signal?.addEventListener('abort', onAbort, { once: true })
  const settle = (): void => { clearTimeout(timer); opts.signal?.removeEventListener('abort', onAbort) }

  const emit = <E extends keyof RelayEvents>(event: E, ...args: Parameters<RelayEvents[E]>): void => {
    for (const l of listeners[event]) (l as (...a: Parameters<RelayEvents[E]>) => void)(...args)
  }

  const client: RelayClient = {
    get nodeId () { if (self === undefined) throw new InvalidArgumentError('not admitted yet'); return self },
    peers,
    get malformed () { return malformed },
    closed,
    send (to, payload) {
      if (closedInfo !== undefined || ws.readyState !== 1) throw new RelayClosedError(closedInfo?.code ?? 1006, closedInfo?.reason ?? 'socket is not open')
      ws.send(encodeSend(typeof to === 'string' ? nodeIdFromHex(to) : to, payload))
    },
    on (event, listener) {
      listeners[event].add(listener)
      return () => { listeners[event].delete(listener) }
    },
    async close () {
      if (closedInfo === undefined) { try { ws.close(1000, 'bye') } catch { /* closing */ } }
      return closed
    }
  }

  ws.addEventListener('message', (ev: MessageEvent) => {
    if (typeof ev.data === 'string') return // keep-alive answers
    let f
    try { f = decodeFrame(new Uint8Array(ev.data as ArrayBuffer)) } catch { malformed++; return }
    switch (f.type) {
      case 'welcome':
        if (self !== undefined) { malformed++; return }
        self = f.self.slice()
        for (const p of f.peers) peers.add(nodeIdToHex(p))
        settle()
        if ((opts.keepAliveMs ?? 30_000) > 0) keepAlive = setInterval(() => { try { ws.send(PING) } catch { /* closing */ } }, opts.keepAliveMs ?? 30_000)
        admit(client)
        return
      case 'deliver': emit('message', f.from, f.payload); return
      case 'arrived': peers.add(nodeIdToHex(f.nodeId)); emit('arrival', f.nodeId); return
      case 'departed': peers.delete(nodeIdToHex(f.nodeId)); emit('departure', f.nodeId); return
      case 'undeliverable': emit('undeliverable', f.to); return
      default: malformed++
    }
  })
  const onClosed = (code: number, reason: string): void => {
    if (closedInfo !== undefined) return
    if (keepAlive !== undefined) clearInterval(keepAlive)
    closedInfo = { code, reason }
    settle()
    fail(new RelayClosedError(code, reason))
    resolveClosed(closedInfo)
    emit('close', code, reason)
  }
  ws.addEventListener('close', (ev: CloseEvent) => { onClosed(ev.code, ev.reason) })
  // Node 22's WebSocket fires only 'error' (no 'close') when the upgrade is refused.
  ws.addEventListener('error', () => {
    if (ws.readyState === 3 || self === undefined) {
      onClosed(1006, 'connection failed')
      try { ws.close() } catch { /* not open */ }
    }
  })
  return admitted
}
