/**
 * PoStake (WHO): the owner's FALCON-1024 signature (domain PoStake) over
 *   opHash ‖ u8(kind) ‖ nodeId ‖ spaceDigest ‖ workDigest ‖ timeDigest,
 * checked against the public key, stake, authority and permissions the
 * ledger records for the node.
 */
import { InvalidArgumentError } from '../errors.ts'
import { DOMAINS, nodeIdOf, sign, verify } from '../identity/index.ts'
import type { WorkKind } from './constants.ts'
import { HASH_BYTES, NODE_ID_BYTES } from './constants.ts'
import type { NodeStanding, StakeProof, StakeRequirement } from './types.ts'
import { bytesEqual, concatBytes, isBytes } from './_util.ts'

/** Digests of the other three proofs that the signature covers. */
export interface OtherDigests {
  space: Uint8Array
  work: Uint8Array
  time: Uint8Array
}

/** The exact bytes the PoStake signature signs (the PoStake domain is added by ts/identity). */
export function stakeMessage (opHash: Uint8Array, kind: WorkKind, nodeId: Uint8Array, d: OtherDigests): Uint8Array {
  if (!isBytes(opHash, HASH_BYTES) || !isBytes(nodeId, NODE_ID_BYTES)) throw new InvalidArgumentError('opHash and nodeId must be 32 bytes')
  return concatBytes(opHash, Uint8Array.of(kind), nodeId, d.space, d.work, d.time)
}

/** Signs the stake message with the node's FALCON-1024 secret key. */
export function proveStake (secretKey: Uint8Array, publicKey: Uint8Array, opHash: Uint8Array, kind: WorkKind, d: OtherDigests): StakeProof {
  const nodeId = nodeIdOf(publicKey)
  return { nodeId, signature: sign(secretKey, DOMAINS.PoStake, stakeMessage(opHash, kind, nodeId, d)) }
}

/** Cheap part: the registry's standing meets the requirement and grants the permissions. */
export function standingSuffices (standing: NodeStanding, req: StakeRequirement, permissions: number): boolean {
  return standing.stake >= req.minStake &&
    standing.authority >= req.minAuthority &&
    ((standing.permissions & permissions) >>> 0) === (permissions >>> 0)
}

/** Expensive part: the registered key belongs to nodeId and the signature verifies. */
export function verifyStakeSignature (proof: StakeProof, publicKey: Uint8Array, opHash: Uint8Array, kind: WorkKind, d: OtherDigests): boolean {
  if (!isBytes(publicKey) || !bytesEqual(nodeIdOf(publicKey), proof.nodeId)) return false
  try {
    return verify(publicKey, DOMAINS.PoStake, stakeMessage(opHash, kind, proof.nodeId, d), proof.signature)
  } catch {
    // A malformed key or signature is a proof that does not verify, not a crash.
    return false
  }
}
