/**
 * FALCON-1024 signatures with mandatory domain separation. Every signature
 * is over `u8(len(domain)) ‖ utf8(domain) ‖ message`, so a signature made
 * for one message type can never be replayed as another.
 */
import { falcon1024 } from '@noble/post-quantum/falcon.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { InvalidArgumentError } from '../errors.ts'
import type { Domain } from './domains.ts'
import { DOMAIN_VALUES } from './domains.ts'

export interface KeyPair {
  readonly publicKey: Uint8Array
  readonly secretKey: Uint8Array
}

export const PUBLIC_KEY_BYTES = 1793
export const SECRET_KEY_BYTES = 2305
/** Upper bound of a FALCON-1024 signature's length in bytes. */
export const MAX_SIGNATURE_BYTES = 1462
export const KEYGEN_SEED_BYTES = 48
export const NODE_ID_BYTES = 32
const NODE_ID_DOMAIN = new TextEncoder().encode('hypermesh/node-id/v1')

function bytesArg (name: string, v: unknown): asserts v is Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`)
}

/** A FALCON-1024 key pair; deterministic when `seed` (48 bytes) is given. */
export function generateKeyPair (seed?: Uint8Array): KeyPair {
  if (seed !== undefined) {
    bytesArg('seed', seed)
    if (seed.length !== KEYGEN_SEED_BYTES) throw new RangeError(`seed must be ${KEYGEN_SEED_BYTES} bytes, got ${seed.length}`)
  }
  const { publicKey, secretKey } = falcon1024.keygen(seed)
  return Object.freeze({ publicKey, secretKey })
}

/** The bytes actually signed for `message` under `domain`. */
export function domainSeparated (domain: Domain, message: Uint8Array): Uint8Array {
  if (!DOMAIN_VALUES.has(domain)) throw new InvalidArgumentError(`unknown signature domain ${JSON.stringify(domain)}`)
  bytesArg('message', message)
  const d = new TextEncoder().encode(domain)
  const out = new Uint8Array(1 + d.length + message.length)
  out[0] = d.length
  out.set(d, 1)
  out.set(message, 1 + d.length)
  return out
}

/** Signs `message` under `domain` with a FALCON-1024 secret key. */
export function sign (secretKey: Uint8Array, domain: Domain, message: Uint8Array): Uint8Array {
  bytesArg('secretKey', secretKey)
  if (secretKey.length !== SECRET_KEY_BYTES) throw new RangeError(`secretKey must be ${SECRET_KEY_BYTES} bytes, got ${secretKey.length}`)
  return falcon1024.sign(domainSeparated(domain, message), secretKey)
}

/**
 * True when `signature` is a valid FALCON-1024 signature by `publicKey` of
 * `message` under `domain`. Wrong or garbled signatures and keys of the wrong
 * length give false, never an exception.
 */
export function verify (publicKey: Uint8Array, domain: Domain, message: Uint8Array, signature: Uint8Array): boolean {
  bytesArg('publicKey', publicKey)
  bytesArg('signature', signature)
  const msg = domainSeparated(domain, message)
  if (publicKey.length !== PUBLIC_KEY_BYTES || signature.length === 0 || signature.length > MAX_SIGNATURE_BYTES) return false
  try {
    return falcon1024.verify(signature, msg, publicKey)
  } catch {
    return false
  }
}

/** NodeId = SHA-256("hypermesh/node-id/v1" ‖ publicKey). */
export function nodeIdOf (publicKey: Uint8Array): Uint8Array {
  bytesArg('publicKey', publicKey)
  if (publicKey.length !== PUBLIC_KEY_BYTES) throw new RangeError(`publicKey must be ${PUBLIC_KEY_BYTES} bytes, got ${publicKey.length}`)
  const buf = new Uint8Array(NODE_ID_DOMAIN.length + publicKey.length)
  buf.set(NODE_ID_DOMAIN)
  buf.set(publicKey, NODE_ID_DOMAIN.length)
  return sha256(buf)
}

/** Lowercase hex of a NodeId. */
export function nodeIdToHex (nodeId: Uint8Array): string {
  bytesArg('nodeId', nodeId)
  if (nodeId.length !== NODE_ID_BYTES) throw new RangeError(`nodeId must be ${NODE_ID_BYTES} bytes, got ${nodeId.length}`)
  let s = ''
  for (const b of nodeId) s += b.toString(16).padStart(2, '0')
  return s
}

/** Parses 64 lowercase hex characters into a NodeId. */
export function nodeIdFromHex (hex: string): Uint8Array {
  if (typeof hex !== 'string' || !/^[0-9a-f]{64}$/.test(hex)) {
    throw new InvalidArgumentError(`a NodeId is 64 lowercase hex characters, got ${JSON.stringify(String(hex).slice(0, 80))}`)
  }
  const out = new Uint8Array(NODE_ID_BYTES)
  for (let i = 0; i < NODE_ID_BYTES; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}
