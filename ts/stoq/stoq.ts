/**
 * The transport node: libp2p 3 with TCP + noise + yamux (WebSockets for
 * browsers), identify, ping and gossipsub, plus HyperMesh's layer on top:
 * identity bindings checked on every connection, framed request/response
 * protocols, link probes and rate limits.
 */
import { createLibp2p } from 'libp2p'
import type { Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { gossipsub, TopicValidatorResult } from '@libp2p/gossipsub'
import type { GossipSub, GossipsubMessage, Message } from '@libp2p/gossipsub'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Connection, PeerId, PrivateKey, Startable, Stream, Logger } from '@libp2p/interface'
import { InvalidArgumentError } from '../errors.ts'
import { createMetricsRegistry } from '../monitor/index.ts'
import type { MetricsRegistry } from '../monitor/index.ts'
import {
  BINDING_PROTOCOL, PROBE_PROTOCOL, DEFAULT_LISTEN, DEFAULT_BINDING_TIMEOUT_MS, MAX_BINDING_BYTES, DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_GOSSIP_BYTES, DEFAULT_BAN_MS, DEFAULT_PROBE_PINGS, DEFAULT_PROBE_BYTES, DEFAULT_PROBE_TIMEOUT_MS,
  DEFAULT_PEER_RATE_LIMIT, DEFAULT_PROTOCOL_RATE_LIMIT, DEFAULT_ABUSE_POLICY, MAX_THROTTLE_DELAY_MS, MAX_PROBE_BYTES
} from './constants.ts'
import type { AbusePolicy, RateLimit, TierName } from './constants.ts'
import { DROP_REASONS } from './binding.ts'
import type { BindingAuthority, DropReason } from './binding.ts'
import { FramedStream, raceAbort } from './_framed-stream.ts'
import { RateLimiter, checkRateLimit } from './rate-limit.ts'
import { BufferPool } from './buffer-pool.ts'
import { runProbe, serveProbe, PROBE_MAX_FRAME } from './probe.ts'
import type { ProbeResult } from './probe.ts'
import { createStoqMetrics } from './_metrics.ts'
import type { StoqMetrics } from './_metrics.ts'
import { NotStartedError, PeerNotAdmittedError, RemoteRefusedError, TimeoutError } from './errors.ts'

/** `/hypermesh/<name>/<major>.0.0` */
export const PROTOCOL_PATTERN = /^\/hypermesh\/[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)*\/(0|[1-9]\d{0,5})\.0\.0$/

/** The protocol id of `name` at `major` version. */
export function protocolId (name: string, major: number): string {
  const id = `/hypermesh/${name}/${major}.0.0`
  if (!Number.isSafeInteger(major) || !PROTOCOL_PATTERN.test(id)) throw new InvalidArgumentError(`bad protocol name '${name}' / major ${String(major)}`)
  return id
}

export interface StoqInit {
  /** Signs our binding and checks the peers' (ts/identity). Required. */
  binding: BindingAuthority
  /** libp2p identity (Ed25519); a fresh one when absent. Persist it to keep the PeerId. */
  privateKey?: PrivateKey
  /** Listen multiaddrs (default TCP and WebSockets on 127.0.0.1, free ports). */
  listen?: string[]
  /** Registry the transport's metrics go to (default: a private one, see `metrics`). */
  metrics?: MetricsRegistry
  /** A connection whose peer shows no valid binding this soon is closed (default 5 s). */
  bindingTimeoutMs?: number
  /** How long a peer dropped for abuse or a bad binding is refused (default 60 s). */
  banMs?: number
  peerRateLimit?: RateLimit
  protocolRateLimit?: RateLimit
  abusePolicy?: AbusePolicy
  /** Largest gossip message accepted (default 1 MiB). */
  maxGossipBytes?: number
  /** Probe every admitted peer we dialed (default true). */
  probeOnConnect?: boolean
  /** Payload of the probe's throughput test (default 2 MiB). */
  probeBytes?: number
  /** Gossipsub heartbeat (default 1 s as in gossipsub; tests use less). */
  gossipHeartbeatMs?: number
  /** Wall clock in ms since the epoch for binding expiry (default Date.now). */
  now?: () => number
}

export interface AdmittedPeer {
  peerId: string
  /** NodeId (hex) proven by the peer's binding. */
  nodeId: string
  admittedAt: number
  /** Set once a probe of the link finished. */
  probe?: ProbeResult
  tier?: TierName
}

export interface DroppedPeer { peerId: string, nodeId?: string, reason: DropReason }

export interface FramedContext {
  peerId: string
  nodeId: string
  protocol: string
  /** Fires when the stream ends or the node stops. */
  signal: AbortSignal
}

/** Answers one framed message; return the reply, or nothing for one-way messages. */
export type FramedHandler = (message: Uint8Array, ctx: FramedContext) => Uint8Array | undefined | void | Promise<Uint8Array | undefined | void>

export interface HandleFramedOptions {
  /** Largest message accepted and sent (default 1 MiB). */
  maxMessageBytes?: number
  /** Limit per peer on this protocol (default `protocolRateLimit`). */
  rateLimit?: RateLimit
  /** Concurrent inbound streams per connection (default 32). */
  maxInboundStreams?: number
  /** Longest a stream may stay idle between messages (default 60 s). */
  idleTimeoutMs?: number
}

export interface RequestOptions {
  signal?: AbortSignal
  /** Deadline of the whole request (default 10 s). */
  timeoutMs?: number
  /** Largest message sent and answer accepted (default 1 MiB). */
  maxMessageBytes?: number
}

export interface GossipMessage {
  topic: string
  data: Uint8Array
  /** PeerId of the publisher (signed by it). */
  from: string
  /** Peer that forwarded it to us (admitted). */
  via: string
  /** NodeId of the forwarding peer. */
  viaNodeId: string
}

export type GossipVerdict = 'accept' | 'ignore' | 'reject'
/** Decides whether a gossip message is delivered and forwarded; 'reject' also penalises the forwarder in gossipsub scoring. */
export type GossipValidator = (msg: GossipMessage) => GossipVerdict | Promise<GossipVerdict>

/** A stream kept open for a series of requests (one at a time, answers in order). */
export interface FramedSession {
  readonly protocol: string
  readonly peerId: string
  request: (message: Uint8Array, opts?: { signal?: AbortSignal, timeoutMs?: number }) => Promise<Uint8Array>
  /** Sends a message that gets no reply (pipelined; waits only when the stream's buffer is full). */
  send: (message: Uint8Array, opts?: { signal?: AbortSignal, timeoutMs?: number }) => Promise<void>
  close: () => Promise<void>
}

/** A stream for pipelined requests: many in flight at once, answers matched in order. */
export interface FramedPipeline {
  readonly protocol: string
  readonly peerId: string
  /** Requests sent and not yet answered. */
  readonly inFlight: number
  request: (message: Uint8Array) => Promise<Uint8Array>
  close: () => Promise<void>
}

export interface StoqEvents {
  'peer:admitted': CustomEvent<AdmittedPeer>
  'peer:dropped': CustomEvent<DroppedPeer>
  'peer:probed': CustomEvent<{ peerId: string, result: ProbeResult }>
}

interface PeerEntry extends AdmittedPeer { waiters?: never }

const IDLE_TIMEOUT_MS = 60_000

function str (p: PeerId | string): string {
  return typeof p === 'string' ? p : p.toString()
}

export class Stoq extends EventTarget implements Startable {
  readonly metrics: MetricsRegistry
  private readonly init: StoqInit
  private readonly m: StoqMetrics
  private readonly limiter: RateLimiter
  private node: Libp2p<{ identify: unknown, ping: unknown, pubsub: GossipSub }> | undefined
  private readonly admitted = new Map<string, PeerEntry>()
  private readonly admissionWaiters = new Map<string, Set<(p: AdmittedPeer | undefined) => void>>()
  private readonly bindingTimers = new Map<string, ReturnType<typeof setTimeout>>()
  private readonly bans = new Map<string, number>()
  private readonly dropping = new Set<string>()
  private readonly topicHandlers = new Map<string, Set<(m: GossipMessage) => void>>()
  private readonly topicValidators = new Map<string, GossipValidator>()
  private readonly framedProtocols = new Map<string, { handler: FramedHandler, opts: HandleFramedOptions }>()
  private readonly pools = new Map<number, BufferPool>()
  private lifetime = new AbortController()
  private log: Logger | undefined
  private localBinding: Uint8Array | undefined
  private readonly bindingTimeoutMs: number
  private readonly banMs: number
  private readonly now: () => number

  constructor (init: StoqInit) {
    super()
    if (init?.binding == null || typeof init.binding.localBinding !== 'function' || typeof init.binding.verifyBinding !== 'function') {
      throw new InvalidArgumentError('stoq needs a BindingAuthority (init.binding)')
    }
    this.init = init
    this.metrics = init.metrics ?? createMetricsRegistry()
    this.m = createStoqMetrics(this.metrics, {
      peers: () => this.admitted.size,
      connections: () => this.node?.getConnections().length ?? 0,
      streamsOpen: () => {
        let n = 0
        for (const c of this.node?.getConnections() ?? []) n += c.streams.length
        return n
      },
      tiers: () => [...this.admitted.values()].flatMap(p => p.tier !== undefined ? [p.tier] : [])
    })
    this.bindingTimeoutMs = init.bindingTimeoutMs ?? DEFAULT_BINDING_TIMEOUT_MS
    this.banMs = init.banMs ?? DEFAULT_BAN_MS
    this.now = init.now ?? Date.now
    this.limiter = new RateLimiter({
      peer: init.peerRateLimit ?? DEFAULT_PEER_RATE_LIMIT,
      protocol: init.protocolRateLimit ?? DEFAULT_PROTOCOL_RATE_LIMIT,
      abuse: init.abusePolicy ?? DEFAULT_ABUSE_POLICY
    })
  }

  // ---------------------------------------------------------------- lifecycle

  isStarted (): boolean {
    return this.node !== undefined
  }

  async start (): Promise<void> {
    if (this.node !== undefined) return
    this.lifetime = new AbortController()
    const privateKey = this.init.privateKey ?? await generateKeyPair('Ed25519')
    const node = await createLibp2p({
      privateKey,
      start: false,
      addresses: { listen: [...(this.init.listen ?? DEFAULT_LISTEN)] },
      transports: [tcp(), webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: {
        // Loopback and private addresses are legitimate in a mesh of our own nodes.
        denyDialMultiaddr: () => false,
        denyDialPeer: (peer: PeerId) => this.isBanned(peer.toString()),
        denyInboundEncryptedConnection: (peer: PeerId) => this.isBanned(peer.toString()),
        denyOutboundEncryptedConnection: (peer: PeerId) => this.isBanned(peer.toString())
      },
      services: {
        identify: identify(),
        ping: ping(),
        pubsub: gossipsub({
          allowPublishToZeroTopicPeers: true,
          emitSelf: false,
          ...(this.init.gossipHeartbeatMs !== undefined ? { heartbeatInterval: this.init.gossipHeartbeatMs } : {})
        })
      }
    })
    this.node = node as unknown as typeof this.node
    this.log = node.logger.forComponent('hypermesh:stoq')
    node.addEventListener('connection:open', this.onConnectionOpen)
    node.addEventListener('peer:disconnect', this.onPeerDisconnect)
    node.services.pubsub.addEventListener('gossipsub:message', this.onGossip)
    await node.handle(BINDING_PROTOCOL, this.onBindingStream, { maxInboundStreams: 4, runOnLimitedConnection: true })
    await node.handle(PROBE_PROTOCOL, this.onProbeStream, { maxInboundStreams: 2 })
    for (const [protocol, { opts }] of this.framedProtocols) await this.registerFramed(protocol, opts)
    await node.start()
    for (const topic of this.topicHandlers.keys()) this.installTopic(topic)
    this.localBinding = await this.init.binding.localBinding(this.peerId, this.addresses())
  }

  async stop (): Promise<void> {
    const node = this.node
    if (node === undefined) return
    this.lifetime.abort(new NotStartedError('stoq stopped'))
    for (const t of this.bindingTimers.values()) clearTimeout(t)
    this.bindingTimers.clear()
    node.removeEventListener('connection:open', this.onConnectionOpen)
    node.removeEventListener('peer:disconnect', this.onPeerDisconnect)
    node.services.pubsub.removeEventListener('gossipsub:message', this.onGossip)
    await node.stop()
    this.node = undefined
    for (const set of this.admissionWaiters.values()) for (const w of set) w(undefined)
    this.admissionWaiters.clear()
    this.admitted.clear()
  }

  private get libp2pNode (): NonNullable<Stoq['node']> {
    if (this.node === undefined) throw new NotStartedError()
    return this.node
  }

  /** The underlying libp2p node (for services stoq does not wrap). */
  get libp2p (): Libp2p {
    return this.libp2pNode as unknown as Libp2p
  }

  get peerId (): string {
    return this.libp2pNode.peerId.toString()
  }

  /** Our listen addresses, each ending in `/p2p/<peerId>`. */
  addresses (): string[] {
    return this.libp2pNode.getMultiaddrs().map(a => a.toString())
  }

  /** Dials `addr` (with `/p2p/<peerId>`) and resolves with the peer's PeerId once the connection is open (admission follows). */
  async dial (addr: string | Multiaddr, opts: { signal?: AbortSignal } = {}): Promise<string> {
    const ma = typeof addr === 'string' ? multiaddr(addr) : addr
    const conn = await this.libp2pNode.dial(ma, { signal: opts.signal ?? AbortSignal.timeout(DEFAULT_REQUEST_TIMEOUT_MS) })
    return conn.remotePeer.toString()
  }

  /** Dials and waits until the peer is admitted (its binding verified). */
  async connect (addr: string | Multiaddr, opts: { signal?: AbortSignal } = {}): Promise<AdmittedPeer> {
    const signal = opts.signal ?? AbortSignal.timeout(DEFAULT_REQUEST_TIMEOUT_MS + this.bindingTimeoutMs)
    const peer = await this.dial(addr, { signal })
    return await this.waitForAdmission(peer, { signal })
  }

  async hangUp (peerId: string): Promise<void> {
    await this.libp2pNode.hangUp(peerIdFromString(peerId))
  }

  // ---------------------------------------------------------------- admission

  /** Admitted peers (verified bindings), with their NodeIds and link tiers. */
  peers (): AdmittedPeer[] {
    return [...this.admitted.values()].map(p => ({ ...p }))
  }

  isAdmitted (peerId: string): boolean {
    return this.admitted.has(peerId)
  }

  /** Resolves when `peerId` is admitted; rejects with PeerNotAdmittedError if it is dropped or the node stops, TimeoutError/AbortError on the signal. */
  async waitForAdmission (peerId: string, opts: { signal?: AbortSignal } = {}): Promise<AdmittedPeer> {
    const p = this.admitted.get(peerId)
    if (p !== undefined) return { ...p }
    let waiter!: (p: AdmittedPeer | undefined) => void
    const wait = new Promise<AdmittedPeer>((resolve, reject) => {
      waiter = (a) => a === undefined ? reject(new PeerNotAdmittedError(`peer ${peerId} was not admitted`)) : resolve({ ...a })
    })
    let set = this.admissionWaiters.get(peerId)
    if (set === undefined) { set = new Set(); this.admissionWaiters.set(peerId, set) }
    set.add(waiter)
    try {
      return await raceAbort(wait, opts.signal ?? AbortSignal.timeout(this.bindingTimeoutMs))
    } finally {
      set.delete(waiter)
      if (set.size === 0) this.admissionWaiters.delete(peerId)
    }
  }

  private isBanned (peer: string): boolean {
    const until = this.bans.get(peer)
    if (until === undefined) return false
    if (performance.now() < until) return true
    this.bans.delete(peer)
    return false
  }

  /** Bans `peer` for `ms` (default the configured ban) and disconnects it. */
  async ban (peer: string, reason: DropReason, ms = this.banMs): Promise<void> {
    this.bans.set(peer, performance.now() + ms)
    await this.drop(peer, reason)
  }

  private async drop (peer: string, reason: DropReason): Promise<void> {
    if (this.dropping.has(peer)) return
    this.dropping.add(peer)
    try {
      const entry = this.admitted.get(peer)
      this.admitted.delete(peer)
      this.limiter.forget(peer)
      this.clearBindingTimer(peer)
      this.m.drops.inc(1, { reason })
      this.notifyWaiters(peer, undefined)
      this.dispatchEvent(new CustomEvent<DroppedPeer>('peer:dropped', { detail: { peerId: peer, ...(entry !== undefined ? { nodeId: entry.nodeId } : {}), reason } }))
      if (this.node !== undefined) await this.node.hangUp(peerIdFromString(peer)).catch((err: unknown) => this.log?.error('hangUp %s failed: %e', peer, err))
    } finally {
      this.dropping.delete(peer)
    }
  }

  private notifyWaiters (peer: string, p: AdmittedPeer | undefined): void {
    const set = this.admissionWaiters.get(peer)
    if (set === undefined) return
    for (const w of [...set]) w(p)
  }

  private clearBindingTimer (peer: string): void {
    const t = this.bindingTimers.get(peer)
    if (t !== undefined) { clearTimeout(t); this.bindingTimers.delete(peer) }
  }

  private readonly onConnectionOpen = (evt: CustomEvent<Connection>): void => {
    const conn = evt.detail
    const peer = conn.remotePeer.toString()
    if (this.isBanned(peer)) {
      conn.abort(new PeerNotAdmittedError('banned'))
      return
    }
    if (!this.admitted.has(peer) && !this.bindingTimers.has(peer)) {
      this.bindingTimers.set(peer, setTimeout(() => {
        this.bindingTimers.delete(peer)
        if (!this.admitted.has(peer) && this.node !== undefined && this.node.getConnections(conn.remotePeer).length > 0) {
          this.m.bindingFailures.inc(1, { reason: DROP_REASONS.bindingTimeout })
          void this.ban(peer, DROP_REASONS.bindingTimeout)
        }
      }, this.bindingTimeoutMs))
    }
    void this.sendBinding(conn)
  }

  private async sendBinding (conn: Connection): Promise<void> {
    const binding = this.localBinding
    if (binding === undefined) return
    try {
      const signal = AbortSignal.any([AbortSignal.timeout(this.bindingTimeoutMs), this.lifetime.signal])
      const stream = await conn.newStream(BINDING_PROTOCOL, { signal, runOnLimitedConnection: true })
      this.m.streams.inc(1, { direction: 'out', protocol: BINDING_PROTOCOL })
      const fs = this.framed(stream, BINDING_PROTOCOL, MAX_BINDING_BYTES)
      await fs.write(binding, signal)
      await fs.closeWrite(signal)
    } catch (err) {
      this.log?.('sending binding to %p failed: %e', conn.remotePeer, err)
    }
  }

  private readonly onBindingStream = async (stream: Stream, conn: Connection): Promise<void> => {
    const peer = conn.remotePeer.toString()
    this.m.streams.inc(1, { direction: 'in', protocol: BINDING_PROTOCOL })
    const signal = AbortSignal.any([AbortSignal.timeout(this.bindingTimeoutMs), this.lifetime.signal])
    let bytes: Uint8Array | undefined
    try {
      bytes = await this.framed(stream, BINDING_PROTOCOL, MAX_BINDING_BYTES).read(signal)
    } catch (err) {
      this.log?.('reading binding of %s failed: %e', peer, err)
    }
    let nodeId: string | undefined
    if (bytes !== undefined) {
      try {
        nodeId = (await this.init.binding.verifyBinding(bytes, peer, this.now()))?.nodeId
      } catch (err) {
        this.log?.error('binding verifier threw for %s: %e', peer, err)
      }
    }
    await stream.close().catch(() => {})
    if (nodeId === undefined) {
      this.m.bindingFailures.inc(1, { reason: DROP_REASONS.bindingInvalid })
      await this.ban(peer, DROP_REASONS.bindingInvalid)
      return
    }
    this.admit(peer, nodeId, conn)
  }

  private admit (peer: string, nodeId: string, conn: Connection): void {
    this.clearBindingTimer(peer)
    if (this.node === undefined || conn.status !== 'open') return
    const existing = this.admitted.get(peer)
    if (existing !== undefined && existing.nodeId === nodeId) return
    const entry: PeerEntry = { peerId: peer, nodeId, admittedAt: this.now() }
    this.admitted.set(peer, entry)
    this.m.admissions.inc()
    this.notifyWaiters(peer, entry)
    this.dispatchEvent(new CustomEvent<AdmittedPeer>('peer:admitted', { detail: { ...entry } }))
    if ((this.init.probeOnConnect ?? true) && conn.direction === 'outbound') {
      this.probe(peer).catch((err: unknown) => this.log?.('probe of %s failed: %e', peer, err))
    }
  }

  private readonly onPeerDisconnect = (evt: CustomEvent<PeerId>): void => {
    const peer = evt.detail.toString()
    this.clearBindingTimer(peer)
    if (this.admitted.has(peer) && !this.dropping.has(peer)) void this.drop(peer, DROP_REASONS.disconnected)
  }

  /** Waits (bounded) for a peer that opened a stream before its binding was checked. */
  private async admittedPeer (peer: string, signal: AbortSignal): Promise<PeerEntry | undefined> {
    const p = this.admitted.get(peer)
    if (p !== undefined) return p
    try {
      await this.waitForAdmission(peer, { signal: AbortSignal.any([signal, AbortSignal.timeout(this.bindingTimeoutMs)]) })
    } catch {
      return undefined
    }
    return this.admitted.get(peer)
  }

  // ---------------------------------------------------------------- rate limits

  /**
   * Charges one inbound message; resolves when it may be processed. Over the
   * limit the stream is paused (its yamux window stops refilling, so the
   * sender backs up) for the wait; sustained abuse bans the peer and throws.
   */
  private async admitMessage (peer: string, protocol: string, bytes: number, stream: Stream | undefined, signal: AbortSignal): Promise<void> {
    const d = this.limiter.check(peer, protocol, bytes)
    if (d.action === 'allow') return
    if (d.action === 'disconnect') {
      this.m.rateDisconnects.inc()
      await this.ban(peer, DROP_REASONS.rateLimit)
      throw new PeerNotAdmittedError(`peer ${peer} disconnected for flooding ${protocol}`)
    }
    this.m.throttles.inc(1, { protocol })
    if (stream === undefined) throw new RemoteRefusedError('throttled') // datagram-like: caller drops it
    stream.pause()
    try {
      await raceAbort(new Promise(resolve => setTimeout(resolve, Math.min(d.waitMs, MAX_THROTTLE_DELAY_MS))), signal)
    } finally {
      if (stream.status === 'open') stream.resume()
    }
  }

  // ---------------------------------------------------------------- framed protocols

  private framed (stream: Stream, protocol: string, maxFrameBytes: number): FramedStream {
    return new FramedStream(stream, {
      maxFrameBytes,
      onBytesIn: n => this.m.bytes.inc(n, { direction: 'in', protocol }),
      onBytesOut: n => this.m.bytes.inc(n, { direction: 'out', protocol })
    })
  }

  /**
   * Serves `protocol` (`/hypermesh/<name>/<major>.0.0`): each inbound stream
   * carries framed messages; each goes through the peer's rate limits, then
   * `handler`, whose reply (if any) is framed back. Streams from peers that
   * are not admitted are refused; oversize or malformed frames reset the stream.
   */
  async handleFramed (protocol: string, handler: FramedHandler, opts: HandleFramedOptions = {}): Promise<void> {
    if (!PROTOCOL_PATTERN.test(protocol)) throw new InvalidArgumentError(`protocol must be /hypermesh/<name>/<major>.0.0, got '${protocol}'`)
    if (protocol === BINDING_PROTOCOL || protocol === PROBE_PROTOCOL) throw new InvalidArgumentError(`${protocol} is reserved`)
    if (typeof handler !== 'function') throw new InvalidArgumentError('handler must be a function')
    if (opts.rateLimit !== undefined) {
      checkRateLimit(opts.rateLimit, `rate limit of ${protocol}`)
      this.limiter.setProtocolLimit(protocol, opts.rateLimit)
    }
    this.framedProtocols.set(protocol, { handler, opts })
    if (this.node !== undefined) await this.registerFramed(protocol, opts)
  }

  async unhandleFramed (protocol: string): Promise<void> {
    this.framedProtocols.delete(protocol)
    if (this.node !== undefined) await this.node.unhandle(protocol)
  }

  private async registerFramed (protocol: string, opts: HandleFramedOptions): Promise<void> {
    await this.libp2pNode.handle(protocol, (stream, conn) => this.serveFramed(protocol, stream, conn), {
      maxInboundStreams: opts.maxInboundStreams ?? 32,
      force: true
    })
  }

  private async serveFramed (protocol: string, stream: Stream, conn: Connection): Promise<void> {
    const peer = conn.remotePeer.toString()
    this.m.streams.inc(1, { direction: 'in', protocol })
    const entry = this.framedProtocols.get(protocol)
    const ac = new AbortController()
    const signal = AbortSignal.any([ac.signal, this.lifetime.signal])
    stream.addEventListener('close', () => ac.abort(), { once: true })
    const p = entry === undefined ? undefined : await this.admittedPeer(peer, signal)
    if (entry === undefined || p === undefined) {
      stream.abort(new PeerNotAdmittedError(`peer ${peer} is not admitted`))
      return
    }
    const { handler, opts } = entry
    const fs = this.framed(stream, protocol, opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES)
    const idle = opts.idleTimeoutMs ?? IDLE_TIMEOUT_MS
    const ctx: FramedContext = { peerId: peer, nodeId: p.nodeId, protocol, signal }
    // One idle timer per stream, re-armed before each read and ignored while the
    // handler runs (a fresh AbortSignal.timeout + AbortSignal.any per message cost
    // ~10 µs of the receiver's time per message).
    const idleAc = new AbortController()
    let reading = false
    const idleTimer = setTimeout(() => { if (reading) idleAc.abort(new TimeoutError(`${protocol}: no message for ${idle} ms`)) }, idle)
    idleTimer.unref()
    const readSignal = AbortSignal.any([signal, idleAc.signal])
    try {
      for (;;) {
        reading = true
        idleTimer.refresh() // re-arms it even if it fired while the handler ran
        let msg: Uint8Array | undefined
        try { msg = await fs.read(readSignal) } finally { reading = false }
        if (msg === undefined) break
        this.m.messages.inc(1, { direction: 'in', protocol })
        await this.admitMessage(peer, protocol, msg.byteLength, stream, signal)
        const reply = await handler(msg, ctx)
        if (reply instanceof Uint8Array) {
          await fs.write(reply, signal)
          this.m.messages.inc(1, { direction: 'out', protocol })
        }
      }
      await fs.closeWrite(signal)
    } catch (err: any) {
      const kind = err?.name === 'MessageTooLargeError' ? 'oversize' : err?.name === 'DecodeError' ? 'malformed' : err?.name === 'PeerNotAdmittedError' ? 'rate-limit' : err?.name === 'RemoteRefusedError' ? 'reset' : err?.name === 'TimeoutError' ? 'timeout' : ac.signal.aborted || this.lifetime.signal.aborted ? 'closed' : 'handler'
      this.m.frameErrors.inc(1, { protocol, kind })
      this.log?.('%s stream from %s failed (%s): %e', protocol, peer, kind, err)
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    } finally {
      clearTimeout(idleTimer)
    }
  }

  private requestSignal (opts: RequestOptions): AbortSignal {
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS)
    return AbortSignal.any(opts.signal !== undefined ? [timeout, opts.signal, this.lifetime.signal] : [timeout, this.lifetime.signal])
  }

  private async openStream (peer: string, protocol: string, signal: AbortSignal): Promise<Stream> {
    if (!this.admitted.has(peer)) await this.waitForAdmission(peer, { signal })
    const stream = await raceAbort(this.libp2pNode.dialProtocol(peerIdFromString(peer), protocol, { signal }), signal)
    this.m.streams.inc(1, { direction: 'out', protocol })
    return stream
  }

  /**
   * Sends `message` to an admitted peer on `protocol` and returns its framed
   * reply (byte-exact). Throws MessageTooLargeError (either side's limit),
   * RemoteRefusedError (the peer reset the stream or sent no reply),
   * PeerNotAdmittedError, TimeoutError, AbortError.
   */
  async requestFramed (peerId: string, protocol: string, message: Uint8Array, opts: RequestOptions = {}): Promise<Uint8Array> {
    if (!(message instanceof Uint8Array)) throw new InvalidArgumentError('message must be a Uint8Array')
    const max = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
    const signal = this.requestSignal(opts)
    const stop = this.m.requestDuration.startTimer({ protocol })
    const stream = await this.openStream(peerId, protocol, signal)
    const fs = this.framed(stream, protocol, max)
    try {
      await fs.write(message, signal)
      this.m.messages.inc(1, { direction: 'out', protocol })
      await fs.closeWrite(signal)
      const reply = await fs.read(signal)
      if (reply === undefined) throw new RemoteRefusedError(`${protocol}: ${peerId} closed the stream without a reply`)
      this.m.messages.inc(1, { direction: 'in', protocol })
      stop()
      return reply
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      throw err
    }
  }

  /** Sends a one-way framed message (the handler's reply, if any, is not awaited). */
  async sendFramed (peerId: string, protocol: string, message: Uint8Array, opts: RequestOptions = {}): Promise<void> {
    if (!(message instanceof Uint8Array)) throw new InvalidArgumentError('message must be a Uint8Array')
    const signal = this.requestSignal(opts)
    const stream = await this.openStream(peerId, protocol, signal)
    const fs = this.framed(stream, protocol, opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES)
    try {
      await fs.write(message, signal)
      this.m.messages.inc(1, { direction: 'out', protocol })
      await fs.closeWrite(signal)
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      throw err
    }
  }

  /** Opens one stream for a series of requests (no per-request stream negotiation). */
  async openFramed (peerId: string, protocol: string, opts: RequestOptions = {}): Promise<FramedSession> {
    const max = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
    const stream = await this.openStream(peerId, protocol, this.requestSignal(opts))
    const fs = this.framed(stream, protocol, max)
    let chain: Promise<unknown> = Promise.resolve()
    const request = async (message: Uint8Array, ro: { signal?: AbortSignal, timeoutMs?: number } = {}): Promise<Uint8Array> => {
      const run = async (): Promise<Uint8Array> => {
        const signal = this.requestSignal(ro)
        const stop = this.m.requestDuration.startTimer({ protocol })
        try {
          await fs.write(message, signal)
          this.m.messages.inc(1, { direction: 'out', protocol })
          const reply = await fs.read(signal)
          if (reply === undefined) throw new RemoteRefusedError(`${protocol}: ${peerId} closed the session`)
          this.m.messages.inc(1, { direction: 'in', protocol })
          stop()
          return reply
        } catch (err) {
          stream.abort(err instanceof Error ? err : new Error(String(err)))
          throw err
        }
      }
      const p = chain.then(run, run)
      chain = p.catch(() => {})
      return await p
    }
    const send = async (message: Uint8Array, ro: { signal?: AbortSignal, timeoutMs?: number } = {}): Promise<void> => {
      const run = async (): Promise<void> => {
        try {
          await fs.write(message, () => this.requestSignal(ro)) // the deadline applies to waiting for the stream to drain
          this.m.messages.inc(1, { direction: 'out', protocol })
        } catch (err) {
          stream.abort(err instanceof Error ? err : new Error(String(err)))
          throw err
        }
      }
      const p = chain.then(run, run)
      chain = p.catch(() => {})
      await p
    }
    return {
      protocol,
      peerId,
      request,
      send,
      close: async () => {
        await chain
        await fs.closeWrite().catch(() => {})
      }
    }
  }

  /**
   * Opens a stream for pipelined requests: `request()` writes at once and
   * resolves with the answer that arrives in the same position (the handler
   * side answers in order). One failure fails every request in flight.
   */
  async openFramedPipeline (peerId: string, protocol: string, opts: RequestOptions = {}): Promise<FramedPipeline> {
    const max = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
    const stream = await this.openStream(peerId, protocol, this.requestSignal(opts))
    const fs = this.framed(stream, protocol, max)
    const waiting: Array<{ resolve: (b: Uint8Array) => void, reject: (e: Error) => void }> = []
    let failed: Error | null = null
    let reading = false
    let writes: Promise<unknown> = Promise.resolve()
    const fail = (err: Error): void => {
      if (failed !== null) return
      failed = err
      stream.abort(err)
      for (const w of waiting.splice(0)) w.reject(err)
    }
    const readLoop = async (): Promise<void> => {
      reading = true
      try {
        while (waiting.length > 0 && failed === null) {
          const reply = await fs.read(this.lifetime.signal)
          if (reply === undefined) throw new RemoteRefusedError(`${protocol}: ${peerId} closed the stream with ${waiting.length} requests unanswered`)
          this.m.messages.inc(1, { direction: 'in', protocol })
          waiting.shift()?.resolve(reply)
        }
      } catch (err) { fail(err instanceof Error ? err : new Error(String(err))) } finally { reading = false }
    }
    return {
      protocol,
      peerId,
      get inFlight () { return waiting.length },
      request: async (message: Uint8Array): Promise<Uint8Array> => {
        if (failed !== null) throw failed
        const answer = new Promise<Uint8Array>((resolve, reject) => { waiting.push({ resolve, reject }) })
        const w = writes.then(async () => {
          if (failed !== null) return
          await fs.write(message, this.lifetime.signal)
          this.m.messages.inc(1, { direction: 'out', protocol })
        })
        writes = w.catch((err: unknown) => { fail(err instanceof Error ? err : new Error(String(err))) })
        if (!reading) void readLoop()
        return await answer
      },
      close: async () => {
        await writes
        await fs.closeWrite().catch(() => {})
      }
    }
  }

  // ---------------------------------------------------------------- gossip

  /**
   * Subscribes to `topic`; `handler` gets every message that passed the
   * checks (forwarded by an admitted peer, within size and rate limits, and
   * accepted by the topic's validator). Returns an unsubscribe function.
   */
  subscribe (topic: string, handler: (msg: GossipMessage) => void): () => void {
    if (typeof topic !== 'string' || topic.length === 0 || topic.length > 256) throw new InvalidArgumentError('topic must be a non-empty string of at most 256 characters')
    let set = this.topicHandlers.get(topic)
    if (set === undefined) {
      set = new Set()
      this.topicHandlers.set(topic, set)
      if (this.node !== undefined) this.installTopic(topic)
    }
    set.add(handler)
    return () => {
      const s = this.topicHandlers.get(topic)
      if (s === undefined) return
      s.delete(handler)
      if (s.size === 0) {
        this.topicHandlers.delete(topic)
        if (this.node !== undefined) {
          this.node.services.pubsub.unsubscribe(topic)
          this.node.services.pubsub.topicValidators.delete(topic)
        }
      }
    }
  }

  /** The validation hook of `topic` (e.g. consensus decoding and signature checks). */
  setGossipValidator (topic: string, validator: GossipValidator): void {
    if (typeof validator !== 'function') throw new InvalidArgumentError('validator must be a function')
    this.topicValidators.set(topic, validator)
  }

  /** Publishes `data` on `topic`; resolves with the number of peers it was sent to. */
  async publish (topic: string, data: Uint8Array): Promise<number> {
    if (!(data instanceof Uint8Array)) throw new InvalidArgumentError('data must be a Uint8Array')
    const max = this.init.maxGossipBytes ?? DEFAULT_MAX_GOSSIP_BYTES
    if (data.byteLength > max) throw new InvalidArgumentError(`gossip message of ${data.byteLength} bytes over the limit of ${max}`)
    const res = await this.libp2pNode.services.pubsub.publish(topic, data)
    const protocol = `gossip:${topic}`
    this.m.messages.inc(1, { direction: 'out', protocol })
    this.m.bytes.inc(data.byteLength * res.recipients.length, { direction: 'out', protocol })
    return res.recipients.length
  }

  /** Admitted peers subscribed to `topic`. */
  gossipPeers (topic: string): string[] {
    return this.libp2pNode.services.pubsub.getSubscribers(topic).map(str).filter(p => this.admitted.has(p))
  }

  private installTopic (topic: string): void {
    const pubsub = this.libp2pNode.services.pubsub
    pubsub.topicValidators.set(topic, async (from: PeerId, msg: Message) => await this.validateGossip(topic, from.toString(), msg))
    pubsub.subscribe(topic)
  }

  private async validateGossip (topic: string, via: string, msg: Message): Promise<TopicValidatorResult> {
    const count = (result: string): void => this.m.gossip.inc(1, { topic, result })
    const p = this.admitted.get(via)
    if (p === undefined) { count('not-admitted'); return TopicValidatorResult.Ignore }
    const protocol = `gossip:${topic}`
    this.m.bytes.inc(msg.data.byteLength, { direction: 'in', protocol })
    this.m.messages.inc(1, { direction: 'in', protocol })
    if (msg.data.byteLength > (this.init.maxGossipBytes ?? DEFAULT_MAX_GOSSIP_BYTES)) { count('oversize'); return TopicValidatorResult.Reject }
    try {
      await this.admitMessage(via, protocol, msg.data.byteLength, undefined, this.lifetime.signal)
    } catch {
      count('throttled')
      return TopicValidatorResult.Ignore
    }
    const validator = this.topicValidators.get(topic)
    if (validator !== undefined) {
      let verdict: GossipVerdict
      try {
        verdict = await validator(this.gossipMessage(topic, via, p.nodeId, msg))
      } catch (err) {
        this.log?.('gossip validator of %s threw: %e', topic, err)
        verdict = 'reject'
      }
      count(verdict)
      return verdict === 'accept' ? TopicValidatorResult.Accept : verdict === 'ignore' ? TopicValidatorResult.Ignore : TopicValidatorResult.Reject
    }
    count('accept')
    return TopicValidatorResult.Accept
  }

  private gossipMessage (topic: string, via: string, viaNodeId: string, msg: Message): GossipMessage {
    return { topic, data: msg.data, from: msg.type === 'signed' ? msg.from.toString() : via, via, viaNodeId }
  }

  private readonly onGossip = (evt: CustomEvent<GossipsubMessage>): void => {
    const { msg, propagationSource } = evt.detail
    const via = propagationSource.toString()
    const p = this.admitted.get(via)
    const handlers = this.topicHandlers.get(msg.topic)
    if (p === undefined || handlers === undefined) return
    const m = this.gossipMessage(msg.topic, via, p.nodeId, msg)
    for (const h of handlers) {
      try { h(m) } catch (err) { this.log?.error('gossip handler of %s threw: %e', msg.topic, err) }
    }
  }

  // ---------------------------------------------------------------- probe and buffers

  /** A pool of `bufferBytes` buffers (one pool per size, shared by the node's bulk paths). */
  bufferPool (bufferBytes: number, maxFree = 64): BufferPool {
    let p = this.pools.get(bufferBytes)
    if (p === undefined) {
      p = new BufferPool({ bufferBytes, maxFree })
      this.pools.set(bufferBytes, p)
    }
    return p
  }

  /**
   * Measures the link to an admitted peer: `pings` RTTs, then `bytes` pushed
   * for throughput; classifies it into a tier and records it on the peer.
   */
  async probe (peerId: string, opts: { pings?: number, bytes?: number, signal?: AbortSignal, timeoutMs?: number } = {}): Promise<ProbeResult> {
    const bytes = opts.bytes ?? this.init.probeBytes ?? DEFAULT_PROBE_BYTES
    const pings = opts.pings ?? DEFAULT_PROBE_PINGS
    if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > MAX_PROBE_BYTES) throw new InvalidArgumentError(`probe bytes must be in [0, ${MAX_PROBE_BYTES}]`)
    if (!Number.isSafeInteger(pings) || pings < 1 || pings > 100) throw new InvalidArgumentError('probe pings must be in [1, 100]')
    const signal = this.requestSignal({ signal: opts.signal, timeoutMs: opts.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS })
    const stream = await this.openStream(peerId, PROBE_PROTOCOL, signal)
    const fs = this.framed(stream, PROBE_PROTOCOL, PROBE_MAX_FRAME)
    let result: ProbeResult
    try {
      result = await runProbe(fs, { pings, bytes, pool: this.bufferPool(PROBE_MAX_FRAME, 4), signal })
      await fs.closeWrite(signal)
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      throw err
    }
    this.m.probeRtt.observe(result.rttMedianMs * 1000)
    this.m.probeThroughput.observe(result.throughputMbps)
    const p = this.admitted.get(peerId)
    if (p !== undefined) { p.probe = result; p.tier = result.tier.name }
    this.dispatchEvent(new CustomEvent('peer:probed', { detail: { peerId, result } }))
    return result
  }

  private readonly onProbeStream = async (stream: Stream, conn: Connection): Promise<void> => {
    const peer = conn.remotePeer.toString()
    this.m.streams.inc(1, { direction: 'in', protocol: PROBE_PROTOCOL })
    const signal = AbortSignal.any([AbortSignal.timeout(DEFAULT_PROBE_TIMEOUT_MS), this.lifetime.signal])
    if (await this.admittedPeer(peer, signal) === undefined) {
      stream.abort(new PeerNotAdmittedError(`peer ${peer} is not admitted`))
      return
    }
    try {
      await serveProbe(this.framed(stream, PROBE_PROTOCOL, PROBE_MAX_FRAME), {
        signal,
        beforeFrame: async (n) => await this.admitMessage(peer, PROBE_PROTOCOL, n, stream, signal)
      })
      await stream.close({ signal })
    } catch (err: any) {
      this.m.frameErrors.inc(1, { protocol: PROBE_PROTOCOL, kind: err?.name === 'DecodeError' ? 'malformed' : 'closed' })
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }

  /** Counts and states of the node (for status pages). */
  stats (): { peers: number, connections: number, banned: number, pools: Array<ReturnType<BufferPool['stats']>> } {
    return {
      peers: this.admitted.size,
      connections: this.node?.getConnections().length ?? 0,
      banned: [...this.bans.keys()].filter(p => this.isBanned(p)).length,
      pools: [...this.pools.values()].map(p => p.stats())
    }
  }
}

/** A transport node (call `start()`). */
export function createStoq (init: StoqInit): Stoq {
  return new Stoq(init)
}

export { TimeoutError }
