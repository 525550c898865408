/**
 * Post-quantum node identity: FALCON-1024 key pairs, domain-separated
 * signatures, and NodeId = SHA-256("hypermesh/node-id/v1" ‖ public key).
 *
 * @example
 * ```ts
 * import { generateKeyPair, sign, verify, nodeIdOf, nodeIdToHex, DOMAINS } from './ts/identity/index.ts'
 * const keys = generateKeyPair()
 * const sig = sign(keys.secretKey, DOMAINS.Transaction, txBytes)
 * verify(keys.publicKey, DOMAINS.Transaction, txBytes, sig) // true
 * nodeIdToHex(nodeIdOf(keys.publicKey))                      // 64 hex chars
 * ```
 * @module
 */
export { DOMAINS, DOMAIN_VALUES } from './domains.ts'
export type { Domain, DomainName } from './domains.ts'
export {
  generateKeyPair, sign, verify, domainSeparated, nodeIdOf, nodeIdToHex, nodeIdFromHex,
  PUBLIC_KEY_BYTES, SECRET_KEY_BYTES, MAX_SIGNATURE_BYTES, KEYGEN_SEED_BYTES, NODE_ID_BYTES
} from './falcon.ts'
export type { KeyPair } from './falcon.ts'
export {
  createBinding, encodeBinding, decodeBinding, verifyBinding, bindingSignBytes,
  MAX_PEER_ID_CHARS, MAX_BINDING_ADDRS, MAX_ADDR_CHARS
} from './binding.ts'
export type { Binding, VerifyBindingOptions } from './binding.ts'
export { KeystoreError, loadOrCreateIdentity, identityToRecord, identityFromRecord } from './keystore.ts'
export type { Keystore, StoredIdentity, IdentityRecord } from './keystore.ts'
