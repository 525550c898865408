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
export * from './constants.ts'
export {
  parseNote, formatNote, signNote, openNote, addNoteSignatures, isValidKeyName, noteKeyId,
  parseVerifierKey, formatVerifierKey, verifierFromKey,
  ed25519Signer, ed25519SignerFromKey, ed25519Verifier,
  cosignatureSigner, cosignatureVerifier, cosignatureTimestamp,
  falconSigner, falconVerifier, FALCON_NOTE_SIG_TYPE
} from './note.ts'
export type { Note, NoteSignature, NoteSigner, NoteVerifier, OpenedNote, ParsedVerifierKey, CosignatureVerifyOptions } from './note.ts'
export { formatCheckpoint, parseCheckpoint, signCheckpoint, openCheckpoint } from './checkpoint.ts'
export type { Checkpoint, CheckpointPolicy, OpenedCheckpoint } from './checkpoint.ts'
export {
  encodeTileIndex, encodeTilePath, parseTilePath, tileStartLeaf, tileEndLeaf,
  encodeEntryBundle, decodeEntryBundle, decodeHashTile, verifyHashTile, verifyEntryBundle
} from './tiles.ts'
export type { TilePath, TileProof } from './tiles.ts'
export { MemoryLogStorage } from './storage.ts'
export type { LogStorage } from './storage.ts'
export { TransparencyLog } from './log.ts'
export type { TransparencyLogOptions, SignedCheckpoint } from './log.ts'
export { CheckpointWatcher, InvalidOriginError } from './split-view.ts'
export type { SplitViewEvidence, ObserveResult, CheckpointWatcherOptions } from './split-view.ts'
export { tlogRoutes } from './routes.ts'
export type { TlogResponse } from './routes.ts'
export { CheckpointPublisher } from './publisher.ts'
export type { CheckpointPublisherOptions } from './publisher.ts'
