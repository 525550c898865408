// The WebTransport gateway, run by Deno (node-host/webtransport/gateway.ts
// starts and supervises it): browsers open a WebTransport session here and
// one bidirectional stream carrying u32 big-endian length-prefixed frames;
// each session is bridged to the node's /jobs/ws WebSocket, one frame per
// message. Deno's streams from upgradeWebTransport never signal end of
// stream, so nothing here waits for one: a session ends when the browser's
// session closes or the node's socket does.
//
//   deno run --unstable-net --allow-net=127.0.0.1 --allow-read=DIR gateway.deno.js PORT CERT KEY UPSTREAM
const MAX_FRAME = 8 * 1024 * 1024
const [portArg, certFile, keyFile, upstream] = Deno.args
if (upstream === undefined) { console.error('usage: gateway.deno.js PORT CERT_PEM KEY_PEM ws://127.0.0.1:PORT/jobs/ws?via=webtransport'); Deno.exit(2) }
const cert = await Deno.readTextFile(certFile)
const key = await Deno.readTextFile(keyFile)
const endpoint = new Deno.QuicEndpoint({ hostname: '127.0.0.1', port: Number(portArg) })
const listener = endpoint.listen({ cert, key, alpnProtocols: ['h3'] })
console.log(`READY ${endpoint.addr.port}`)
let sessions = 0

async function bridge (conn) {
  const wt = await Deno.upgradeWebTransport(conn)
  await wt.ready
  const incoming = wt.incomingBidirectionalStreams.getReader()
  const { value: stream, done } = await incoming.read()
  if (done || stream === undefined) { wt.close(); return }
  const ws = new WebSocket(upstream)
  ws.binaryType = 'arraybuffer'
  const writer = stream.writable.getWriter()
  let closed = false
  const end = (why) => {
    if (closed) return
    closed = true
    sessions--
    try { ws.close(1000, why) } catch { /* closing */ }
    try { wt.close({ closeCode: 0, reason: why }) } catch { /* closed */ }
  }
  sessions++
  const opened = new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error('the node refused the WebSocket')) })
  ws.onmessage = (ev) => {
    const f = new Uint8Array(ev.data)
    const out = new Uint8Array(4 + f.length)
    new DataView(out.buffer).setUint32(0, f.length)
    out.set(f, 4)
    writer.write(out).catch(() => end('browser stream failed'))
  }
  ws.onclose = () => end('node closed')
  wt.closed.then(() => end('browser left'), () => end('browser session failed'))
  try { await opened } catch (err) { end(err.message); return }
  const reader = stream.readable.getReader()
  let buf = new Uint8Array(0)
  try {
    while (!closed) {
      const { value, done } = await reader.read()
      if (done) break
      const next = new Uint8Array(buf.length + value.length)
      next.set(buf); next.set(value, buf.length); buf = next
      while (buf.length >= 4) {
        const n = new DataView(buf.buffer, buf.byteOffset, 4).getUint32(0)
        if (n > MAX_FRAME) { end(`frame of ${n} bytes exceeds ${MAX_FRAME}`); return }
        if (buf.length < 4 + n) break
        ws.send(buf.slice(4, 4 + n))
        buf = buf.slice(4 + n)
      }
    }
  } catch { /* the session ended */ }
  end('stream ended')
}

for (;;) {
  let conn
  try { conn = await listener.accept() } catch (err) { console.error(`accept failed: ${err.message}`); break }
  bridge(conn).catch((err) => { console.error(`session failed: ${err?.message ?? err}`) })
}
