/**
 * A minimal RFC 6455 WebSocket echo server on node:http (loopback), the
 * "direct WebSocket between the same two peers" baseline for the relay
 * benchmark. Binary and text frames up to 1 MiB are echoed unmasked;
 * close is answered; fragmented or larger frames close the connection.
 */
import http from 'node:http'
import type { Duplex } from 'node:stream'
import { createHash } from 'node:crypto'

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
const MAX = 1 << 20

function header (opcode: number, len: number): Buffer {
  if (len < 126) return Buffer.from([0x80 | opcode, len])
  if (len < 65536) { const h = Buffer.alloc(4); h[0] = 0x80 | opcode; h[1] = 126; h.writeUInt16BE(len, 2); return h }
  const h = Buffer.alloc(10); h[0] = 0x80 | opcode; h[1] = 127; h.writeBigUInt64BE(BigInt(len), 2); return h
}

function serve (sock: Duplex): void {
  let buf: Buffer = Buffer.alloc(0)
  sock.on('data', (d: Buffer) => {
    buf = buf.length === 0 ? d : Buffer.concat([buf, d])
    for (;;) {
      if (buf.length < 2) return
      const fin = (buf[0] & 0x80) !== 0
      const opcode = buf[0] & 0x0f
      const masked = (buf[1] & 0x80) !== 0
      let len = buf[1] & 0x7f
      let off = 2
      if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); off = 4 } else if (len === 127) {
        if (buf.length < 10) return
        const big = buf.readBigUInt64BE(2)
        if (big > BigInt(MAX)) { sock.destroy(); return }
        len = Number(big); off = 10
      }
      if (!fin || !masked || len > MAX) { sock.destroy(); return }
      if (buf.length < off + 4 + len) return
      const mask = buf.subarray(off, off + 4)
      const payload = Buffer.from(buf.subarray(off + 4, off + 4 + len))
      for (let i = 0; i < len; i++) payload[i] ^= mask[i & 3]
      buf = buf.subarray(off + 4 + len)
      if (opcode === 0x8) { sock.end(Buffer.concat([header(0x8, payload.length), payload])); return }
      if (opcode === 0x9) { sock.write(Buffer.concat([header(0xa, payload.length), payload])); continue }
      if (opcode === 0x1 || opcode === 0x2) sock.write(Buffer.concat([header(opcode, len), payload]))
    }
  })
  sock.on('error', () => { sock.destroy() })
}

export interface EchoServer { url: string, close: () => Promise<void> }

export async function startWsEcho (): Promise<EchoServer> {
  const sockets = new Set<Duplex>()
  const server = http.createServer((_req, res) => { res.writeHead(426).end() })
  server.on('upgrade', (req, sock: Duplex) => {
    const key = req.headers['sec-websocket-key']
    if (typeof key !== 'string') { sock.destroy(); return }
    const accept = createHash('sha1').update(key + GUID).digest('base64')
    sock.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`)
    sockets.add(sock)
    sock.on('close', () => sockets.delete(sock))
    serve(sock)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as { port: number }).port
  return {
    url: `ws://127.0.0.1:${port}`,
    close: async () => { for (const s of sockets) s.destroy(); await new Promise((resolve) => server.close(resolve)) }
  }
}
