/**
 * Join tokens: a peer proves to the relay that it holds the FALCON-1024 key
 * of the NodeId it joins as. The token is signed by the peer itself under
 * DOMAINS.RelayJoin over {meshId, nodeId, publicKey, expires, nonce}; the
 * relay checks the signature, that nodeId = nodeIdOf(publicKey), that the
 * token names this room, that it has not expired and lives at most
 * MAX_JOIN_TOKEN_TTL_MS, and (in the room) that its nonce was never used.
 *
 * Admission proves identity, not mesh membership: peers still check each
 * other's bindings end to end over the relayed channel.
 */
import { struct, bytes, varBytes, utf8, u64, magic, encodeCanonical, decodeCanonical } from '../../ts/wire/index.ts'
import type { CoderType } from '../../ts/wire/index.ts'
import { DecodeError, InvalidArgumentError } from '../../ts/errors.ts'
import { DOMAINS } from '../../ts/identity/domains.ts'
import { sign, verify, nodeIdOf, PUBLIC_KEY_BYTES, MAX_SIGNATURE_BYTES, NODE_ID_BYTES } from '../../ts/identity/falcon.ts'
import type { KeyPair } from '../../ts/identity/falcon.ts'
import { MAX_MESH_ID_CHARS, MESH_ID_PATTERN, MAX_JOIN_TOKEN_TTL_MS, DEFAULT_JOIN_TOKEN_TTL_MS, JOIN_NONCE_BYTES } from './constants.ts'

const TOKEN_MAGIC = new TextEncoder().encode('HMRJ')

const bodyCoder = struct({
  meshId: utf8(MAX_MESH_ID_CHARS),
  nodeId: bytes(NODE_ID_BYTES),
  publicKey: bytes(PUBLIC_KEY_BYTES),
  expires: u64,
  nonce: bytes(JOIN_NONCE_BYTES)
}, 'relayJoin')

const tokenCoder = magic(TOKEN_MAGIC, struct({ body: bodyCoder, signature: varBytes(MAX_SIGNATURE_BYTES) }, 'signedRelayJoin'))

/** Longest encoded token (bounds the query parameter before decoding). */
export const MAX_JOIN_TOKEN_BYTES = TOKEN_MAGIC.length + 1 + MAX_MESH_ID_CHARS + NODE_ID_BYTES + PUBLIC_KEY_BYTES + 8 + JOIN_NONCE_BYTES + 2 + MAX_SIGNATURE_BYTES

export type JoinTokenBody = CoderType<typeof bodyCoder>

export interface JoinToken {
  readonly meshId: string
  readonly nodeId: Uint8Array
  readonly publicKey: Uint8Array
  /** Milliseconds since the Unix epoch. */
  readonly expires: number
  readonly nonce: Uint8Array
  readonly signature: Uint8Array
}

function bodyOf (t: Omit<JoinToken, 'signature'>): JoinTokenBody {
  return { meshId: t.meshId, nodeId: t.nodeId, publicKey: t.publicKey, expires: BigInt(t.expires), nonce: t.nonce }
}

/** The exact bytes a join token's signature covers. */
export function joinTokenSignBytes (t: Omit<JoinToken, 'signature'>): Uint8Array {
  return encodeCanonical(bodyCoder, bodyOf(t))
}

export interface CreateJoinTokenOptions {
  /** Current time in ms (default Date.now()). */
  now?: number
  /** Lifetime in ms (default 60 s, at most MAX_JOIN_TOKEN_TTL_MS). */
  ttlMs?: number
  /** 16 bytes; random by default. */
  nonce?: Uint8Array
}

/** Signs a single-use token admitting this key's NodeId to the room `meshId`. */
export function createJoinToken (keyPair: KeyPair, meshId: string, opts: CreateJoinTokenOptions = {}): JoinToken {
  if (typeof meshId !== 'string' || !MESH_ID_PATTERN.test(meshId)) throw new InvalidArgumentError(`meshId must match ${String(MESH_ID_PATTERN)}`)
  const now = opts.now ?? Date.now()
  const ttl = opts.ttlMs ?? DEFAULT_JOIN_TOKEN_TTL_MS
  if (!Number.isSafeInteger(ttl) || ttl <= 0 || ttl > MAX_JOIN_TOKEN_TTL_MS) throw new InvalidArgumentError(`ttlMs must be an integer in (0, ${MAX_JOIN_TOKEN_TTL_MS}], got ${ttl}`)
  const nonce = opts.nonce ?? crypto.getRandomValues(new Uint8Array(JOIN_NONCE_BYTES))
  if (!(nonce instanceof Uint8Array) || nonce.length !== JOIN_NONCE_BYTES) throw new InvalidArgumentError(`nonce must be ${JOIN_NONCE_BYTES} bytes`)
  const unsigned = { meshId, nodeId: nodeIdOf(keyPair.publicKey), publicKey: keyPair.publicKey, expires: Math.floor(now + ttl), nonce: nonce.slice() }
  const signature = sign(keyPair.secretKey, DOMAINS.RelayJoin, joinTokenSignBytes(unsigned))
  return Object.freeze({ ...unsigned, signature })
}

export function encodeJoinToken (t: JoinToken): Uint8Array {
  return encodeCanonical(tokenCoder, { body: bodyOf(t), signature: t.signature })
}

/** Decodes a join token; malformed bytes throw DecodeError. */
export function decodeJoinToken (b: Uint8Array): JoinToken {
  if (!(b instanceof Uint8Array)) throw new DecodeError('join token: expected bytes')
  if (b.length > MAX_JOIN_TOKEN_BYTES) throw new DecodeError(`join token: ${b.length} bytes exceed ${MAX_JOIN_TOKEN_BYTES}`)
  const { body, signature } = decodeCanonical(tokenCoder, b)
  if (body.expires > BigInt(Number.MAX_SAFE_INTEGER)) throw new DecodeError('join token: expires beyond 2^53 - 1 ms')
  return Object.freeze({ meshId: body.meshId, nodeId: body.nodeId, publicKey: body.publicKey, expires: Number(body.expires), nonce: body.nonce, signature })
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const B64URL_INDEX = new Int16Array(128).fill(-1)
for (let i = 0; i < B64URL.length; i++) B64URL_INDEX[B64URL.charCodeAt(i)] = i

/** Unpadded base64url (RFC 4648 §5), the form a token takes in the `token` query parameter. */
export function toBase64Url (b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0)
    s += B64URL[(n >> 18) & 63] + B64URL[(n >> 12) & 63]
    if (i + 1 < b.length) s += B64URL[(n >> 6) & 63]
    if (i + 2 < b.length) s += B64URL[n & 63]
  }
  return s
}

/** Parses unpadded base64url; rejects other characters, impossible lengths, non-zero spare bits and over-long input. */
export function fromBase64Url (s: string, maxBytes: number): Uint8Array {
  if (typeof s !== 'string') throw new DecodeError('base64url: expected a string')
  if (s.length % 4 === 1) throw new DecodeError('base64url: impossible length')
  const n = Math.floor(s.length * 3 / 4)
  if (n > maxBytes) throw new DecodeError(`base64url: ${n} bytes exceed ${maxBytes}`)
  const out = new Uint8Array(n)
  let o = 0
  for (let i = 0; i < s.length; i += 4) {
    let acc = 0
    const chunk = Math.min(4, s.length - i)
    for (let j = 0; j < 4; j++) {
      const c = j < chunk ? s.charCodeAt(i + j) : 65
      const v = c < 128 ? B64URL_INDEX[c] : -1
      if (v < 0) throw new DecodeError(`base64url: bad character at ${i + j}`)
      acc = (acc << 6) | (j < chunk ? v : 0)
    }
    const got = chunk - 1
    if (got >= 1) out[o++] = (acc >> 16) & 0xff
    if (got >= 2) out[o++] = (acc >> 8) & 0xff
    if (got >= 3) out[o++] = acc & 0xff
    if (chunk === 2 && (acc & 0xffff) !== 0) throw new DecodeError('base64url: non-zero spare bits')
    if (chunk === 3 && (acc & 0xff) !== 0) throw new DecodeError('base64url: non-zero spare bits')
  }
  return out
}

/** The token as it goes in the URL: `?token=<this>`. */
export function joinTokenToString (t: JoinToken): string { return toBase64Url(encodeJoinToken(t)) }
/** Parses the `token` query parameter; DecodeError when malformed. */
export function joinTokenFromString (s: string): JoinToken { return decodeJoinToken(fromBase64Url(s, MAX_JOIN_TOKEN_BYTES)) }

export type JoinTokenVerdict =
  | { ok: true }
  | { ok: false, reason: 'wrong-room' | 'expired' | 'too-long' | 'forged' }

/** Checks a decoded token for room `meshId` at time `now` (ms). The nonce's single use is the room's to check. */
export function checkJoinToken (t: JoinToken, meshId: string, now: number, maxTtlMs = MAX_JOIN_TOKEN_TTL_MS): JoinTokenVerdict {
  if (t.meshId !== meshId) return { ok: false, reason: 'wrong-room' }
  if (!(t.expires > now)) return { ok: false, reason: 'expired' }
  if (t.expires - now > maxTtlMs) return { ok: false, reason: 'too-long' }
  const id = nodeIdOf(t.publicKey)
  let diff = 0
  for (let i = 0; i < NODE_ID_BYTES; i++) diff |= id[i] ^ t.nodeId[i]
  if (diff !== 0) return { ok: false, reason: 'forged' }
  if (!verify(t.publicKey, DOMAINS.RelayJoin, joinTokenSignBytes(t), t.signature)) return { ok: false, reason: 'forged' }
  return { ok: true }
}
