/**
 * The donate page's (and any donor's) way to a node it cannot dial: a
 * FrameChannel (transport 'relay') through the edge relay room the node keeps
 * a connection to (`hypermesh up --relay URL`). Works in browsers and Node 22
 * (global WebSocket).
 *
 * The donor joins the room with a join token it signs itself with its
 * FALCON-1024 key (edge-relay/src/token.ts; the relay checks the signature
 * and that the NodeId is the key's), then asks the node, addressed by NodeId,
 * for a session (edge-relay/src/channel.ts: OPEN → ACCEPT). One relay socket
 * per channel: closing the channel leaves the room.
 *
 * @example
 * ```ts
 * const channel = await openRelayChannel({ relay: 'wss://relay.example', room: chainId, node: nodeIdHex, keyPair })
 * startDonor({ channel, keyPair, kind: 'browser', runJob })
 * ```
 */
import { AbortError, InvalidArgumentError } from '../../../ts/errors.ts'
import { nodeIdFromHex, nodeIdToHex } from '../../../ts/identity/falcon.ts'
import type { KeyPair } from '../../../ts/identity/falcon.ts'
import { connect, createJoinToken, RelayClosedError } from '../../../edge-relay/src/index.ts'
import type { RelayClient } from '../../../edge-relay/src/index.ts'
import {
  RelaySession, SendPacer, decodeChannelMessage, encodeClose, encodeOpen, isChannelMessage
} from '../../../edge-relay/src/channel.ts'
import type { FrameChannel, PaceLimits } from '../../../edge-relay/src/channel.ts'

/** The node was not in the room, refused the session, or did not answer. */
export class RelayUnreachableError extends Error {
  static override readonly name = 'RelayUnreachableError'
  override readonly name = 'RelayUnreachableError'
}

/** Where to find a node through a relay (the `relay` part of /api/donate/config, plus the node). */
export interface RelayTarget {
  /** Relay base URL, http(s) or ws(s). */
  relay: string
  /** Room: the mesh's chain id. */
  room: string
  /** The node's NodeId, hex (64 characters) or 32 bytes. */
  node: string | Uint8Array
}

export interface OpenRelayChannelOptions extends RelayTarget {
  /** The donor's FALCON-1024 key pair (its NodeId is what the relay admits). */
  keyPair: KeyPair
  signal?: AbortSignal
  /** Time allowed to join the room and be accepted by the node (default 10 s). */
  timeoutMs?: number
  /** WebSocket implementation (default globalThis.WebSocket). */
  WebSocket?: new (url: string) => WebSocket
  /** Sending pace (default 80 % of the relay's default per-socket limits). */
  pace?: PaceLimits
  /** Keep-alive interval for the relay socket (default 30 s; 0 disables). */
  keepAliveMs?: number
}

/**
 * Reads `?relay=URL&room=ID&node=NODEID` from a page's query string; null
 * when any of the three is missing or the node id is not 64 hex digits.
 */
export function relayTargetFromQuery (search: string): RelayTarget | null {
  const q = new URLSearchParams(search)
  const relay = q.get('relay'); const room = q.get('room'); const node = q.get('node')
  if (relay === null || room === null || node === null || relay === '' || room === '') return null
  if (!/^[0-9a-fA-F]{64}$/.test(node)) return null
  return { relay, room, node: node.toLowerCase() }
}

/**
 * The relay target from the node's `/api/donate/config`
 * (`{ nodeId, relay: { url, room } | null, ... }`); null when the node has no
 * relay or the fields are not what the contract says.
 */
export function relayTargetFromConfig (config: unknown): RelayTarget | null {
  if (typeof config !== 'object' || config === null) return null
  const c = config as { nodeId?: unknown, relay?: unknown }
  if (typeof c.nodeId !== 'string' || !/^[0-9a-fA-F]{64}$/.test(c.nodeId)) return null
  if (typeof c.relay !== 'object' || c.relay === null) return null
  const r = c.relay as { url?: unknown, room?: unknown }
  if (typeof r.url !== 'string' || r.url === '' || typeof r.room !== 'string' || r.room === '') return null
  return { relay: r.url, room: r.room, node: c.nodeId.toLowerCase() }
}

/**
 * Joins the relay room and opens a session with the node. Resolves with the
 * channel once the node accepted; rejects with RelayClosedError (the relay
 * refused the token: code and reason), RelayUnreachableError (node absent,
 * refused or silent) or AbortError.
 */
export async function openRelayChannel (opts: OpenRelayChannelOptions): Promise<FrameChannel> {
  const node = typeof opts.node === 'string' ? nodeIdFromHex(opts.node) : opts.node
  if (!(node instanceof Uint8Array) || node.length !== 32) throw new InvalidArgumentError('node must be a 32-byte NodeId')
  const nodeHex = nodeIdToHex(node)
  const timeoutMs = opts.timeoutMs ?? 10_000
  const deadline = Date.now() + timeoutMs
  const client: RelayClient = await connect(opts.relay, opts.room, createJoinToken(opts.keyPair, opts.room), {
    timeoutMs, keepAliveMs: opts.keepAliveMs ?? 30_000, ...(opts.signal !== undefined ? { signal: opts.signal } : {}), ...(opts.WebSocket !== undefined ? { WebSocket: opts.WebSocket } : {})
  })
  const offs: Array<() => void> = []
  const leave = (): void => { for (const off of offs.splice(0)) off(); void client.close() }
  if (!client.peers.has(nodeHex)) { leave(); throw new RelayUnreachableError(`node ${nodeHex.slice(0, 16)}… is not in relay room ${opts.room}`) }

  let session!: RelaySession
  const pacer = new SendPacer((to, payload) => { client.send(to, payload) }, {
    ...(opts.pace !== undefined ? { limits: opts.pace } : {}),
    onError: (err) => { session.end(err, null) }
  })
  const id = crypto.getRandomValues(new Uint32Array(1))[0]
  session = new RelaySession({ peer: node, session: id, pacer, onEnd: () => { void pacer.drained(2000).then(() => { pacer.clear(); leave() }) } })

  let accepted = false
  let settle!: (err?: Error) => void
  const ready = new Promise<void>((resolve, reject) => { settle = (err) => { if (err === undefined) resolve(); else reject(err) } })
  offs.push(client.on('message', (from, payload) => {
    if (nodeIdToHex(from) !== nodeHex || !isChannelMessage(payload)) return
    let m
    try { m = decodeChannelMessage(payload) } catch { return }
    if (m.session !== id) {
      // a session of an earlier socket with our NodeId: tell the node it is gone
      if (m.type === 'data') { try { pacer.send(node, encodeClose(m.session, 'no such session')) } catch { /* closing */ } }
      return
    }
    if (!accepted) {
      if (m.type === 'accept') { accepted = true; settle(); return }
      if (m.type === 'close') { settle(new RelayUnreachableError(`node refused the relay channel: ${m.reason}`)); return }
      return
    }
    session.deliver(m)
  }))
  offs.push(client.on('departure', (id) => {
    if (nodeIdToHex(id) !== nodeHex) return
    if (!accepted) settle(new RelayUnreachableError('node left the relay room'))
    else session.end(new RelayUnreachableError('node left the relay room'), null)
  }))
  offs.push(client.on('undeliverable', (to) => {
    if (nodeIdToHex(to) !== nodeHex) return
    if (!accepted) settle(new RelayUnreachableError('node is not in the relay room'))
    else session.end(new RelayUnreachableError('node is no longer in the relay room'), null)
  }))
  offs.push(client.on('close', (code, reason) => {
    const err = new RelayClosedError(code, reason)
    if (!accepted) settle(err)
    else session.end(code === 1000 ? undefined : err, null)
  }))

  const timer = setTimeout(() => { settle(new AbortError(`node did not accept a relay channel within ${timeoutMs} ms`)) }, Math.max(0, deadline - Date.now()))
  const onAbort = (): void => { settle(new AbortError(undefined, { cause: opts.signal?.reason })) }
  opts.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    pacer.send(node, encodeOpen(id))
    await ready
  } catch (err) {
    session.end(undefined, null)
    throw err
  } finally {
    clearTimeout(timer)
    opts.signal?.removeEventListener('abort', onAbort)
  }
  return session
}
