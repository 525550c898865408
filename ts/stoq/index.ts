/**
 * stoq: HyperMesh's transport on libp2p 3. TCP + noise + yamux between
 * hosts, WebSockets for browsers, identify, ping and gossipsub; every
 * connection must present a FALCON-signed identity binding or is dropped;
 * versioned length-framed protocols (`/hypermesh/<name>/<major>.0.0`) with
 * size bounds, deadlines and per-peer / per-protocol rate limits (throttle,
 * then disconnect); link probes that classify a link into a tier (chunk
 * size, parallel streams, window); a pooled buffer allocator for bulk paths.
 * Metrics go to a ts/monitor registry.
 *
 * @example
 * ```ts
 * import { createStoq, identityBindingAuthority, TOPICS } from '../stoq/index.ts'
 * const stoq = createStoq({ binding: identityBindingAuthority({ keyPair }), metrics: registry })
 * await stoq.start()
 * await stoq.handleFramed('/hypermesh/echo/1.0.0', (msg) => msg)
 * const peer = await stoq.connect('/ip4/127.0.0.1/tcp/4001/p2p/12D3KooW...')
 * const reply = await stoq.requestFramed(peer.peerId, '/hypermesh/echo/1.0.0', new Uint8Array([1, 2, 3]))
 * stoq.subscribe(TOPICS.consensus, (msg) => consensus.onMessage(msg.data, msg.viaNodeId))
 * stoq.setGossipValidator(TOPICS.consensus, (msg) => decodes(msg.data) ? 'accept' : 'reject')
 * await stoq.publish(TOPICS.consensus, voteBytes)
 * await stoq.stop()
 * ```
 * @module
 */
export { Stoq, createStoq, protocolId, PROTOCOL_PATTERN } from './stoq.ts'
export type {
  StoqInit, StoqEvents, AdmittedPeer, DroppedPeer, FramedContext, FramedHandler, HandleFramedOptions,
  RequestOptions, FramedSession, FramedPipeline, GossipMessage, GossipValidator, GossipVerdict
} from './stoq.ts'
export { DROP_REASONS } from './binding.ts'
export type { BindingAuthority, BindingCheck, DropReason } from './binding.ts'
export { MessageTooLargeError, TimeoutError, PeerNotAdmittedError, RemoteRefusedError, NotStartedError } from './errors.ts'
export { classifyLink } from './tiers.ts'
export { BufferPool } from './buffer-pool.ts'
export type { BufferPoolInit, BufferPoolStats } from './buffer-pool.ts'
export { TokenBucket, RateLimiter } from './rate-limit.ts'
export type { RateDecision, RateLimiterInit } from './rate-limit.ts'
export type { ProbeResult } from './probe.ts'
export { FramedStream } from './_framed-stream.ts'
export * from './constants.ts'
export { identityBindingAuthority, signBinding, checkBinding, DEFAULT_BINDING_TTL_MS } from './identity-binding.ts'
