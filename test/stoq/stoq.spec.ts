/**
 * Real libp2p nodes on 127.0.0.1: admission by FALCON bindings, forged
 * bindings dropped, gossip to admitted peers with validation, framed
 * request/response, oversize refusal, flooding throttled then disconnected,
 * link probe, metrics exposition.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { testKeyPair } from '../fixtures/keys.ts'
import { nodeIdOf, nodeIdToHex, createBinding, encodeBinding } from '../../ts/identity/index.ts'
import { createMetricsRegistry } from '../../ts/monitor/index.ts'
import { createStoq, identityBindingAuthority, signBinding, LINK_TIERS } from '../../ts/stoq/index.ts'
import type { Stoq, StoqInit, BindingAuthority, DroppedPeer, GossipMessage } from '../../ts/stoq/index.ts'

const ECHO = '/hypermesh/echo/1.0.0'
const SMALL = '/hypermesh/small/1.0.0'
const TOPIC = 'hypermesh/test/1'
const nodeIdHex = (i: number): string => nodeIdToHex(nodeIdOf(testKeyPair(i).publicKey))
const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

async function until (cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now()
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time')
    await sleep(20)
  }
}

const started: Stoq[] = []
async function node (binding: BindingAuthority, extra: Partial<StoqInit> = {}): Promise<Stoq> {
  const s = createStoq({ binding, probeOnConnect: false, gossipHeartbeatMs: 100, bindingTimeoutMs: 3000, listen: ['/ip4/127.0.0.1/tcp/0'], ...extra })
  started.push(s)
  await s.start()
  return s
}

let A: Stoq, B: Stoq, C: Stoq
const bMetrics = createMetricsRegistry()

beforeAll(async () => {
  A = await node(identityBindingAuthority({ keyPair: testKeyPair(0) }))
  B = await node(identityBindingAuthority({ keyPair: testKeyPair(1) }), {
    metrics: bMetrics,
    abusePolicy: { maxStrikes: 10, strikesForgivenPerSecond: 1 },
    listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws']
  })
  C = await node(identityBindingAuthority({ keyPair: testKeyPair(2) }))
  await B.handleFramed(ECHO, msg => msg, { rateLimit: { messagesPerSecond: 50, burstMessages: 20, bytesPerSecond: 64e6, burstBytes: 64e6 } })
  await B.handleFramed(SMALL, msg => msg, { maxMessageBytes: 1024 })
}, 30_000)

afterAll(async () => {
  await Promise.all(started.map(async s => await s.stop()))
}, 30_000)

describe('stoq on loopback', () => {
  it('three nodes connect and admit each other with the NodeIds their bindings prove', async () => {
    const ab = await A.connect(B.addresses()[0])
    const ac = await A.connect(C.addresses()[0])
    const bc = await B.connect(C.addresses()[0])
    expect(ab.nodeId).toBe(nodeIdHex(1))
    expect(ac.nodeId).toBe(nodeIdHex(2))
    expect(bc.nodeId).toBe(nodeIdHex(2))
    await B.waitForAdmission(A.peerId)
    await C.waitForAdmission(A.peerId)
    await C.waitForAdmission(B.peerId)
    expect(new Set(B.peers().map(p => p.nodeId))).toEqual(new Set([nodeIdHex(0), nodeIdHex(2)]))
    expect(A.peers().length).toBe(2)
    expect(B.addresses().some(a => a.includes('/ws/'))).toBe(true)
  })

  it('drops peers with forged bindings: wrong key, wrong peerId, expired, garbage', async () => {
    const k3 = testKeyPair(3)
    const k4 = testKeyPair(4)
    const forgeries: Record<string, (peerId: string) => Uint8Array> = {
      'wrong key': peerId => encodeBinding({ ...createBinding(k3, peerId, [], Date.now() + 60_000), publicKey: k4.publicKey, nodeId: nodeIdOf(k4.publicKey) }),
      'wrong peerId': () => signBinding(k3, { peerId: A.peerId, addrs: [], expires: Date.now() + 60_000 }),
      expired: peerId => signBinding(k3, { peerId, addrs: [], expires: Date.now() - 1000 }),
      garbage: () => new Uint8Array(300).fill(0xab)
    }
    const before = bMetrics.get('hypermesh_stoq_binding_failures_total')
    const failuresBefore = before?.type === 'counter' ? (before.entries().find(e => e.labels.reason === 'binding-invalid')?.state.value ?? 0) : 0
    for (const [what, forge] of Object.entries(forgeries)) {
      const honest = identityBindingAuthority({ keyPair: k3 })
      const forger = await node({ localBinding: forge, verifyBinding: honest.verifyBinding })
      const dropped = new Promise<DroppedPeer>(resolve => {
        const on = (e: Event): void => {
          const d = (e as CustomEvent<DroppedPeer>).detail
          if (d.peerId === forger.peerId) { B.removeEventListener('peer:dropped', on); resolve(d) }
        }
        B.addEventListener('peer:dropped', on)
      })
      await forger.dial(B.addresses()[0]).catch(() => {})
      const d = await dropped
      expect(d.reason, what).toBe('binding-invalid')
      expect(B.isAdmitted(forger.peerId), what).toBe(false)
      await until(() => B.libp2p.getConnections().every(c => c.remotePeer.toString() !== forger.peerId))
      // banned: it cannot come back
      await expect(forger.connect(B.addresses()[0], { signal: AbortSignal.timeout(3000) })).rejects.toThrow()
      expect(B.isAdmitted(forger.peerId)).toBe(false)
    }
    const after = bMetrics.get('hypermesh_stoq_binding_failures_total')
    const failuresAfter = after?.type === 'counter' ? (after.entries().find(e => e.labels.reason === 'binding-invalid')?.state.value ?? 0) : 0
    expect(failuresAfter - failuresBefore).toBe(4)
    expect(B.peers().length).toBe(2)
  }, 30_000)

  it('gossip reaches admitted peers; the validation hook rejects garbage', async () => {
    const atB: GossipMessage[] = []
    const atC: GossipMessage[] = []
    A.subscribe(TOPIC, () => {})
    B.subscribe(TOPIC, m => atB.push(m))
    C.subscribe(TOPIC, m => atC.push(m))
    C.setGossipValidator(TOPIC, m => m.data[0] === 0xff ? 'reject' : 'accept')
    await until(() => A.gossipPeers(TOPIC).length === 2)
    const n = await A.publish(TOPIC, Uint8Array.of(1, 2, 3))
    expect(n).toBeGreaterThan(0)
    await until(() => atB.length === 1 && atC.length === 1)
    expect(Array.from(atB[0].data)).toEqual([1, 2, 3])
    expect(atB[0].from).toBe(A.peerId)
    expect(atC[0].viaNodeId === nodeIdHex(0) || atC[0].viaNodeId === nodeIdHex(1)).toBe(true)
    await A.publish(TOPIC, Uint8Array.of(0xff, 0))
    await until(() => atB.length === 2)
    await sleep(300)
    expect(atC.length).toBe(1) // rejected at C
    expect(Array.from(atB[1].data)).toEqual([0xff, 0])
  }, 15_000)

  it('framed request/response round-trips byte-exact; an oversized frame is refused with typed errors', async () => {
    const msg = crypto.getRandomValues(new Uint8Array(60_000))
    const reply = await A.requestFramed(B.peerId, ECHO, msg)
    expect(Buffer.from(reply).equals(Buffer.from(msg))).toBe(true)
    expect((await A.requestFramed(B.peerId, ECHO, new Uint8Array(0))).length).toBe(0)
    // our own limit: refused before sending
    await expect(A.requestFramed(B.peerId, SMALL, new Uint8Array(2000), { maxMessageBytes: 1024 })).rejects.toMatchObject({ name: 'MessageTooLargeError' })
    // the peer's limit: it resets the stream at the header, the request fails typed
    await expect(A.requestFramed(B.peerId, SMALL, new Uint8Array(2000), { maxMessageBytes: 4096 })).rejects.toMatchObject({ name: 'RemoteRefusedError' })
    const fe = bMetrics.get('hypermesh_stoq_frame_errors_total')
    expect(fe?.type === 'counter' && fe.get({ protocol: SMALL, kind: 'oversize' })).toBe(1)
    // and the link still works
    expect(Array.from(await A.requestFramed(B.peerId, SMALL, Uint8Array.of(9)))).toEqual([9])
    // unknown peer: typed
    await expect(A.requestFramed(C.peerId.slice(0, -2) + 'aa', ECHO, msg, { timeoutMs: 500 })).rejects.toThrow()
  })

  it('a flooding peer is throttled, then disconnected, while a well-behaved peer keeps working', async () => {
    const D = await node(identityBindingAuthority({ keyPair: testKeyPair(5) }))
    await D.connect(B.addresses()[0])
    await B.waitForAdmission(D.peerId)
    const dropped = new Promise<DroppedPeer>(resolve => {
      B.addEventListener('peer:dropped', (e) => {
        const d = (e as CustomEvent<DroppedPeer>).detail
        if (d.peerId === D.peerId) resolve(d)
      })
    })
    const flood = (async () => {
      const s = await D.openFramed(B.peerId, ECHO, { timeoutMs: 10_000 })
      for (let i = 0; i < 2000; i++) await s.send(Uint8Array.of(i & 0xff))
    })().catch(() => {})
    let ok = 0
    const polite = (async () => {
      for (let i = 0; i < 10; i++) {
        const r = await A.requestFramed(B.peerId, ECHO, Uint8Array.of(i))
        if (r[0] === i) ok++
        await sleep(100)
      }
    })()
    const d = await dropped
    expect(d.reason).toBe('rate-limit')
    expect(d.nodeId).toBe(nodeIdHex(5))
    await polite
    await flood
    expect(ok).toBe(10)
    const th = bMetrics.get('hypermesh_stoq_ratelimit_throttles_total')
    expect(th?.type === 'counter' && th.get({ protocol: ECHO })).toBeGreaterThan(0)
    const dc = bMetrics.get('hypermesh_stoq_ratelimit_disconnects_total')
    expect(dc?.type === 'counter' && dc.get()).toBe(1)
    expect(B.isAdmitted(D.peerId)).toBe(false)
    expect(B.isAdmitted(A.peerId)).toBe(true)
  }, 20_000)

  it('the probe measures RTT and throughput and returns a tier', async () => {
    const r = await A.probe(B.peerId, { pings: 3, bytes: 1024 * 1024 })
    expect(r.rttsMs.length).toBe(3)
    expect(r.rttMinMs).toBeGreaterThan(0)
    expect(r.bytes).toBe(1024 * 1024)
    expect(r.throughputMbps).toBeGreaterThan(0)
    expect(LINK_TIERS.map(t => t.name)).toContain(r.tier.name)
    expect(A.peers().find(p => p.peerId === B.peerId)?.tier).toBe(r.tier.name)
    // the pooled chunk was returned and is reused by the next probe
    await A.probe(B.peerId, { pings: 1, bytes: 128 * 1024 })
    const pool = A.stats().pools[0]
    expect(pool).toMatchObject({ outstanding: 0, allocated: 1, reused: 1 })
  })

  it('metrics of a live node parse as Prometheus text', () => {
    const fams = parsePrometheusTextFormat(B.metrics.toPrometheus())
    const by = new Map(fams.map(f => [f.name, f]))
    expect(by.get('hypermesh_stoq_peers_count')?.metrics[0].value).toBe(String(B.peers().length))
    expect(by.get('hypermesh_stoq_admissions_total')?.type).toBe('COUNTER')
    expect(Number(by.get('hypermesh_stoq_bytes_total')?.metrics.find(m => m.labels?.protocol === ECHO && m.labels.direction === 'in')?.value)).toBeGreaterThan(60_000)
  })
})
