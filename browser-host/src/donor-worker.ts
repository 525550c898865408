/**
 * The donate page's Web Worker: loads (or creates) this browser's FALCON
 * identity from IndexedDB, reaches the node — WebTransport, else WebSocket,
 * else the edge relay — and runs the donor (ts/jobs/donor.ts) with ts/vm's
 * sandbox (WASM with metered fuel and memory, JavaScript in QuickJS). The
 * page's thread only draws what this worker posts.
 */
import { IdbKeystore } from './identity/idb-keystore.ts'
import { DonateHistory } from './history.ts'
import { openWebSocketChannel } from './transport/websocket.ts'
import { openWebTransportChannel, hasWebTransport } from './transport/webtransport.ts'
import { openRelayChannel, relayTargetFromConfig, relayTargetFromQuery } from './transport/relay.ts'
import { loadOrCreateIdentity, nodeIdOf, nodeIdToHex } from '../../ts/identity/index.ts'
import { runJobOutcome, jobIdHex } from '../../ts/vm/index.ts'
import { startDonor, type Donor } from '../../ts/jobs/donor.ts'
import type { FrameChannel } from '../../ts/jobs/channel.ts'

export type ToWorker = { type: 'start', search: string, origin: string, webTransport: boolean } | { type: 'stop' }
export type FromWorker =
  | { type: 'identity', nodeId: string, created: boolean, jobsBefore: number }
  | { type: 'status', status: string }
  | { type: 'connected', transport: string, node: string }
  | { type: 'job', jobs: number, fuelPerSecond: number, ok: boolean }
  | { type: 'stats', accepted: number, credits: string }
  | { type: 'log', line: string }
  | { type: 'stopped', reason: string }

const hexOf = (n: string | Uint8Array): string => typeof n === 'string' ? n : nodeIdToHex(n)
const post = (m: FromWorker): void => { (self as unknown as { postMessage: (m: FromWorker) => void }).postMessage(m) }
const log = (line: string): void => { post({ type: 'log', line }) }

let donor: Donor | null = null
let stopping = false
const history = new DonateHistory()

interface DonateConfig { nodeId: string, websocket: string, webtransport: { url: string, certHashes: string[] } | null, relay: { url: string, room: string } | null }

async function connect (search: string, origin: string, pageHasWebTransport: boolean, keyPair: { publicKey: Uint8Array, secretKey: Uint8Array }): Promise<{ channel: FrameChannel, node: string }> {
  const q = new URLSearchParams(search)
  const forced = q.get('transport')
  const direct = relayTargetFromQuery(search)
  if (direct !== null && forced !== 'websocket' && forced !== 'webtransport') {
    log(`the page was given only a relay: ${direct.relay}`)
    return { channel: await openRelayChannel({ ...direct, keyPair, timeoutMs: 20_000 }), node: hexOf(direct.node) }
  }
  let config: DonateConfig
  try {
    const r = await fetch(new URL('/api/donate/config', origin), { signal: AbortSignal.timeout(10_000) })
    if (!r.ok) throw new Error(`HTTP ${r.status}`)
    config = await r.json() as DonateConfig
  } catch (err) { throw new Error(`cannot reach the node that served this page (${(err as Error).message}); open it with ?relay=URL&room=ID&node=NODEID to donate through a relay`) }
  const errors: string[] = []
  if ((forced === null || forced === 'webtransport') && config.webtransport !== null) {
    if (!pageHasWebTransport || !hasWebTransport()) { errors.push('this browser has no WebTransport'); log('this browser has no WebTransport; trying WebSockets') }
    else {
      try { return { channel: await openWebTransportChannel(config.webtransport.url, config.webtransport.certHashes), node: config.nodeId } } catch (err) { errors.push((err as Error).message); log(`WebTransport failed: ${(err as Error).message}; trying WebSockets`) }
    }
  } else if (forced === null) errors.push('the node offers no WebTransport endpoint')
  if (forced === null || forced === 'websocket') {
    try { return { channel: await openWebSocketChannel(config.websocket), node: config.nodeId } } catch (err) { errors.push((err as Error).message); log(`WebSocket failed: ${(err as Error).message}`) }
  }
  const relay = relayTargetFromConfig(config)
  if (relay !== null && (forced === null || forced === 'relay')) return { channel: await openRelayChannel({ ...relay, keyPair, timeoutMs: 20_000 }), node: hexOf(relay.node) }
  throw new Error(`no way to reach the node: ${errors.join('; ')}`)
}

async function start (search: string, origin: string, webTransport: boolean): Promise<void> {
  stopping = false
  post({ type: 'status', status: 'loading identity' })
  const { identity, created } = await loadOrCreateIdentity(new IdbKeystore('hypermesh'), () => crypto.getRandomValues(new Uint8Array(32)))
  const me = nodeIdToHex(nodeIdOf(identity.falcon.publicKey))
  post({ type: 'identity', nodeId: me, created, jobsBefore: await history.count() })
  post({ type: 'status', status: 'connecting' })
  const { channel, node } = await connect(search, origin, webTransport, identity.falcon)
  if (stopping) { channel.close(); return }
  let jobs = 0
  const window: Array<{ at: number, fuel: bigint }> = []
  donor = startDonor({
    channel,
    keyPair: identity.falcon,
    kind: 'browser',
    runJob: async (job) => await runJobOutcome(job),
    onEvent: (e) => {
      switch (e.type) {
        case 'connected': post({ type: 'connected', transport: channel.transport, node }); post({ type: 'status', status: 'donating' }); break
        case 'job-start': log(`running job ${jobIdHex(e.jobId).slice(0, 16)}…`); break
        case 'job-done': {
          jobs++
          const now = Date.now()
          window.push({ at: now, fuel: e.fuelUsed })
          while (window.length > 0 && now - window[0].at > 30_000) window.shift()
          const span = Math.max(1, now - Math.min(...window.map((w) => w.at - e.ms)))
          const fuel = window.reduce((n, w) => n + w.fuel, 0n)
          post({ type: 'job', jobs, fuelPerSecond: Number(fuel) / (span / 1000), ok: e.ok })
          void history.add({ jobId: jobIdHex(e.jobId), at: now, ms: e.ms, ok: e.ok, fuel: e.fuelUsed.toString(), transport: channel.transport })
          log(`job ${jobIdHex(e.jobId).slice(0, 16)}… ${e.ok ? 'done' : 'failed inside its sandbox'} in ${e.ms} ms`)
          break
        }
        case 'stats': post({ type: 'stats', accepted: e.accepted, credits: e.credits.toString() }); break
        case 'error': log(`error: ${e.message}`); break
        case 'closed': donor = null; post({ type: 'stopped', reason: stopping ? 'stopped' : `disconnected${e.reason !== undefined ? `: ${e.reason}` : ''}` }); break
      }
    }
  })
}

self.addEventListener('message', (ev: MessageEvent<ToWorker>) => {
  const m = ev.data
  if (m.type === 'start') {
    start(m.search, m.origin, m.webTransport).catch((err: unknown) => { post({ type: 'stopped', reason: (err as Error).message }) })
  } else if (m.type === 'stop') {
    stopping = true
    if (donor !== null) donor.stop()
    else post({ type: 'stopped', reason: 'stopped' })
  }
})
