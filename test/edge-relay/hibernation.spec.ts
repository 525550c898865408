/**
 * Hibernation does not lose peers: workerd evicts an idle Durable Object
 * after about 10 s (measured here: between 8 and 12 s); hibernatable sockets
 * stay connected and the room is rebuilt from their tags and attachments.
 * The `generation` counter (one per construction of the room) proves the
 * object really was evicted and constructed again.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest'
import { connect, createJoinToken } from '../../edge-relay/src/index.ts'
import type { RelayClient } from '../../edge-relay/src/index.ts'
import { nodeIdOf, nodeIdToHex } from '../../ts/identity/index.ts'
import { testKeyPair } from '../fixtures/keys.ts'
import { wranglerDryRun, startRelay, removeDir, until } from './_relay.ts'
import type { DryRun, RunningRelay } from './_relay.ts'

let build: DryRun
let relay: RunningRelay
beforeAll(async () => {
  build = await wranglerDryRun()
  expect(build.code, build.output).toBe(0)
  relay = await startRelay(build.outdir)
}, 90_000)
afterAll(async () => {
  await relay?.dispose()
  if (build !== undefined) await removeDir(build.outdir)
})

const hex = (i: number): string => nodeIdToHex(nodeIdOf(testKeyPair(i).publicKey))
const join = async (i: number, room: string): Promise<RelayClient> =>
  // keep-alive pings every 2 s are answered by the runtime and must not keep the room awake
  await connect(relay.url, room, createJoinToken(testKeyPair(i), room), { timeoutMs: 5000, keepAliveMs: 2000 })

describe('edge relay hibernation', () => {
  it('peers, routing and departures survive the room being evicted and rebuilt', async () => {
    const room = 'sleepy'
    const a = await join(0, room)
    const b = await join(1, room)
    const fromA: Uint8Array[] = []
    const departed: string[] = []
    b.on('message', (_from, p) => { fromA.push(p.slice()) })
    b.on('departure', (id) => { departed.push(nodeIdToHex(id)) })
    a.send(hex(1), new Uint8Array([1]))
    await until(() => fromA.length === 1, 5000, 'first delivery')
    const g0 = (await relay.health(room)).room?.counters.generation ?? 0

    // idle (no frames, no room requests) until workerd evicts the room, bounded
    await new Promise((resolve) => setTimeout(resolve, 13_000))

    a.send(hex(1), new Uint8Array([2, 2]))
    await until(() => fromA.length === 2, 5000, 'delivery after hibernation')
    expect(fromA[1]).toEqual(new Uint8Array([2, 2]))
    const h = await relay.health(room)
    expect(h.room?.counters.generation).toBeGreaterThan(g0)
    expect(h.room?.peers).toBe(2)
    expect(h.room?.counters.joins).toBe(2)

    // a newcomer's WELCOME lists both hibernated peers
    const c = await join(2, room)
    expect(c.peers).toEqual(new Set([hex(0), hex(1)]))
    await a.close()
    await until(() => departed.includes(hex(0)), 5000, 'departure after hibernation')
    await b.close(); await c.close()
  }, 40_000)
})
