/**
 * HyperMesh edge relay: the client, join tokens and the frame codec for
 * code outside the Worker (node-host, the donate page). The Worker itself is
 * src/worker.ts (deployed with wrangler.jsonc).
 *
 * @example
 * ```ts
 * import { connect, createJoinToken } from './edge-relay/src/index.ts'
 * const relay = await connect('wss://relay.example', meshId, createJoinToken(keys, meshId))
 * relay.on('message', (from, payload) => handle(from, payload))
 * relay.send(peerId, bytes)
 * ```
 * @module
 */
export { connect, roomUrl, RelayClosedError } from './client.ts'
export type { RelayClient, RelayEvents, ConnectOptions } from './client.ts'
export {
  createJoinToken, encodeJoinToken, decodeJoinToken, joinTokenToString, joinTokenFromString, checkJoinToken,
  joinTokenSignBytes, toBase64Url, fromBase64Url, MAX_JOIN_TOKEN_BYTES
} from './token.ts'
export type { JoinToken, JoinTokenVerdict, CreateJoinTokenOptions } from './token.ts'
export {
  decodeFrame, encodeFrame, encodeSend, encodeDeliver, encodeWelcome, encodeArrived, encodeDeparted, encodeUndeliverable
} from './frame.ts'
export type { RelayFrame } from './frame.ts'
export * from './constants.ts'
