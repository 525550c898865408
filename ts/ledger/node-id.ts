/** NodeId = SHA-256("hypermesh/node-id/v1" ‖ FALCON public key) (ARCHITECTURE.md, Identity). */
import { concatBytes, sha256 } from './hash.ts'

const PREFIX = new TextEncoder().encode('hypermesh/node-id/v1')

export function nodeIdOf (publicKey: Uint8Array): Uint8Array {
  return sha256(concatBytes(PREFIX, publicKey))
}
