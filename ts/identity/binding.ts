/**
 * The transport binding: a FALCON-signed record tying a NodeId to a libp2p
 * PeerId and its addresses until an expiry. Peers present it on every
 * connection; a binding that does not verify (signature, NodeId, expiry,
 * PeerId of the connection) gets the connection dropped.
 */
import { struct, bytes, varBytes, utf8, vector, u64, magic, encodeCanonical, decodeCanonical } from '../wire/index.ts'
import type { CoderType } from '../wire/index.ts'
import { DecodeError, InvalidArgumentError } from '../errors.ts'
import { DOMAINS } from './domains.ts'
import { sign, verify, nodeIdOf, PUBLIC_KEY_BYTES, MAX_SIGNATURE_BYTES, NODE_ID_BYTES } from './falcon.ts'
import type { KeyPair } from './falcon.ts'

/** Longest PeerId string accepted (base58 Ed25519 ids are 52 characters). */
export const MAX_PEER_ID_CHARS = 128
/** Most addresses in one binding. */
export const MAX_BINDING_ADDRS = 32
/** Longest multiaddr string accepted. */
export const MAX_ADDR_CHARS = 512

const BINDING_MAGIC = new TextEncoder().encode('HMB1')

const bodyCoder = struct({
  nodeId: bytes(NODE_ID_BYTES),
  publicKey: bytes(PUBLIC_KEY_BYTES),
  peerId: utf8(MAX_PEER_ID_CHARS),
  addrs: vector(utf8(MAX_ADDR_CHARS), MAX_BINDING_ADDRS),
  expires: u64
}, 'binding')

const bindingCoder = magic(BINDING_MAGIC, struct({
  body: bodyCoder,
  signature: varBytes(MAX_SIGNATURE_BYTES)
}, 'signedBinding'))

export type BindingBody = CoderType<typeof bodyCoder>

export interface Binding {
  readonly nodeId: Uint8Array
  readonly publicKey: Uint8Array
  readonly peerId: string
  readonly addrs: readonly string[]
  /** Milliseconds since the Unix epoch. */
  readonly expires: number
  readonly signature: Uint8Array
}

function bodyOf (b: Omit<Binding, 'signature'>): BindingBody {
  return { nodeId: b.nodeId, publicKey: b.publicKey, peerId: b.peerId, addrs: [...b.addrs], expires: BigInt(b.expires) }
}

/** The exact bytes the binding's signature covers. */
export function bindingSignBytes (b: Omit<Binding, 'signature'>): Uint8Array {
  return encodeCanonical(bodyCoder, bodyOf(b))
}

/** Signs a binding of this node's key to `peerId` and `addrs`, valid until `expires` (ms). */
export function createBinding (keyPair: KeyPair, peerId: string, addrs: readonly string[], expires: number): Binding {
  if (typeof peerId !== 'string' || peerId.length === 0 || peerId.length > MAX_PEER_ID_CHARS) throw new InvalidArgumentError(`peerId must be a non-empty string of at most ${MAX_PEER_ID_CHARS} characters`)
  if (!Number.isSafeInteger(expires) || expires < 0) throw new InvalidArgumentError(`expires must be a non-negative integer (ms since epoch), got ${expires}`)
  const unsigned = { nodeId: nodeIdOf(keyPair.publicKey), publicKey: keyPair.publicKey, peerId, addrs: [...addrs], expires }
  const signature = sign(keyPair.secretKey, DOMAINS.Binding, bindingSignBytes(unsigned))
  return Object.freeze({ ...unsigned, addrs: Object.freeze([...addrs]), signature })
}

export function encodeBinding (b: Binding): Uint8Array {
  return encodeCanonical(bindingCoder, { body: bodyOf(b), signature: b.signature })
}

/** Decodes a binding; malformed bytes throw DecodeError (every length bounded before use). */
export function decodeBinding (bytes: Uint8Array): Binding {
  const { body, signature } = decodeCanonical(bindingCoder, bytes)
  if (body.expires > BigInt(Number.MAX_SAFE_INTEGER)) throw new DecodeError('binding.expires: beyond 2^53 - 1 ms')
  return Object.freeze({
    nodeId: body.nodeId.slice(), publicKey: body.publicKey.slice(), peerId: body.peerId, addrs: Object.freeze([...body.addrs]), expires: Number(body.expires), signature: signature.slice()
  })
}

export interface VerifyBindingOptions {
  /** Current time, ms since epoch. */
  now: number
  /** When given, the binding must name exactly this PeerId (the connection's remote peer). */
  expectedPeerId?: string
}

/**
 * True when the binding is signed by the key it carries, its NodeId is that
 * key's, it has not expired at `now`, and (if given) it names `expectedPeerId`.
 */
export function verifyBinding (b: Binding, opts: VerifyBindingOptions): boolean {
  if (!(b.nodeId instanceof Uint8Array) || !(b.publicKey instanceof Uint8Array) || !(b.signature instanceof Uint8Array)) return false
  if (b.publicKey.length !== PUBLIC_KEY_BYTES || b.nodeId.length !== NODE_ID_BYTES) return false
  if (!(b.expires > opts.now)) return false
  if (opts.expectedPeerId !== undefined && b.peerId !== opts.expectedPeerId) return false
  const id = nodeIdOf(b.publicKey)
  let diff = 0
  for (let i = 0; i < NODE_ID_BYTES; i++) diff |= id[i] ^ b.nodeId[i]
  if (diff !== 0) return false
  return verify(b.publicKey, DOMAINS.Binding, bindingSignBytes(b), b.signature)
}
