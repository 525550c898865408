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
 */
import { bool, struct, tagged, u8, u32, varBytes, encodeCanonical } from '../../ts/wire/index.ts'
import { decodeTx, type Transaction } from '../../ts/ledger/index.ts'
import type { KeyPair } from '../../ts/identity/index.ts'
import type { Gauge, Counter, MetricsRegistry } from '../../ts/monitor/index.ts'
import { connect, createJoinToken, MAX_PAYLOAD_BYTES, type RelayClient } from '../../edge-relay/src/index.ts'

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
}

const te = new TextEncoder()

export class RelayLink {
  readonly url: string
  private readonly host: RelayLinkHost
  private client: RelayClient | null = null
  private stopped = false
  private timer: NodeJS.Timeout | null = null
  private readonly m: { connected: Gauge, peers: Gauge, requests: Counter, reconnects: Counter }

  constructor (url: string, host: RelayLinkHost) {
    this.url = url
    this.host = host
    const r = host.registry
    this.m = {
      connected: r.gauge({ name: 'hypermesh_relay_connected_count', help: 'Connections to the edge relay (0 or 1)' }),
      peers: r.gauge({ name: 'hypermesh_relay_peers_count', help: 'Other peers in this mesh\'s relay room', collect: (g) => g.set(this.client?.peers.size ?? 0) }),
      requests: r.counter({ name: 'hypermesh_relay_requests_total', help: 'Requests answered through the relay, by op and result', labelNames: ['op', 'result'] }),
      reconnects: r.counter({ name: 'hypermesh_relay_reconnects_total', help: 'Connections to the relay made after the first' })
    }
  }

  get connected (): boolean { return this.client !== null }
  get peers (): number { return this.client?.peers.size ?? 0 }

  start (): void { void this.connectLoop(0) }

  private async connectLoop (attempt: number): Promise<void> {
    if (this.stopped) return
    try {
      const c = await connect(this.url, this.host.meshId, createJoinToken(this.host.identity, this.host.meshId), { timeoutMs: 10_000 })
      if (this.stopped) { await c.close(); return }
      this.client = c
      this.m.connected.set(1)
      if (attempt > 0) this.m.reconnects.inc()
      this.host.log(`relay: connected to ${this.url} (room ${this.host.meshId}, ${c.peers.size} other peers)`)
      c.on('message', (from, payload) => { this.onMessage(c, from, payload) })
      c.on('arrival', (id) => { this.host.log(`relay: ${Buffer.from(id).toString('hex').slice(0, 16)}… arrived`) })
      void c.closed.then(({ code, reason }) => {
        this.client = null
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

  async stop (): Promise<void> {
    this.stopped = true
    if (this.timer !== null) clearTimeout(this.timer)
    const c = this.client
    this.client = null
    if (c !== null) await c.close().catch(() => {})
  }
}
