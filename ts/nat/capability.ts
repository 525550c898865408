/**
 * Capability tokens for remote memory: the owner of a Memory asset signs
 * (FALCON-1024, domain `hypermesh/mem/capability/v1`) that `holder` may do
 * `ops` on bytes [offset, offset + length) of `asset` until `expires`. The
 * owner's node checks a token once per session: its own signature, that the
 * session's authenticated peer is the holder, the expiry, and then bounds and
 * ops on every request.
 */
import { bytes, literal, struct, u8, u64, varBytes, encodeCanonical, type CoderType } from '../wire/index.ts'
import { DOMAINS, MAX_SIGNATURE_BYTES, nodeIdOf, sign, verify, type KeyPair } from '../identity/index.ts'
import { ALL_MEM_OPS } from './constants.ts'

export const CapabilityBody = struct({
  version: literal(u8, 1),
  owner: bytes(32),
  holder: bytes(32),
  asset: bytes(32),
  offset: u64,
  length: u64,
  ops: u8,
  /** ms since the epoch */
  expires: u64
}, 'capability')
export type CapabilityBodyValue = CoderType<typeof CapabilityBody>

export const SignedCapability = struct({ body: CapabilityBody, signature: varBytes(MAX_SIGNATURE_BYTES) }, 'signed capability')
export type SignedCapabilityValue = CoderType<typeof SignedCapability>

export class CapabilityError extends Error {
  static override readonly name = 'CapabilityError'
  override readonly name = 'CapabilityError'
  constructor (message: string, options?: ErrorOptions) { super(message, options) }
}

export function issueCapability (owner: KeyPair, c: Omit<CapabilityBodyValue, 'version' | 'owner'>): Uint8Array {
  if (c.ops < 1 || c.ops > ALL_MEM_OPS) throw new CapabilityError('ops must be MEM_OPS bits')
  const body: CapabilityBodyValue = { version: 1, owner: nodeIdOf(owner.publicKey), ...c }
  const signature = sign(owner.secretKey, DOMAINS.Capability, encodeCanonical(CapabilityBody, body))
  return encodeCanonical(SignedCapability, { body, signature })
}

/**
 * Checks a token presented by `holder` to the owner whose public key is
 * `ownerKey`; returns the body or throws CapabilityError saying why not.
 */
export function checkCapability (token: Uint8Array, ownerKey: Uint8Array, holder: Uint8Array, now: number): CapabilityBodyValue {
  let t: SignedCapabilityValue
  try { t = SignedCapability.decode(token) } catch (err) { throw new CapabilityError(`malformed capability: ${(err as Error).message}`) }
  const eq = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])
  if (!eq(t.body.owner, nodeIdOf(ownerKey))) throw new CapabilityError('capability was issued by another owner')
  if (!verify(ownerKey, DOMAINS.Capability, encodeCanonical(CapabilityBody, t.body), t.signature)) throw new CapabilityError('capability signature does not verify')
  if (!eq(t.body.holder, holder)) throw new CapabilityError('capability belongs to another holder')
  if (BigInt(now) >= t.body.expires) throw new CapabilityError('capability expired')
  if (t.body.ops === 0 || t.body.ops > ALL_MEM_OPS) throw new CapabilityError('capability grants no valid operation')
  return t.body
}
