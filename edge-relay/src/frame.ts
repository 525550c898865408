/**
 * Relay frames: one frame per binary WebSocket message, first byte the type
 * (see FRAME in constants.ts). NodeIds are 32 raw bytes; payloads run to the
 * end of the message (the WebSocket message carries the length). Decoders
 * check the total length against MAX_FRAME_BYTES and each type's exact
 * shape before reading; decoded fields are views of the input (no copy).
 */
import { DecodeError, InvalidArgumentError } from '../../ts/errors.ts'
import { FRAME, NODE_ID_BYTES, MAX_PAYLOAD_BYTES, MAX_FRAME_BYTES, FRAME_HEADER_BYTES, MAX_PEERS_PER_ROOM } from './constants.ts'

export type RelayFrame =
  | { type: 'send', to: Uint8Array, payload: Uint8Array }
  | { type: 'deliver', from: Uint8Array, payload: Uint8Array }
  | { type: 'welcome', self: Uint8Array, peers: Uint8Array[] }
  | { type: 'arrived', nodeId: Uint8Array }
  | { type: 'departed', nodeId: Uint8Array }
  | { type: 'undeliverable', to: Uint8Array }

function nodeIdArg (name: string, v: unknown): asserts v is Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== NODE_ID_BYTES) throw new InvalidArgumentError(`${name} must be a ${NODE_ID_BYTES}-byte NodeId`)
}

function payloadArg (v: unknown): asserts v is Uint8Array {
  if (!(v instanceof Uint8Array)) throw new InvalidArgumentError('payload must be a Uint8Array')
  if (v.length > MAX_PAYLOAD_BYTES) throw new InvalidArgumentError(`payload of ${v.length} bytes exceeds MAX_PAYLOAD_BYTES (${MAX_PAYLOAD_BYTES})`)
}

function addressed (type: number, id: Uint8Array, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.length)
  out[0] = type
  out.set(id, 1)
  out.set(payload, FRAME_HEADER_BYTES)
  return out
}

function idOnly (type: number, id: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + NODE_ID_BYTES)
  out[0] = type
  out.set(id, 1)
  return out
}

/** SEND: a peer asks the relay to deliver `payload` to the peer `to`. */
export function encodeSend (to: Uint8Array, payload: Uint8Array): Uint8Array {
  nodeIdArg('to', to); payloadArg(payload)
  return addressed(FRAME.Send, to, payload)
}

/** DELIVER: the relay hands `payload` from `from` to the addressed peer. */
export function encodeDeliver (from: Uint8Array, payload: Uint8Array): Uint8Array {
  nodeIdArg('from', from); payloadArg(payload)
  return addressed(FRAME.Deliver, from, payload)
}

/** WELCOME: sent once to an admitted peer: its own NodeId and who else is in the room. */
export function encodeWelcome (self: Uint8Array, peers: readonly Uint8Array[]): Uint8Array {
  nodeIdArg('self', self)
  if (!Array.isArray(peers) || peers.length > MAX_PEERS_PER_ROOM) throw new InvalidArgumentError(`peers must be an array of at most ${MAX_PEERS_PER_ROOM} NodeIds`)
  const out = new Uint8Array(1 + NODE_ID_BYTES + 2 + peers.length * NODE_ID_BYTES)
  out[0] = FRAME.Welcome
  out.set(self, 1)
  out[1 + NODE_ID_BYTES] = peers.length >>> 8
  out[2 + NODE_ID_BYTES] = peers.length & 0xff
  peers.forEach((p, i) => { nodeIdArg(`peers[${i}]`, p); out.set(p, 3 + NODE_ID_BYTES + i * NODE_ID_BYTES) })
  return out
}

export function encodeArrived (nodeId: Uint8Array): Uint8Array { nodeIdArg('nodeId', nodeId); return idOnly(FRAME.Arrived, nodeId) }
export function encodeDeparted (nodeId: Uint8Array): Uint8Array { nodeIdArg('nodeId', nodeId); return idOnly(FRAME.Departed, nodeId) }
export function encodeUndeliverable (to: Uint8Array): Uint8Array { nodeIdArg('to', to); return idOnly(FRAME.Undeliverable, to) }

/** Encodes any frame (inverse of decodeFrame). */
export function encodeFrame (f: RelayFrame): Uint8Array {
  switch (f.type) {
    case 'send': return encodeSend(f.to, f.payload)
    case 'deliver': return encodeDeliver(f.from, f.payload)
    case 'welcome': return encodeWelcome(f.self, f.peers)
    case 'arrived': return encodeArrived(f.nodeId)
    case 'departed': return encodeDeparted(f.nodeId)
    case 'undeliverable': return encodeUndeliverable(f.to)
    default: throw new InvalidArgumentError(`unknown relay frame type ${JSON.stringify((f as { type: unknown }).type)}`)
  }
}

/**
 * Decodes one relay frame. Throws DecodeError for an empty, oversized,
 * truncated or over-long message, an unknown type, or a WELCOME whose count
 * disagrees with its length or exceeds MAX_PEERS_PER_ROOM.
 */
export function decodeFrame (b: Uint8Array): RelayFrame {
  if (!(b instanceof Uint8Array)) throw new DecodeError('relay frame: expected bytes')
  if (b.length > MAX_FRAME_BYTES) throw new DecodeError(`relay frame: ${b.length} bytes exceed MAX_FRAME_BYTES (${MAX_FRAME_BYTES})`)
  if (b.length === 0) throw new DecodeError('relay frame: empty')
  const type = b[0]
  switch (type) {
    case FRAME.Send:
    case FRAME.Deliver: {
      if (b.length < FRAME_HEADER_BYTES) throw new DecodeError(`relay frame: ${type === FRAME.Send ? 'SEND' : 'DELIVER'} truncated (${b.length} bytes)`)
      const id = b.subarray(1, FRAME_HEADER_BYTES)
      const payload = b.subarray(FRAME_HEADER_BYTES)
      return type === FRAME.Send ? { type: 'send', to: id, payload } : { type: 'deliver', from: id, payload }
    }
    case FRAME.Welcome: {
      const head = 1 + NODE_ID_BYTES + 2
      if (b.length < head) throw new DecodeError(`relay frame: WELCOME truncated (${b.length} bytes)`)
      const count = (b[1 + NODE_ID_BYTES] << 8) | b[2 + NODE_ID_BYTES]
      if (count > MAX_PEERS_PER_ROOM) throw new DecodeError(`relay frame: WELCOME lists ${count} peers, more than ${MAX_PEERS_PER_ROOM}`)
      if (b.length !== head + count * NODE_ID_BYTES) throw new DecodeError(`relay frame: WELCOME of ${count} peers must be ${head + count * NODE_ID_BYTES} bytes, got ${b.length}`)
      const peers: Uint8Array[] = []
      for (let i = 0; i < count; i++) peers.push(b.subarray(head + i * NODE_ID_BYTES, head + (i + 1) * NODE_ID_BYTES))
      return { type: 'welcome', self: b.subarray(1, 1 + NODE_ID_BYTES), peers }
    }
    case FRAME.Arrived:
    case FRAME.Departed:
    case FRAME.Undeliverable: {
      if (b.length !== 1 + NODE_ID_BYTES) throw new DecodeError(`relay frame: type ${type} must be ${1 + NODE_ID_BYTES} bytes, got ${b.length}`)
      const id = b.subarray(1)
      return type === FRAME.Arrived ? { type: 'arrived', nodeId: id } : type === FRAME.Departed ? { type: 'departed', nodeId: id } : { type: 'undeliverable', to: id }
    }
    default:
      throw new DecodeError(`relay frame: unknown type 0x${type.toString(16).padStart(2, '0')}`)
  }
}
