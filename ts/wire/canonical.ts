/**
 * Canonical encoding for anything hashed or signed: a value has exactly one
 * encoding, and bytes are accepted only if they are that encoding.
 *
 * The coders in ts/wire are canonical by construction (minimal varints,
 * strict bools and tags, no trailing bytes). These helpers additionally
 * check the round trip, which also covers user `transform`s that are not
 * exact inverses.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import type { Coder } from './coder.ts'
import { DecodeError, InvalidArgumentError } from '../errors.ts'

/** Constant-structure byte equality. */
export function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let d = 0
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i]
  return d === 0
}

/** The canonical encoding of `v`; throws InvalidArgumentError if it does not round-trip to the same bytes. */
export function encodeCanonical<T> (coder: Coder<T>, v: T): Uint8Array {
  const b = coder.encode(v)
  let again: Uint8Array
  try {
    again = coder.encode(coder.decode(b))
  } catch (err) {
    throw new InvalidArgumentError(`${coder.name}: encoding does not decode (${(err as Error).message})`, { cause: err })
  }
  if (!equalBytes(b, again)) throw new InvalidArgumentError(`${coder.name}: value has no canonical encoding (re-encoding differs)`)
  return b
}

/** Decodes `b` and accepts it only if it is the canonical encoding of the result. */
export function decodeCanonical<T> (coder: Coder<T>, b: Uint8Array): T {
  const v = coder.decode(b)
  if (!equalBytes(coder.encode(v), b)) throw new DecodeError(`${coder.name}: not the canonical encoding`)
  return v
}

/** `hash(encodeCanonical(coder, v))`, SHA-256 by default: the digest to sign or to use as an id. */
export function hashCanonical<T> (coder: Coder<T>, v: T, hash: (b: Uint8Array) => Uint8Array = sha256): Uint8Array {
  return hash(encodeCanonical(coder, v))
}
