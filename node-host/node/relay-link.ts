/**
 * `hypermesh up --relay URL`: the node keeps a connection to an edge relay
 * (edge-relay/, room = the chain id) and is reachable through it by peers that
 * cannot dial it — browsers behind NAT, hosts without a public address. A
 * lost connection is re-made with a fresh single-use join token, with backoff.
 *
 * Over the relay, peers speak a small request/response protocol (one relay
 * frame each way, ts/wire encoded, bounded):
 *   request  {id u32, op u8, body}  →  response {id u32, ok bool, body}
 *   op 1 status: body empty → JSON {nodeId, chainId, genesisHash, height, peers}
 *   op 2 submit: body = an encoded transaction (with its ConsensusProof) →
 *        ok when the mempool admitted it (it is then gossiped), else the reason
 *
 * Donors reach the node's job service through the relay as frame channels
 * (edge-relay/src/channel.ts, payload types 0x20–0x23): a donor's OPEN makes
 * a RelaySession (transport 'relay') handed to `host.acceptChannel` exactly
 * like a /jobs/ws socket. Sessions end when either side closes, the donor
 * leaves the room or opens a new session (one per donor), or the node's
 * relay socket drops. Arrivals and departures
 * of room peers are logged and counted.
 */
import { bool, struct, tagged, u8, u32, varBytes, encodeCanonical } from '../../ts/wire/index.ts'
import { decodeTx, type Transaction } from '../../ts/ledger/index.ts'
import type { KeyPair } from '../../ts/identity/index.ts'
import type { Gauge, Counter, MetricsRegistry } from '../../ts/monitor/index.ts'
import { connect, createJoinToken, MAX_PAYLOAD_BYTES, type RelayClient } from '../../edge-relay/src/index.ts'
import { ChannelClosedError, RelaySession, SendPacer, decodeChannelMessage, encodeAccept, encodeClose, isChannelMessage } from '../../edge-relay/src/channel.ts'
import type { FrameChannel } from '../../edge-relay/src/channel.ts'

/** Relay channel sessions the node holds at once. */
export const MAX_RELAY_SESSIONS = 256

export const RELAY_OPS = Object.freeze({ status: 1, submit: 2 } as const)

export const RelayMessage = tagged({
  request: [1, struct({ id: u32, op: u8, body: varBytes(MAX_PAYLOAD_BYTES - 16) })],
  response: [2, struct({ id: u32, ok: bool, body: varBytes(MAX_PAYLOAD_BYTES - 16) })]
} as const, u8, 'relay message')

export interface RelayLinkHost {
  identity: KeyPair
  meshId: string
  status: () => Record<string, unknown>
  submit: (tx: Transaction) => string | null
  registry: MetricsRegistry
  log: (line: string) => void
  /** Takes a donor's channel (the node's job service); absent → OPEN is refused. */
  acceptChannel?: (channel: FrameChannel, peer: Uint8Array) => void
}

const te = new TextEncoder()

export class RelayLink {
  readonly url: string
  private readonly host: RelayLinkHost
  private client: RelayClient | null = null
  private stopped = false
  private timer: NodeJS.Timeout | null = null
  private pacer: SendPacer | null = null
  private acceptor: ((channel: FrameChannel, peer: Uint8Array) => void) | undefined
  /** Open donor sessions, by `<donor hex>/<session>`. */
  private readonly sessions = new Map<string, RelaySession>()
  private readonly m: { connected: Gauge, peers: Gauge, requests: Counter, reconnects: Counter, sessions: Gauge, channels: Counter, roomEvents: Counter }

  constructor (url: string, host: RelayLinkHost) {
    this.url = url
    this.host = host
    this.acceptor = host.acceptChannel
    const r = host.registry
    this.m = {
      connected: r.gauge({ name: 'hypermesh_relay_connected_count', help: 'Connections to the edge relay (0 or 1)' }),
      peers: r.gauge({ name: 'hypermesh_relay_peers_count', help: 'Other peers in this mesh\'s relay room', collect: (g) => g.set(this.client?.peers.size ?? 0) }),
      requests: r.counter({ name: 'hypermesh_relay_requests_total', help: 'Requests answered through the relay, by op and result', labelNames: ['op', 'result'] }),
      reconnects: r.counter({ name: 'hypermesh_relay_reconnects_total', help: 'Connections to the relay made after the first' }),
      sessions: r.gauge({ name: 'hypermesh_relay_channels_count', help: 'Donor frame channels open through the relay', collect: (g) => g.set(this.sessions.size) }),
      channels: r.counter({ name: 'hypermesh_relay_channels_total', help: 'Donor frame channels asked for through the relay, by result', labelNames: ['result'] }),
      roomEvents: r.counter({ name: 'hypermesh_relay_room_events_total', help: 'Peers arriving in and departing from the relay room', labelNames: ['event'] })
    }
  }

  get connected (): boolean { return this.client !== null }
  get peers (): number { return this.client?.peers.size ?? 0 }
  /**
   * Who takes donors' channels (the node's job service: `(ch) => jobs.acceptChannel(ch)`);
   * null refuses new ones ('this node runs no job service'). Open sessions are kept.
   */
  setChannelAcceptor (accept: ((channel: FrameChannel, peer: Uint8Array) => void) | null): void {
    this.acceptor = accept ?? undefined
  }

  /** Donor channels open through the relay now. */
  get channels (): number { return this.sessions.size }

  start (): void { void this.connectLoop(0) }

  private async connectLoop (attempt: number): Promise<void> {
    if (this.stopped) return
    try {
      const c = await connect(this.url, this.host.meshId, createJoinToken(this.host.identity, this.host.meshId), { timeoutMs: 10_000 })
      if (this.stopped) { await c.close(); return }
      this.client = c
      const pacer = new SendPacer((to, payload) => { c.send(to, payload) }, { onError: () => { this.endSessions('relay socket failed') } })
      this.pacer = pacer
      this.m.connected.set(1)
      if (attempt > 0) this.m.reconnects.inc()
      this.host.log(`relay: connected to ${this.url} (room ${this.host.meshId}, ${c.peers.size} other peers)`)
      c.on('message', (from, payload) => {
        if (isChannelMessage(payload)) this.onChannelMessage(pacer, from, payload)
        else this.onMessage(c, from, payload)
      })
      c.on('arrival', (id) => {
        this.m.roomEvents.inc(1, { event: 'arrival' })
        this.host.log(`relay: ${Buffer.from(id).toString('hex').slice(0, 16)}… arrived`)
      })
      c.on('departure', (id) => {
        this.m.roomEvents.inc(1, { event: 'departure' })
        const hex = Buffer.from(id).toString('hex')
        this.host.log(`relay: ${hex.slice(0, 16)}… departed`)
        for (const [key, s] of this.sessions) if (key.startsWith(`${hex}/`)) s.end(undefined, null)
      })
      void c.closed.then(({ code, reason }) => {
        this.client = null
        if (this.pacer === pacer) this.pacer = null
        pacer.clear()
        this.endSessions(`relay connection closed (${code})`)
        this.m.connected.set(0)
        if (this.stopped) return
        this.host.log(`relay: connection closed (${code}${reason !== '' ? ` ${reason}` : ''}); reconnecting`)
        this.retry(1)
      })
    } catch (err) {
      if (this.stopped) return
      if (attempt === 0 || attempt % 10 === 0) this.host.log(`relay: ${this.url}: ${(err as Error).message}; retrying`)
      this.retry(attempt + 1)
    }
  }

  private retry (attempt: number): void {
    const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6))
    this.timer = setTimeout(() => { this.timer = null; void this.connectLoop(attempt) }, delay)
  }

  private onMessage (c: RelayClient, from: Uint8Array, payload: Uint8Array): void {
    let m
    try { m = RelayMessage.decode(payload) } catch { this.m.requests.inc(1, { op: 'malformed', result: 'refused' }); return }
    if (m.type !== 'request') return
    const { id, op, body } = m.value
    const reply = (ok: boolean, out: Uint8Array, name: string): void => {
      this.m.requests.inc(1, { op: name, result: ok ? 'ok' : 'refused' })
      try { c.send(from, encodeCanonical(RelayMessage, { type: 'response', value: { id, ok, body: out } })) } catch { /* the socket closed meanwhile */ }
    }
    if (op === RELAY_OPS.status) { reply(true, te.encode(JSON.stringify(this.host.status())), 'status'); return }
    if (op === RELAY_OPS.submit) {
      let tx: Transaction
      try { tx = decodeTx(body) } catch (err) { reply(false, te.encode(`malformed transaction: ${(err as Error).message}`), 'submit'); return }
      const r = this.host.submit(tx)
      reply(r === null, te.encode(r ?? 'admitted'), 'submit')
      return
    }
    reply(false, te.encode(`unknown op ${op}`), 'unknown')
  }

  private onChannelMessage (pacer: SendPacer, from: Uint8Array, payload: Uint8Array): void {
    let m
    try { m = decodeChannelMessage(payload) } catch { this.m.channels.inc(1, { result: 'malformed' }); return }
    const hex = Buffer.from(from).toString('hex')
    const key = `${hex}/${m.session}`
    const existing = this.sessions.get(key)
    if (m.type !== 'open') {
      if (existing !== undefined) existing.deliver(m)
      else if (m.type === 'data') { try { pacer.send(from, encodeClose(m.session, 'no such session')) } catch { /* socket gone */ } }
      return
    }
    const refuse = (why: string): void => {
      this.m.channels.inc(1, { result: 'refused' })
      try { pacer.send(from, encodeClose(m.session, why)) } catch { /* socket gone */ }
    }
    if (existing !== undefined) { refuse('session id in use'); return }
    const accept = this.acceptor
    if (accept === undefined) { refuse('this node runs no job service'); return }
    // One session per donor: the relay admits one socket per NodeId (a newer
    // socket replaces the older one without a departure), and a donor opens
    // one session per socket, so a new OPEN supersedes the donor's old ones.
    for (const [k, s] of [...this.sessions]) if (k.startsWith(`${hex}/`)) s.end(new ChannelClosedError('donor opened a new relay channel'), 'superseded')
    if (this.sessions.size >= MAX_RELAY_SESSIONS) { refuse('node has too many relay channels'); return }
    const session = new RelaySession({ peer: from.slice(), session: m.session, pacer, onEnd: () => { this.sessions.delete(key) } })
    this.sessions.set(key, session)
    try { pacer.send(from, encodeAccept(m.session)) } catch { session.end(undefined, null); return }
    this.m.channels.inc(1, { result: 'accepted' })
    try {
      accept(session, from.slice())
    } catch (err) {
      session.end(err as Error, 'job service refused the channel')
      this.host.log(`relay: job service refused a channel: ${(err as Error).message}`)
    }
  }

  private endSessions (why: string): void {
    for (const s of [...this.sessions.values()]) s.end(new ChannelClosedError(why), null)
  }

  async stop (): Promise<void> {
    this.stopped = true
    for (const s of [...this.sessions.values()]) s.end(undefined, 'node stopping')
    await this.pacer?.drained(1000)
    if (this.timer !== null) clearTimeout(this.timer)
    const c = this.client
    this.client = null
    if (c !== null) await c.close().catch(() => {})
  }
}
