/**
 * RFC 6962 §2.1 / RFC 9162 §2.1.1 hashing with SHA-256: leaves are hashed
 * with a 0x00 prefix, interior nodes with 0x01, the empty tree is SHA-256("").
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { InvalidArgumentError } from '../../errors.ts'

/** Bytes in every tree hash. */
export const HASH_SIZE = 32

/** MTH({}) = SHA-256 of the empty string. */
export const EMPTY_ROOT: Uint8Array = sha256(new Uint8Array(0))

/** HASH(0x00 ‖ entry). */
export function hashLeaf (entry: Uint8Array): Uint8Array {
  const buf = new Uint8Array(1 + entry.length)
  buf.set(entry, 1)
  return sha256(buf)
}

/** HASH(0x01 ‖ left ‖ right); both must be 32-byte hashes. */
export function hashChildren (left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) throw new InvalidArgumentError(`node hashes must be ${HASH_SIZE} bytes`)
  const buf = new Uint8Array(1 + 2 * HASH_SIZE)
  buf[0] = 1
  buf.set(left, 1)
  buf.set(right, 1 + HASH_SIZE)
  return sha256(buf)
}
