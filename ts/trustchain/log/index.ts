/**
 * TrustChain transparency log: an RFC 6962 / RFC 9162 Merkle log published
 * in the C2SP formats (signed-note checkpoints, tlog-tiles).
 *
 * @example
 * ```ts
 * import { hashLeaf, verifyInclusion } from './ts/trustchain/log/index.ts'
 * verifyInclusion(index, size, hashLeaf(entry), proof, root) // true / false
 * ```
 * @module
 */
export { HASH_SIZE, EMPTY_ROOT, hashLeaf, hashChildren } from './hash.ts'
export {
  MAX_TREE_SIZE, subtreeHash, rootFromLeafHashes, merkleTreeHash,
  inclusionProof, consistencyProof, inclusionProofLength, consistencyProofLength,
  rootFromInclusionProof, verifyInclusion, verifyNodeInclusion, verifyConsistency
} from './merkle.ts'
export type { NodeSource } from './merkle.ts'
export { MerkleHashStore } from './hash-store.ts'
export { NoteVerificationError, LogStorageError } from './errors.ts'
