/**
 * Limits, frame types and close codes of the HyperMesh edge relay. The same
 * values are used by the Worker, the Durable Object and the client.
 */

/** Relay protocol version reported by /health. */
export const RELAY_VERSION = '1'

/** NodeId length (SHA-256 of the FALCON public key, see ts/identity). */
export const NODE_ID_BYTES = 32
/** Largest payload of one relayed frame. */
export const MAX_PAYLOAD_BYTES = 64 * 1024
/** type (1) + NodeId (32): the header of SEND / DELIVER. */
export const FRAME_HEADER_BYTES = 1 + NODE_ID_BYTES
/** Largest relay frame, any type. Anything longer is dropped unread. */
export const MAX_FRAME_BYTES = FRAME_HEADER_BYTES + MAX_PAYLOAD_BYTES
/** Most peers in one room (also bounds the WELCOME frame). */
export const MAX_PEERS_PER_ROOM = 256
/** Mesh ids (room names): 1–64 characters from this set. */
export const MESH_ID_PATTERN = /^[A-Za-z0-9._~-]{1,64}$/
export const MAX_MESH_ID_CHARS = 64

/** Frame types (first byte of every binary WebSocket message). */
export const FRAME = Object.freeze({
  /** peer → relay: `0x01 ‖ to[32] ‖ payload` */
  Send: 0x01,
  /** relay → peer: `0x02 ‖ from[32] ‖ payload` */
  Deliver: 0x02,
  /** relay → peer, once after admission: `0x03 ‖ you[32] ‖ count u16 BE ‖ count × nodeId[32]` */
  Welcome: 0x03,
  /** relay → peer: `0x04 ‖ nodeId[32]` a peer joined the room */
  Arrived: 0x04,
  /** relay → peer: `0x05 ‖ nodeId[32]` a peer left the room */
  Departed: 0x05,
  /** relay → peer: `0x06 ‖ to[32]` the addressed peer is not in the room */
  Undeliverable: 0x06
} as const)

/**
 * WebSocket close codes the relay uses (4000–4999 is the application range;
 * the reason text says the same in words).
 */
export const CLOSE = Object.freeze({
  /** Token missing or not decodable. */
  BadToken: 4001,
  /** Token signature, key or NodeId does not verify. */
  Forged: 4003,
  /** Token expired, or its lifetime is longer than the relay accepts. */
  Expired: 4004,
  /** Token was made for another mesh id. */
  WrongRoom: 4005,
  /** Token's nonce was already used in this room. */
  Replayed: 4006,
  /** Too many dropped frames (oversized, malformed, over the rate). */
  Abuse: 4008,
  /** The same NodeId joined again; this older socket is replaced. */
  Replaced: 4009,
  /** The room holds MAX_PEERS_PER_ROOM peers already. */
  RoomFull: 4013
} as const)

/** Text message answered by the relay with PONG without waking the room (keep-alive). */
export const PING = 'ping'
export const PONG = 'pong'

/** Join tokens may live at most this long (from now), and only single use per room. */
export const MAX_JOIN_TOKEN_TTL_MS = 5 * 60_000
/** Default lifetime of tokens made by createJoinToken. */
export const DEFAULT_JOIN_TOKEN_TTL_MS = 60_000
export const JOIN_NONCE_BYTES = 16

/** Default per-socket limits (overridable with the Worker's RELAY_* vars). */
export const DEFAULT_LIMITS = Object.freeze({
  /** Sustained frames per second per socket. */
  msgsPerSec: 500,
  /** Frames a socket may send at once above the sustained rate. */
  msgBurst: 1000,
  /** Sustained bytes per second per socket. */
  bytesPerSec: 4 * 1024 * 1024,
  /** Bytes a socket may send at once. */
  byteBurst: 8 * 1024 * 1024,
  /** Dropped frames (each a strike, forgiven at 1 per second) before the socket is closed. */
  maxStrikes: 32
})
export type RelayLimits = { -readonly [K in keyof typeof DEFAULT_LIMITS]: number }

/** Default time the client waits for WELCOME. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000
