/** Relay client behaviour that needs no relay: admission timeout, abort, refusal before admission. */
import { describe, it, expect, afterEach } from 'vitest'
import net from 'node:net'
import { connect, createJoinToken } from '../../edge-relay/src/index.ts'
import { testKeyPair } from '../fixtures/keys.ts'

const servers: net.Server[] = []
const sockets: net.Socket[] = []
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy()
  await Promise.all(servers.splice(0).map(async (s) => await new Promise((resolve) => s.close(resolve))))
})

/** A loopback TCP server that accepts and never answers the upgrade. */
async function silentServer (): Promise<string> {
  const server = net.createServer((s) => { sockets.push(s) })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}`
}

const token = createJoinToken(testKeyPair(0), 'm')

describe('relay client', () => {
  it('gives up with AbortError when the relay does not admit in time', async () => {
    const url = await silentServer()
    const t0 = Date.now()
    await expect(connect(url, 'm', token, { timeoutMs: 300 })).rejects.toMatchObject({ name: 'AbortError' })
    expect(Date.now() - t0).toBeLessThan(5000)
  })

  it('stops on its AbortSignal', async () => {
    const url = await silentServer()
    const ac = new AbortController()
    const p = connect(url, 'm', token, { signal: ac.signal, timeoutMs: 5000 })
    setTimeout(() => ac.abort(), 50)
    await expect(p).rejects.toMatchObject({ name: 'AbortError' })
    await expect(connect(url, 'm', token, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('rejects with RelayClosedError when the connection fails before admission', async () => {
    const server = net.createServer((s) => {
      sockets.push(s)
      s.once('data', () => { s.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n') })
    })
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
    const url = `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}`
    await expect(connect(url, 'm', token, { timeoutMs: 5000 })).rejects.toMatchObject({ name: 'RelayClosedError', code: 1006 })
  })
})
