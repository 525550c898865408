/**
 * The production BindingAuthority: a FALCON-1024 signed record
 * `{publicKey, peerId, addrs, expires}` under DOMAINS.Binding, made and
 * checked with ts/identity's sign/verify/nodeIdOf and encoded canonically with
 * ts/wire. (When ts/identity publishes its own binding record coder, this
 * adapter should delegate to it; the transport only sees bytes.)
 */
import { DOMAINS, sign, verify, nodeIdOf, nodeIdToHex, PUBLIC_KEY_BYTES, MAX_SIGNATURE_BYTES } from '../identity/index.ts'
import type { KeyPair } from '../identity/index.ts'
import { struct, literal, u8, u64, bytes, utf8, vector, varBytes, encodeCanonical, decodeCanonical } from '../wire/index.ts'
import { InvalidArgumentError } from '../errors.ts'
import type { BindingAuthority, BindingCheck } from './binding.ts'
import { MAX_BINDING_BYTES } from './constants.ts'

/** Default lifetime of a binding; it is re-signed when less than half remains. */
export const DEFAULT_BINDING_TTL_MS = 24 * 60 * 60 * 1000
export const MAX_BINDING_ADDRS = 16

export const BindingRecord = struct({
  version: literal(u8, 1),
  publicKey: bytes(PUBLIC_KEY_BYTES),
  peerId: utf8(128),
  addrs: vector(utf8(256), MAX_BINDING_ADDRS),
  /** Milliseconds since the epoch. */
  expires: u64
}, 'BindingRecord')

export const SignedBinding = struct({
  record: varBytes(MAX_BINDING_BYTES),
  signature: varBytes(MAX_SIGNATURE_BYTES)
}, 'SignedBinding')

export interface Binding {
  publicKey: Uint8Array
  peerId: string
  addrs: string[]
  expires: number
}

/** Encodes and signs a binding record with `keyPair` (FALCON-1024). */
export function signBinding (keyPair: KeyPair, b: Binding): Uint8Array {
  if (!Number.isSafeInteger(b.expires) || b.expires < 0) throw new InvalidArgumentError('binding expires must be a safe integer of ms since the epoch')
  const record = encodeCanonical(BindingRecord, { version: 1, publicKey: b.publicKey, peerId: b.peerId, addrs: b.addrs.slice(0, MAX_BINDING_ADDRS), expires: BigInt(b.expires) })
  return encodeCanonical(SignedBinding, { record, signature: sign(keyPair.secretKey, DOMAINS.Binding, record) })
}

/** Checks signature, expiry and peerId; null when any fails or the bytes are malformed. */
export function checkBinding (encoded: Uint8Array, expectedPeerId: string, now: number): (BindingCheck & { binding: Binding }) | null {
  try {
    const env = decodeCanonical(SignedBinding, encoded)
    const rec = decodeCanonical(BindingRecord, env.record)
    if (rec.peerId !== expectedPeerId) return null
    if (rec.expires <= BigInt(Math.floor(now))) return null
    if (!verify(rec.publicKey, DOMAINS.Binding, env.record, env.signature)) return null
    return {
      nodeId: nodeIdToHex(nodeIdOf(rec.publicKey)),
      binding: { publicKey: rec.publicKey, peerId: rec.peerId, addrs: rec.addrs, expires: Number(rec.expires) }
    }
  } catch {
    return null
  }
}

/** A BindingAuthority for a node whose signing key is `keyPair`. */
export function identityBindingAuthority (init: { keyPair: KeyPair, ttlMs?: number, now?: () => number }): BindingAuthority {
  const ttl = init.ttlMs ?? DEFAULT_BINDING_TTL_MS
  const now = init.now ?? Date.now
  let cached: { peerId: string, addrs: string, expires: number, bytes: Uint8Array } | undefined
  return {
    localBinding (peerId: string, addrs: string[]): Uint8Array {
      const t = now()
      const key = addrs.join(' ')
      if (cached !== undefined && cached.peerId === peerId && cached.addrs === key && cached.expires - t > ttl / 2) return cached.bytes
      const expires = t + ttl
      const bytes = signBinding(init.keyPair, { publicKey: init.keyPair.publicKey, peerId, addrs, expires })
      cached = { peerId, addrs: key, expires, bytes }
      return bytes
    },
    verifyBinding (encoded: Uint8Array, remotePeerId: string, t: number): BindingCheck | null {
      const r = checkBinding(encoded, remotePeerId, t)
      return r === null ? null : { nodeId: r.nodeId }
    }
  }
}
