/** Protocol ids are `/hypermesh/<name>/<major>.0.0`. */
export const PROTOCOL_PREFIX = '/hypermesh'
export const BINDING_PROTOCOL = '/hypermesh/binding/1.0.0'
export const PROBE_PROTOCOL = '/hypermesh/probe/1.0.0'

/** Gossip topics for broadcast traffic. */
export const TOPICS = Object.freeze({
  mempool: 'hypermesh/mempool/1',
  consensus: 'hypermesh/consensus/1'
} as const)

/** Default listen addresses: TCP for hosts, WebSockets for browsers (loopback unless configured). */
export const DEFAULT_LISTEN: readonly string[] = Object.freeze(['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'])

/** A peer must present a valid binding this soon after a connection opens, or it is disconnected. */
export const DEFAULT_BINDING_TIMEOUT_MS = 5_000
/** Bound on an encoded binding record (FALCON-1024 key 1793 B + signature ≤ 1280 B + addresses). */
export const MAX_BINDING_BYTES = 16 * 1024
/** Default deadline of one framed request (open stream, send, receive the answer). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000
/** Default largest framed message, both directions. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024
/** Default largest gossip message. */
export const DEFAULT_MAX_GOSSIP_BYTES = 1024 * 1024
/** How long a peer disconnected for abuse (or a failed binding) is refused. */
export const DEFAULT_BAN_MS = 60_000

/** Probe: RTT pings, payload sent for the throughput estimate, frame size of that payload. */
export const DEFAULT_PROBE_PINGS = 5
export const DEFAULT_PROBE_BYTES = 2 * 1024 * 1024
export const PROBE_CHUNK_BYTES = 64 * 1024
/** Largest payload a probe may push at us. */
export const MAX_PROBE_BYTES = 64 * 1024 * 1024
export const DEFAULT_PROBE_TIMEOUT_MS = 15_000

export interface RateLimit {
  /** Sustained messages per second and bucket size. */
  messagesPerSecond: number
  burstMessages: number
  /** Sustained bytes per second and bucket size. */
  bytesPerSecond: number
  burstBytes: number
}

export interface AbusePolicy {
  /** Throttle events tolerated (bucket size) before a disconnect ... */
  maxStrikes: number
  /** ... refilled at this many per second: sustained abuse exhausts it, a burst does not. */
  strikesForgivenPerSecond: number
}

/** Per peer across all protocols. */
export const DEFAULT_PEER_RATE_LIMIT: Readonly<RateLimit> = Object.freeze({
  messagesPerSecond: 5_000, burstMessages: 10_000, bytesPerSecond: 512 * 1024 * 1024, burstBytes: 512 * 1024 * 1024
})
/** Per peer and protocol (or gossip topic), unless the protocol sets its own. */
export const DEFAULT_PROTOCOL_RATE_LIMIT: Readonly<RateLimit> = Object.freeze({
  messagesPerSecond: 1_000, burstMessages: 2_000, bytesPerSecond: 64 * 1024 * 1024, burstBytes: 128 * 1024 * 1024
})
export const DEFAULT_ABUSE_POLICY: Readonly<AbusePolicy> = Object.freeze({ maxStrikes: 50, strikesForgivenPerSecond: 2 })
/** Longest a throttled stream is held before its next frame is read. */
export const MAX_THROTTLE_DELAY_MS = 2_000

export const TIER_NAMES = ['Slow', 'Home', 'Standard', 'Performance', 'Enterprise', 'DataCenter'] as const
export type TierName = typeof TIER_NAMES[number]

export interface LinkTier {
  name: TierName
  /** Upper bound (exclusive) of the measured throughput in Mb/s; Infinity for the top tier. */
  maxMbps: number
  /** Bytes per frame on the bulk path. */
  chunkBytes: number
  /** Streams a bulk transfer is spread over. */
  parallelStreams: number
  /** Bytes a bulk sender keeps in flight per stream before waiting for the stream to drain. */
  windowBytes: number
}

const KiB = 1024
const MiB = 1024 * 1024

/** The link tiers, slowest first. Classification: the first tier whose `maxMbps` exceeds the measured rate. */
export const LINK_TIERS: readonly Readonly<LinkTier>[] = Object.freeze([
  Object.freeze({ name: 'Slow', maxMbps: 100, chunkBytes: 16 * KiB, parallelStreams: 1, windowBytes: 256 * KiB }),
  Object.freeze({ name: 'Home', maxMbps: 1_000, chunkBytes: 64 * KiB, parallelStreams: 2, windowBytes: 1 * MiB }),
  Object.freeze({ name: 'Standard', maxMbps: 2_500, chunkBytes: 256 * KiB, parallelStreams: 4, windowBytes: 4 * MiB }),
  Object.freeze({ name: 'Performance', maxMbps: 10_000, chunkBytes: 512 * KiB, parallelStreams: 4, windowBytes: 8 * MiB }),
  Object.freeze({ name: 'Enterprise', maxMbps: 25_000, chunkBytes: 1 * MiB, parallelStreams: 8, windowBytes: 16 * MiB }),
  Object.freeze({ name: 'DataCenter', maxMbps: Infinity, chunkBytes: 1 * MiB, parallelStreams: 8, windowBytes: 32 * MiB })
] as const)
