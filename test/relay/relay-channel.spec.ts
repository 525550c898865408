/**
 * Donor frame channels through the edge relay running in workerd (Miniflare,
 * the `wrangler deploy --dry-run` bundle) on loopback: a node-side RelayLink
 * accepts sessions and hands each channel to its `acceptChannel`; donors
 * open them with browser-host/src/transport/relay.ts (Node 22's global
 * WebSocket). Frames up to megabytes cross byte-exact in both directions;
 * refusals (forged token, node absent, per-donor limit) are typed; a donor's
 * departure and the node's departure end the channels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openRelayChannel, relayTargetFromConfig, relayTargetFromQuery, RelayUnreachableError } from '../../browser-host/src/transport/relay.ts'
import { RelayLink } from '../../node-host/node/relay-link.ts'
import type { FrameChannel } from '../../edge-relay/src/channel.ts'
import { RelayClosedError, CLOSE } from '../../edge-relay/src/index.ts'
import { MAX_JOB_FRAME_BYTES } from '../../edge-relay/src/channel.ts'
import { createMetricsRegistry } from '../../ts/monitor/index.ts'
import { nodeIdOf, nodeIdToHex } from '../../ts/identity/index.ts'
import { testKeyPair } from '../fixtures/keys.ts'
import { wranglerDryRun, startRelay, until, removeDir, type RunningRelay, type DryRun } from '../edge-relay/_relay.ts'

const ROOM = 'relay-channel-test'
const NODE = testKeyPair(3)
const NODE_HEX = nodeIdToHex(nodeIdOf(NODE.publicKey))

let build: DryRun
let relay: RunningRelay
let link: RelayLink
const accepted: Array<{ channel: FrameChannel, peer: string }> = []
const logs: string[] = []

beforeAll(async () => {
  build = await wranglerDryRun()
  if (build.code !== 0) throw new Error(build.output)
  relay = await startRelay(build.outdir)
  link = new RelayLink(relay.url, {
    identity: NODE,
    meshId: ROOM,
    status: () => ({}),
    submit: () => 'not here',
    registry: createMetricsRegistry(),
    log: (l) => logs.push(l),
    // an echo service: every frame comes back reversed
    acceptChannel: (channel, peer) => {
      accepted.push({ channel, peer: nodeIdToHex(peer) })
      channel.onFrame((f) => { try { channel.send(f.slice().reverse()) } catch { /* closed */ } })
    }
  })
  link.start()
  await until(() => link.connected, 15_000, 'the node on the relay')
}, 120_000)
afterAll(async () => {
  await link?.stop()
  await relay?.dispose()
  if (build !== undefined) await removeDir(build.outdir)
}, 30_000)

function nextFrame (ch: FrameChannel, ms = 15_000): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no frame through the relay')), ms)
    ch.onFrame((f) => { clearTimeout(t); resolve(f) })
  })
}

describe('donor channels through the edge relay', () => {
  it('reads ?relay=&room=&node= and refuses incomplete or malformed ones', () => {
    expect(relayTargetFromQuery(`?relay=${encodeURIComponent('http://127.0.0.1:1')}&room=abc&node=${NODE_HEX.toUpperCase()}`)).toEqual({ relay: 'http://127.0.0.1:1', room: 'abc', node: NODE_HEX })
    expect(relayTargetFromQuery('?relay=x&room=abc')).toBeNull()
    expect(relayTargetFromQuery('?relay=x&room=abc&node=12')).toBeNull()
    expect(relayTargetFromConfig({ nodeId: NODE_HEX, websocket: 'ws://x/jobs/ws', webtransport: null, relay: { url: 'https://r.example', room: 'm' } })).toEqual({ relay: 'https://r.example', room: 'm', node: NODE_HEX })
    expect(relayTargetFromConfig({ nodeId: NODE_HEX, relay: null })).toBeNull()
    expect(relayTargetFromConfig({ nodeId: 'zz', relay: { url: 'https://r.example', room: 'm' } })).toBeNull()
    expect(relayTargetFromConfig('nope')).toBeNull()
  })

  it('a donor addressing the node by NodeId gets a channel (transport relay); 1 B to 8 MiB frames cross byte-exact both ways, paced under the relay\'s limits', async () => {
    const donor = testKeyPair(4)
    const ch = await openRelayChannel({ relay: relay.url, room: ROOM, node: NODE_HEX, keyPair: donor, keepAliveMs: 0 })
    expect(ch.transport).toBe('relay')
    const mine = accepted.at(-1)!
    expect(mine.peer).toBe(nodeIdToHex(nodeIdOf(donor.publicKey)))
    expect(mine.channel.transport).toBe('relay')
    expect(link.channels).toBe(1)
    const got: Uint8Array[] = []
    ch.onFrame((f) => got.push(f))
    // the largest job frame is more than the relay's burst: the pacer must hold chunks back, or the relay drops them
    const sizes = [1, 65_530, 65_531, MAX_JOB_FRAME_BYTES]
    const frames = sizes.map((n, i) => { const f = new Uint8Array(n); for (let j = 0; j < n; j++) f[j] = (j * 31 + i) & 0xff; return f })
    for (const f of frames) ch.send(f)
    await until(() => got.length === frames.length, 30_000, 'echoes')
    for (let i = 0; i < frames.length; i++) expect(Buffer.compare(got[i], frames[i].slice().reverse())).toBe(0)
    const h = await relay.health(ROOM)
    expect(h.room?.counters).toMatchObject({ droppedRate: 0, droppedOversized: 0, droppedMalformed: 0 })
    expect(h.room?.counters.relayedBytes).toBeGreaterThan(2 * MAX_JOB_FRAME_BYTES)

    const nodeSaw = new Promise<Error | undefined>((resolve) => { mine.channel.onClose(resolve) })
    ch.close()
    expect(await nodeSaw).toBeUndefined()
    await until(() => link.channels === 0, 5000, 'the node to forget the session')
  }, 60_000)

  it('a forged token is refused by the relay (4003) and the node never sees the donor', async () => {
    const before = accepted.length
    const forged = { publicKey: testKeyPair(5).publicKey, secretKey: testKeyPair(6).secretKey }
    const err = await openRelayChannel({ relay: relay.url, room: ROOM, node: NODE_HEX, keyPair: forged, keepAliveMs: 0 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RelayClosedError)
    expect((err as RelayClosedError).code).toBe(CLOSE.Forged)
    expect(accepted.length).toBe(before)
  })

  it('a node that is not in the room is unreachable (typed), as is a room the node is not in', async () => {
    const absent = nodeIdToHex(nodeIdOf(testKeyPair(7).publicKey))
    await expect(openRelayChannel({ relay: relay.url, room: ROOM, node: absent, keyPair: testKeyPair(8), keepAliveMs: 0 })).rejects.toBeInstanceOf(RelayUnreachableError)
    await expect(openRelayChannel({ relay: relay.url, room: 'other-room', node: NODE_HEX, keyPair: testKeyPair(8), keepAliveMs: 0 })).rejects.toThrow(/not in relay room/)
  })

  it('a node without a job service refuses the session (typed, with the reason); the acceptor can be set later', async () => {
    const acceptor = (channel: FrameChannel, peer: Uint8Array): void => {
      accepted.push({ channel, peer: nodeIdToHex(peer) })
      channel.onFrame((f) => { try { channel.send(f.slice().reverse()) } catch { /* closed */ } })
    }
    link.setChannelAcceptor(null)
    const err = await openRelayChannel({ relay: relay.url, room: ROOM, node: NODE_HEX, keyPair: testKeyPair(11), keepAliveMs: 0 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RelayUnreachableError)
    expect((err as Error).message).toMatch(/no job service/)
    link.setChannelAcceptor(acceptor)
    const ch = await openRelayChannel({ relay: relay.url, room: ROOM, node: NODE_HEX, keyPair: testKeyPair(11), keepAliveMs: 0 })
    const echo = nextFrame(ch)
    ch.send(new Uint8Array([4, 5]))
    expect(Array.from(await echo)).toEqual([5, 4])
    ch.close()
  })

  it('one channel per donor: a newer one (new socket, same NodeId) supersedes the older at both ends; the node leaving ends the donor\'s', async () => {
    const donor = testKeyPair(9)
    const first = await openRelayChannel({ relay: relay.url, room: ROOM, node: NODE_HEX, keyPair: donor, keepAliveMs: 0 })
    const firstNode = accepted.at(-1)!.channel
    const firstEnded = new Promise<Error | undefined>((resolve) => { first.onClose(resolve) })
    const firstNodeEnded = new Promise<Error | undefined>((resolve) => { firstNode.onClose(resolve) })
    const second = await openRelayChannel({ relay: relay.url, room: ROOM, node: NODE_HEX, keyPair: donor, keepAliveMs: 0 })
    expect((await firstEnded)?.message).toMatch(/4009|replaced/)
    expect((await firstNodeEnded)?.message).toMatch(/new relay channel/)
    expect(link.channels).toBe(1)
    const echo = nextFrame(second)
    second.send(new Uint8Array([1, 2, 3]))
    expect(Array.from(await echo)).toEqual([3, 2, 1])

    // the node goes away: the donor's channel ends with an error
    const donorSaw = new Promise<Error | undefined>((resolve) => { second.onClose(resolve) })
    await link.stop()
    expect(await donorSaw).toBeDefined()
    expect(() => second.send(new Uint8Array(1))).toThrow(expect.objectContaining({ name: 'ChannelClosedError' }))
    expect(logs.some((l) => /arrived/.test(l))).toBe(true)
    expect(logs.some((l) => /departed/.test(l))).toBe(true)
  }, 60_000)
})
