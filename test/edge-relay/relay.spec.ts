/**
 * The relay Worker in workerd (Miniflare) over real loopback WebSockets,
 * built by `wrangler deploy --dry-run` exactly as it would be deployed.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { existsSync } from 'node:fs'
import path from 'node:path'
import {
  connect, roomUrl, createJoinToken, joinTokenToString, encodeJoinToken, toBase64Url, decodeFrame, encodeSend,
  CLOSE, FRAME, MAX_FRAME_BYTES, MAX_PAYLOAD_BYTES, NODE_ID_BYTES
} from '../../edge-relay/src/index.ts'
import type { RelayClient, RelayFrame } from '../../edge-relay/src/index.ts'
import { nodeIdOf, nodeIdToHex } from '../../ts/identity/index.ts'
import { testKeyPair } from '../fixtures/keys.ts'
import { wranglerDryRun, startRelay, removeDir, until } from './_relay.ts'
import type { DryRun, RunningRelay } from './_relay.ts'

const key = (i: number) => testKeyPair(i)
const idOf = (i: number): Uint8Array => nodeIdOf(key(i).publicKey)
const hexOf = (i: number): string => nodeIdToHex(idOf(i))
const join = async (relay: RunningRelay, i: number, meshId: string): Promise<RelayClient> =>
  await connect(relay.url, meshId, createJoinToken(key(i), meshId), { timeoutMs: 5000, keepAliveMs: 0 })

/** Collects what a client receives. */
function recorder (c: RelayClient): { messages: Array<{ from: string, payload: Uint8Array }>, arrivals: string[], departures: string[], undeliverable: string[] } {
  const r = { messages: [] as Array<{ from: string, payload: Uint8Array }>, arrivals: [] as string[], departures: [] as string[], undeliverable: [] as string[] }
  c.on('message', (from, payload) => { r.messages.push({ from: nodeIdToHex(from), payload: payload.slice() }) })
  c.on('arrival', (id) => { r.arrivals.push(nodeIdToHex(id)) })
  c.on('departure', (id) => { r.departures.push(nodeIdToHex(id)) })
  c.on('undeliverable', (id) => { r.undeliverable.push(nodeIdToHex(id)) })
  return r
}

/** A raw WebSocket peer (to send what the client library never would). */
interface RawPeer { ws: WebSocket, frames: RelayFrame[], closed: Promise<{ code: number, reason: string }> }
async function rawJoin (relay: RunningRelay, i: number, meshId: string): Promise<RawPeer> {
  const ws = new WebSocket(roomUrl(relay.url, meshId, createJoinToken(key(i), meshId)))
  ws.binaryType = 'arraybuffer'
  const frames: RelayFrame[] = []
  const closed = new Promise<{ code: number, reason: string }>((resolve) => ws.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason })))
  ws.addEventListener('message', (e) => { if (typeof e.data !== 'string') frames.push(decodeFrame(new Uint8Array(e.data as ArrayBuffer))) })
  await until(() => frames.some((f) => f.type === 'welcome'), 5000, 'WELCOME')
  return { ws, frames, closed }
}

const refusal = async (p: Promise<unknown>): Promise<{ name: string, code: number, reason: string }> => {
  try { await p } catch (err) { const e = err as { name: string, code: number, reason: string }; return { name: e.name, code: e.code, reason: e.reason } }
  throw new Error('expected the relay to refuse')
}

let build: DryRun
let relay: RunningRelay

beforeAll(async () => {
  build = await wranglerDryRun()
  relay = await startRelay(build.outdir)
}, 90_000)

afterAll(async () => {
  await relay?.dispose()
  if (build !== undefined) await removeDir(build.outdir)
})

describe('edge relay in workerd', () => {
  it('wrangler deploy --dry-run builds the Worker offline', () => {
    expect(build.code, build.output).toBe(0)
    expect(existsSync(path.join(build.outdir, 'worker.js'))).toBe(true)
    expect(build.output).toMatch(/env\.ROOMS \(RelayRoom\)\s+Durable Object/)
  })

  it('routes: /health JSON, 404 JSON elsewhere, 426 without upgrade, 400 for a bad mesh id', async () => {
    const h = await relay.health()
    expect(h.ok).toBe(true)
    expect(h.limits.maxFrameBytes).toBe(MAX_FRAME_BYTES)
    const nf = await fetch(`${relay.url}/nope`)
    expect(nf.status).toBe(404)
    expect(await nf.json()).toEqual({ error: 'not found' })
    expect((await fetch(`${relay.url}/room/m1`)).status).toBe(426)
    expect((await fetch(`${relay.url}/room/${'x'.repeat(65)}`)).status).toBe(400)
    expect((await fetch(`${relay.url}/health?room=bad%20room`)).status).toBe(400)
  })

  it('three peers: arrivals, byte-exact delivery to the addressed peer only, undeliverable, departures', async () => {
    const room = 'three'
    const a = await join(relay, 0, room); const ra = recorder(a)
    const b = await join(relay, 1, room); const rb = recorder(b)
    expect(b.peers).toEqual(new Set([hexOf(0)]))
    const c = await join(relay, 2, room); const rc = recorder(c)
    expect(a.nodeId).toEqual(idOf(0))
    expect(c.peers).toEqual(new Set([hexOf(0), hexOf(1)]))
    await until(() => ra.arrivals.length === 2 && rb.arrivals.length === 1, 5000, 'arrivals')
    expect(ra.arrivals).toEqual([hexOf(1), hexOf(2)])
    expect(rb.arrivals).toEqual([hexOf(2)])

    const payloads = [new Uint8Array(0), new Uint8Array([0, 255, 1]), crypto.getRandomValues(new Uint8Array(4096)),
      new Uint8Array(MAX_PAYLOAD_BYTES).map((_, i) => (i * 31 + 7) & 0xff)]
    for (const p of payloads) a.send(idOf(1), p)
    c.send(hexOf(1), new Uint8Array([42]))
    b.send(idOf(0), new Uint8Array([1, 2, 3, 4]))
    await until(() => rb.messages.length === 5 && ra.messages.length === 1, 5000, 'deliveries')
    // in order per sender; senders interleave
    expect(rb.messages.filter((m) => m.from === hexOf(0))).toEqual(payloads.map((payload) => ({ from: hexOf(0), payload })))
    expect(rb.messages.filter((m) => m.from === hexOf(2))).toEqual([{ from: hexOf(2), payload: new Uint8Array([42]) }])
    expect(ra.messages).toEqual([{ from: hexOf(1), payload: new Uint8Array([1, 2, 3, 4]) }])
    expect(rc.messages).toEqual([])

    a.send(idOf(9), new Uint8Array([1]))
    await until(() => ra.undeliverable.length === 1, 5000, 'undeliverable')
    expect(ra.undeliverable).toEqual([hexOf(9)])

    expect(await b.close()).toMatchObject({ code: 1000 })
    await until(() => ra.departures.length === 1 && rc.departures.length === 1, 5000, 'departures')
    expect(ra.departures).toEqual([hexOf(1)])
    expect(a.peers).toEqual(new Set([hexOf(2)]))
    const h = await relay.health(room)
    expect(h.room?.peers).toBe(2)
    expect(h.room?.counters).toMatchObject({ joins: 3, departures: 1, relayedFrames: 6, undeliverable: 1, relayedBytes: 3 + 4096 + MAX_PAYLOAD_BYTES + 1 + 4 })
    await a.close(); await c.close()
  })

  it('rooms are isolated: a peer in another room is not reachable nor announced', async () => {
    const a = await join(relay, 3, 'iso-1'); const ra = recorder(a)
    const b = await join(relay, 4, 'iso-2'); const rb = recorder(b)
    expect(b.peers.size).toBe(0)
    a.send(idOf(4), new Uint8Array([5]))
    await until(() => ra.undeliverable.length === 1, 5000, 'undeliverable')
    expect(rb.messages).toEqual([])
    expect(ra.arrivals).toEqual([])
    await a.close(); await b.close()
  })

  it('refuses missing, malformed, forged, expired, over-long, wrong-room and replayed tokens with their close codes', async () => {
    const room = 'admit'
    const k = key(5)
    const before = (await relay.health()).isolate.refused
    const opts = { timeoutMs: 5000, keepAliveMs: 0 }
    expect(await refusal(connect(relay.url, room, '', opts))).toMatchObject({ name: 'RelayClosedError', code: CLOSE.BadToken })
    expect(await refusal(connect(relay.url, room, 'AAAA', opts))).toMatchObject({ code: CLOSE.BadToken, reason: 'malformed join token' })
    const good = createJoinToken(k, room)
    const sig = good.signature.slice(); sig[40] ^= 0x10
    expect(await refusal(connect(relay.url, room, { ...good, signature: sig }, opts))).toMatchObject({ code: CLOSE.Forged, reason: 'join token does not verify' })
    // claims key 6's NodeId with key 5's signature
    expect(await refusal(connect(relay.url, room, { ...good, nodeId: idOf(6) }, opts))).toMatchObject({ code: CLOSE.Forged })
    const expired = createJoinToken(k, room, { now: Date.now() - 120_000, ttlMs: 60_000 })
    expect(await refusal(connect(relay.url, room, expired, opts))).toMatchObject({ code: CLOSE.Expired, reason: 'join token expired' })
    const tooLong = createJoinToken(k, room, { now: Date.now() + 60_000, ttlMs: 5 * 60_000 })
    expect(await refusal(connect(relay.url, room, tooLong, opts))).toMatchObject({ code: CLOSE.Expired })
    expect(await refusal(connect(relay.url, 'admit-other', good, opts))).toMatchObject({ code: CLOSE.WrongRoom, reason: 'join token is for another mesh' })
    // a token bigger than any valid one is refused before decoding
    expect(await refusal(connect(relay.url, room, toBase64Url(new Uint8Array(encodeJoinToken(good).length + 100)), opts))).toMatchObject({ code: CLOSE.BadToken })

    const c = await connect(relay.url, room, joinTokenToString(good), opts)
    expect(await refusal(connect(relay.url, room, good, opts))).toMatchObject({ code: CLOSE.Replayed, reason: 'join token already used' })
    expect(c.peers.size).toBe(0)
    await c.close()
    const after = (await relay.health()).isolate.refused
    expect(after.badToken - before.badToken).toBe(3)
    expect(after.forged - before.forged).toBe(2)
    expect(after.expired - before.expired).toBe(2)
    expect(after.wrongRoom - before.wrongRoom).toBe(1)
    expect((await relay.health(room)).room?.counters.refusedReplay).toBe(1)
  })

  it('a second socket of the same NodeId replaces the first without a departure', async () => {
    const room = 'replace'
    const a = await join(relay, 7, room); const ra = recorder(a)
    const b1 = await rawJoin(relay, 8, room)
    const b2 = await join(relay, 8, room); const rb2 = recorder(b2)
    // The close frame (4009) reaches b1 at once; workerd local drops the TCP
    // connection (and so fires 'close') only when the room is next evicted.
    await until(() => b1.ws.readyState === WebSocket.CLOSING || b1.ws.readyState === WebSocket.CLOSED, 5000, 'b1 closing')
    expect(b2.peers).toEqual(new Set([hexOf(7)]))
    a.send(idOf(8), new Uint8Array([8]))
    await until(() => rb2.messages.length === 1, 5000, 'delivery to the new socket')
    expect(ra.departures).toEqual([])
    expect(a.peers).toEqual(new Set([hexOf(8)]))
    expect((await relay.health(room)).room?.counters).toMatchObject({ replaced: 1, joins: 3, departures: 0 })
    await a.close(); await b2.close()
  })

  it('drops and counts oversized and malformed frames; the sender stays while under the strike limit', async () => {
    const room = 'junk'
    const p = await rawJoin(relay, 9, room)
    const q = await join(relay, 10, room); const rq = recorder(q)
    const send = (b: Uint8Array | string): void => { p.ws.send(b) }
    send(new Uint8Array(MAX_FRAME_BYTES + 1).fill(FRAME.Send)) // oversized
    send('not a frame') // text
    send(new Uint8Array([0x7f, ...idOf(10)])) // unknown type
    send(new Uint8Array([FRAME.Send, 1, 2, 3])) // truncated SEND
    send(new Uint8Array([FRAME.Deliver, ...idOf(10), 1])) // DELIVER is relay → peer only
    send(encodeSend(idOf(10), new Uint8Array([77])))
    await until(() => rq.messages.length === 1, 5000, 'the good frame')
    expect(rq.messages).toEqual([{ from: hexOf(9), payload: new Uint8Array([77]) }])
    const h = await relay.health(room)
    expect(h.room?.counters).toMatchObject({ droppedOversized: 1, droppedMalformed: 4, relayedFrames: 1, abuseClosed: 0 })
    expect(p.ws.readyState).toBe(WebSocket.OPEN)
    p.ws.close(); await q.close()
  })

  it('keep-alive ping is answered with pong', async () => {
    const p = await rawJoin(relay, 11, 'ping')
    const pong = new Promise<string>((resolve) => p.ws.addEventListener('message', (e) => { if (typeof e.data === 'string') resolve(e.data) }))
    p.ws.send('ping')
    expect(await Promise.race([pong, new Promise((resolve) => setTimeout(() => resolve('timeout'), 5000))])).toBe('pong')
    p.ws.close()
  })
})

describe('edge relay limits (strict RELAY_* vars)', () => {
  let strict: RunningRelay
  beforeAll(async () => {
    strict = await startRelay(build.outdir, { RELAY_MSGS_PER_SEC: '50', RELAY_MSG_BURST: '50', RELAY_MAX_STRIKES: '20' })
  }, 30_000)
  afterAll(async () => { await strict?.dispose() })

  it('a flooding socket is rate limited, then closed, while the others keep working', async () => {
    const room = 'flood'
    const a = await join(strict, 12, room); const ra = recorder(a)
    const b = await join(strict, 13, room); const rb = recorder(b)
    const f = await rawJoin(strict, 14, room)
    const frame = encodeSend(idOf(12), new Uint8Array(64))
    for (let i = 0; i < 400 && f.ws.readyState === WebSocket.OPEN; i++) f.ws.send(frame)
    const closed = await Promise.race([f.closed, new Promise<{ code: number, reason: string }>((resolve) => setTimeout(() => resolve({ code: -1, reason: 'timeout' }), 10_000))])
    expect(closed.code).toBe(CLOSE.Abuse)
    expect(closed.reason).toMatch(/dropped frames/)
    await until(() => ra.departures.includes(hexOf(14)) && rb.departures.includes(hexOf(14)), 5000, 'the flooder departs')
    const relayedToA = ra.messages.length
    expect(relayedToA).toBeGreaterThanOrEqual(50)
    expect(relayedToA).toBeLessThan(400)
    // the others still talk, both ways
    a.send(idOf(13), new Uint8Array([1])); b.send(idOf(12), new Uint8Array([2]))
    await until(() => rb.messages.length === 1 && ra.messages.length === relayedToA + 1, 5000, 'traffic after the flood')
    const h = await strict.health(room)
    expect(h.limits.msgsPerSec).toBe(50)
    expect(h.room?.counters.abuseClosed).toBe(1)
    expect(h.room?.counters.droppedRate).toBeGreaterThanOrEqual(19)
    expect(h.room?.peers).toBe(2)
    await a.close(); await b.close()
  })
})

expect(NODE_ID_BYTES).toBe(32)
