/** The donate page's WebSocket transport: one binary message per frame, to the node's `/jobs/ws`. */
import { webSocketChannel, type FrameChannel, type WebSocketLike } from '../../../ts/jobs/channel.ts'

/** Opens `url` and resolves with its FrameChannel once open; rejects after `timeoutMs` or on error. */
export async function openWebSocketChannel (url: string, timeoutMs = 10_000): Promise<FrameChannel> {
  const ws = new WebSocket(url)
  ws.binaryType = 'arraybuffer'
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => { ws.close(); reject(new Error(`no WebSocket connection to ${url} within ${timeoutMs} ms`)) }, timeoutMs)
    ws.addEventListener('open', () => { clearTimeout(t); resolve() })
    ws.addEventListener('error', () => { clearTimeout(t); reject(new Error(`WebSocket to ${url} failed`)) })
  })
  return webSocketChannel(ws as unknown as WebSocketLike, 'websocket')
}
