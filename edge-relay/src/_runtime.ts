/**
 * The few pieces of the Cloudflare Workers runtime the relay uses, typed here
 * so the repository's tsc needs no extra type package. Shapes follow
 * https://developers.cloudflare.com/durable-objects/ (WebSocket Hibernation
 * API, SQLite storage). At run time these are workerd's own objects.
 */

/** A workerd WebSocket: the web WebSocket plus accept() and attachments. */
export interface WorkerWebSocket extends WebSocket {
  accept (): void
  serializeAttachment (value: unknown): void
  deserializeAttachment (): unknown
}

export interface SqlCursor<T = Record<string, string | number | null | ArrayBuffer>> extends Iterable<T> {
  toArray (): T[]
  one (): T
}

export interface DurableObjectState {
  acceptWebSocket (ws: WorkerWebSocket, tags?: string[]): void
  getWebSockets (tag?: string): WorkerWebSocket[]
  setWebSocketAutoResponse (pair?: unknown): void
  readonly storage: {
    readonly sql: { exec: <T = Record<string, string | number | null | ArrayBuffer>>(query: string, ...bindings: unknown[]) => SqlCursor<T> }
  }
}

export interface DurableObjectStub { fetch (input: Request | string, init?: RequestInit): Promise<Response> }
export interface DurableObjectId { toString (): string }
export interface DurableObjectNamespace {
  idFromName (name: string): DurableObjectId
  get (id: DurableObjectId): DurableObjectStub
}

/** The Worker's bindings (wrangler.jsonc `durable_objects` and `vars`). */
export interface RelayEnv {
  ROOMS: DurableObjectNamespace
  RELAY_MSGS_PER_SEC?: string | number
  RELAY_MSG_BURST?: string | number
  RELAY_BYTES_PER_SEC?: string | number
  RELAY_BYTE_BURST?: string | number
  RELAY_MAX_STRIKES?: string | number
}

interface WebSocketPairCtor { new (): { 0: WorkerWebSocket, 1: WorkerWebSocket } }
interface AutoResponseCtor { new (request: string, response: string): unknown }

/** workerd globals, looked up at call time (they do not exist in Node). */
export function newWebSocketPair (): [WorkerWebSocket, WorkerWebSocket] {
  const Pair = (globalThis as unknown as { WebSocketPair: WebSocketPairCtor }).WebSocketPair
  const p = new Pair()
  return [p[0], p[1]]
}

export function newAutoResponse (request: string, response: string): unknown {
  const Ctor = (globalThis as unknown as { WebSocketRequestResponsePair: AutoResponseCtor }).WebSocketRequestResponsePair
  return new Ctor(request, response)
}

/** A 101 response handing `client` to the caller (workerd's Response accepts `webSocket`). */
export function upgradeResponse (client: WorkerWebSocket): Response {
  return new Response(null, { status: 101, webSocket: client } as ResponseInit)
}
