/**
 * A real node (HyperMeshNode started with `relay`, as `hypermesh up --relay
 * URL` does) against the relay in workerd: a donor that knows only the relay,
 * the room (chain id) and the node's NodeId gets a channel handed to
 * whatever takes channels at the node (here an echo in place of the job
 * service, set with node.relay.setChannelAcceptor); without one the OPEN is
 * refused with the reason. The donor sees the node depart when it stops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { HyperMeshNode } from '../../node-host/node/node.ts'
import { openRelayChannel, RelayUnreachableError } from '../../browser-host/src/transport/relay.ts'
import { toHex } from '../../ts/ledger/index.ts'
import { nodeIdOf } from '../../ts/identity/index.ts'
import { testKeyPair } from '../fixtures/keys.ts'
import { wranglerDryRun, startRelay, until, removeDir, type RunningRelay, type DryRun } from '../edge-relay/_relay.ts'

let build: DryRun
let relay: RunningRelay
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hm-relay-node-'))
  build = await wranglerDryRun()
  if (build.code !== 0) throw new Error(build.output)
  relay = await startRelay(build.outdir)
}, 120_000)
afterAll(async () => {
  await relay?.dispose()
  if (build !== undefined) await removeDir(build.outdir)
  await rm(dir, { recursive: true, force: true })
}, 30_000)

describe('a node reachable for donors through the relay', () => {
  it('hands a donor\'s relay channel to its acceptor, refuses without one, and its departure ends the channel', async () => {
    const node = await HyperMeshNode.start({ dataDir: dir, dev: true, http: null, txIntervalMs: 0, relay: relay.url })
    try {
      const room = node.genesis.chainId
      const nodeHex = toHex(node.nodeId)
      await until(() => node.relay?.connected === true, 15_000, 'the node on the relay')
      const donor = testKeyPair(12)

      node.relay!.setChannelAcceptor(null)
      await expect(openRelayChannel({ relay: relay.url, room, node: nodeHex, keyPair: donor, keepAliveMs: 0 })).rejects.toSatisfy((e: unknown) => e instanceof RelayUnreachableError && /no job service/.test((e as Error).message))

      const peers: string[] = []
      node.relay!.setChannelAcceptor((ch, peer) => {
        peers.push(toHex(peer))
        ch.onFrame((f) => { ch.send(Uint8Array.from([f.length & 0xff, ...f])) })
      })
      const ch = await openRelayChannel({ relay: relay.url, room, node: nodeHex, keyPair: donor, keepAliveMs: 0 })
      const got = new Promise<Uint8Array>((resolve) => { ch.onFrame(resolve) })
      ch.send(new Uint8Array([9, 9, 9]))
      expect(Array.from(await got)).toEqual([3, 9, 9, 9])
      expect(peers).toEqual([toHex(nodeIdOf(donor.publicKey))])
      expect(node.relay!.channels).toBe(1)

      const ended = new Promise<Error | undefined>((resolve) => { ch.onClose(resolve) })
      await node.stop()
      const err = await ended
      expect(err).toBeDefined()
      expect(err!.message).toMatch(/node stopping|left the relay room/)
    } finally {
      await node.stop()
    }
  }, 90_000)
})
