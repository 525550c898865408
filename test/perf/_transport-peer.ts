/**
 * The receiving side of the transport benchmark, in its own process (so
 * sender and receiver each have a core, as two hosts would): a stoq node with
 * a bulk sink and an echo protocol, and raw node:net servers doing the same.
 * Prints one JSON line {stoq, rawSink, rawEcho}; exits when stdin closes or
 * on SIGTERM.
 */
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { createStoq } from '../../ts/stoq/index.ts'
import type { FramedContext } from '../../ts/stoq/index.ts'
import { benchBindingAuthority } from '../stoq/_binding.ts'
import { RegionStore } from '../../node-host/mem/regions.ts'
import { createMemHandler } from '../../node-host/mem/server.ts'
import { MEM_PROTOCOL } from '../../node-host/mem/client.ts'
import { MAX_MEM_CHUNK } from '../../node-host/mem/protocol.ts'
import { testKeyPair } from '../fixtures/keys.ts'
import { BENCH_ASSET, BENCH_REGION_BYTES } from './_peer-region.ts'

const BULK = '/hypermesh/bench-bulk/1.0.0'
const ECHO = '/hypermesh/bench-echo/1.0.0'
const MiB = 1024 * 1024
const UNLIMITED = { messagesPerSecond: 1e7, burstMessages: 1e7, bytesPerSecond: 1e12, burstBytes: 1e12 }

const b = createStoq({ binding: benchBindingAuthority(1), probeOnConnect: false, listen: ['/ip4/127.0.0.1/tcp/0'], peerRateLimit: UNLIMITED })
const counts = new WeakMap<FramedContext, number>()
await b.handleFramed(BULK, (msg, ctx) => {
  if (msg.length > 0) { counts.set(ctx, (counts.get(ctx) ?? 0) + msg.length); return }
  const ack = new Uint8Array(8)
  new DataView(ack.buffer).setBigUint64(0, BigInt(counts.get(ctx) ?? 0))
  counts.set(ctx, 0)
  return ack
}, { maxMessageBytes: 4 * MiB, rateLimit: UNLIMITED })
await b.handleFramed(ECHO, (msg) => msg, { rateLimit: UNLIMITED })
const regions = new RegionStore(BENCH_REGION_BYTES)
regions.allocate(BENCH_ASSET, BENCH_REGION_BYTES)
await b.handleFramed(MEM_PROTOCOL, createMemHandler({ regions, publicKey: testKeyPair(1).publicKey }), { maxMessageBytes: MAX_MEM_CHUNK + 64, rateLimit: UNLIMITED })
await b.start()

// Raw sink: counts what arrives and answers the 8-byte count when the sender half-closes.
const sink = net.createServer((sock) => {
  let got = 0
  sock.on('data', (d: Buffer) => { got += d.length })
  sock.on('end', () => { const ack = Buffer.alloc(8); ack.writeBigUInt64BE(BigInt(got)); sock.end(ack) })
  sock.on('error', () => {})
})
const echo = net.createServer((sock) => { sock.setNoDelay(true); sock.on('data', (d) => sock.write(d)); sock.on('error', () => {}) })
await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve))
await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve))

process.stdout.write(JSON.stringify({ stoq: b.addresses()[0], rawSink: (sink.address() as AddressInfo).port, rawEcho: (echo.address() as AddressInfo).port }) + '\n')

const stop = async (): Promise<void> => {
  sink.close(); echo.close()
  await b.stop().catch(() => {})
  process.exit(0)
}
process.stdin.on('end', () => { void stop() })
process.stdin.on('close', () => { void stop() })
process.stdin.resume()
process.on('SIGTERM', () => { void stop() })
