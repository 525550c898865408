/**
 * Ledger data: transactions, blocks, commit certificates, with canonical
 * encodings (strict decoding, bounds checked before allocation) and hashes.
 */
import { DecodeError, InvalidArgumentError } from '../errors.ts'
import { Reader, Writer } from './_codec.ts'
import { merkleRoot, sha256, toHex } from './hash.ts'
import {
  MAX_BLOCK_TXS, MAX_CERT_SIGNATURES, MAX_KIND_BYTES, MAX_OP_BYTES, MAX_PROOF_BYTES, MAX_SIGNATURE_BYTES, NODE_ID_BYTES
} from './constants.ts'

/** 32-byte SHA-256 node identifier. */
export type NodeId = Uint8Array

/**
 * An asset operation with its ConsensusProof. `kind` selects the state
 * handler; `op` is the operation's canonical bytes; `proof` the encoded
 * ConsensusProof (opaque to the ledger, checked by the injected TxVerifier).
 */
export interface Transaction {
  kind: string
  sender: NodeId
  sequence: number
  op: Uint8Array
  proof: Uint8Array
}

export interface BlockHeader {
  height: number
  parent: Uint8Array
  round: number
  proposer: NodeId
  /** Proposer's time in ms since the epoch; strictly above the parent's. */
  time: number
  txRoot: Uint8Array
  /** Root of the state AFTER applying this block's transactions. */
  stateRoot: Uint8Array
}

export interface Block extends BlockHeader {
  txs: Transaction[]
}

/** One precommit signature inside a certificate: validator index + FALCON signature. */
export interface CertSignature {
  validator: number
  signature: Uint8Array
}

/**
 * Commit certificate: ≥ 2f+1 (by power) precommit signatures over
 * (chainId, height, round, blockHash). Verified by `verifyCommitCertificate`
 * in ts/consensus against the genesis validator set.
 */
export interface CommitCertificate {
  height: number
  round: number
  blockHash: Uint8Array
  signatures: CertSignature[]
}

export function writeTx (w: Writer, tx: Transaction): void {
  w.string(tx.kind, MAX_KIND_BYTES)
  w.fixed(tx.sender, NODE_ID_BYTES)
  w.u64(tx.sequence)
  w.varBytes(tx.op, MAX_OP_BYTES)
  w.varBytes(tx.proof, MAX_PROOF_BYTES)
}

export function readTx (r: Reader): Transaction {
  const kind = r.string(MAX_KIND_BYTES)
  if (kind.length === 0) throw new DecodeError('transaction: empty kind')
  return { kind, sender: r.fixed(NODE_ID_BYTES), sequence: r.u64(), op: r.varBytes(MAX_OP_BYTES), proof: r.varBytes(MAX_PROOF_BYTES) }
}

const OP_DOMAIN = new TextEncoder().encode('hypermesh/ledger/operation/v1')

/**
 * opHash the transaction's ConsensusProof is made for: SHA-256 over a domain,
 * kind, sender, sequence and operation bytes — everything but the proof.
 */
export function operationHash (tx: Omit<Transaction, 'proof'>): Uint8Array {
  const w = new Writer(tx.op.length + 128)
  w.fixed(OP_DOMAIN, OP_DOMAIN.length).string(tx.kind, MAX_KIND_BYTES).fixed(tx.sender, NODE_ID_BYTES).u64(tx.sequence).varBytes(tx.op, MAX_OP_BYTES)
  return sha256(w.finish())
}

export function encodeTx (tx: Transaction): Uint8Array {
  if (tx.kind.length === 0) throw new InvalidArgumentError('transaction: empty kind')
  const w = new Writer(tx.op.length + tx.proof.length + 96); writeTx(w, tx); return w.finish()
}

export function decodeTx (bytes: Uint8Array): Transaction {
  const r = new Reader(bytes, 'transaction'); const tx = readTx(r); r.end(); return tx
}

const txHashMemo = new WeakMap<Transaction, Uint8Array>()
/** SHA-256 of the canonical transaction bytes (memoised per object). */
export function txHash (tx: Transaction): Uint8Array {
  let h = txHashMemo.get(tx)
  if (h === undefined) { h = sha256(encodeTx(tx)); txHashMemo.set(tx, h) }
  return h
}

/** RFC 6962 Merkle root over the canonical encodings of the transactions. */
export function computeTxRoot (txs: readonly Transaction[]): Uint8Array {
  return merkleRoot(txs.map(encodeTx))
}

export function writeHeader (w: Writer, h: BlockHeader): void {
  w.u64(h.height).fixed(h.parent, 32).u32(h.round).fixed(h.proposer, NODE_ID_BYTES)
    .u64(h.time).fixed(h.txRoot, 32).fixed(h.stateRoot, 32)
}

export function readHeader (r: Reader): BlockHeader {
  return { height: r.u64(), parent: r.fixed(32), round: r.u32(), proposer: r.fixed(NODE_ID_BYTES), time: r.u64(), txRoot: r.fixed(32), stateRoot: r.fixed(32) }
}

export function encodeHeader (h: BlockHeader): Uint8Array { const w = new Writer(180); writeHeader(w, h); return w.finish() }

/** Block hash = SHA-256 of the canonical header (txs are bound through txRoot). */
export function blockHash (h: BlockHeader): Uint8Array { return sha256(encodeHeader(h)) }

export function writeBlock (w: Writer, b: Block): void {
  if (b.txs.length > MAX_BLOCK_TXS) throw new InvalidArgumentError(`block: more than ${MAX_BLOCK_TXS} txs`)
  writeHeader(w, b)
  w.uvarint(b.txs.length)
  for (const tx of b.txs) writeTx(w, tx)
}

export function readBlock (r: Reader): Block {
  const h = readHeader(r)
  const n = r.count(MAX_BLOCK_TXS)
  const txs: Transaction[] = []
  for (let i = 0; i < n; i++) txs.push(readTx(r))
  return { ...h, txs }
}

export function encodeBlock (b: Block): Uint8Array { const w = new Writer(1024); writeBlock(w, b); return w.finish() }
export function decodeBlock (bytes: Uint8Array): Block { const r = new Reader(bytes, 'block'); const b = readBlock(r); r.end(); return b }

export function writeCert (w: Writer, c: CommitCertificate): void {
  if (c.signatures.length > MAX_CERT_SIGNATURES) throw new InvalidArgumentError('certificate: too many signatures')
  w.u64(c.height).u32(c.round).fixed(c.blockHash, 32).uvarint(c.signatures.length)
  for (const s of c.signatures) { w.uvarint(s.validator); w.varBytes(s.signature, MAX_SIGNATURE_BYTES) }
}

export function readCert (r: Reader): CommitCertificate {
  const height = r.u64(); const round = r.u32(); const blockHash = r.fixed(32)
  const n = r.count(MAX_CERT_SIGNATURES)
  const signatures: CertSignature[] = []
  for (let i = 0; i < n; i++) signatures.push({ validator: r.uvarint(), signature: r.varBytes(MAX_SIGNATURE_BYTES) })
  return { height, round, blockHash, signatures }
}

export function encodeCert (c: CommitCertificate): Uint8Array { const w = new Writer(512); writeCert(w, c); return w.finish() }
export function decodeCert (bytes: Uint8Array): CommitCertificate { const r = new Reader(bytes, 'certificate'); const c = readCert(r); r.end(); return c }

export function blockHashHex (h: BlockHeader): string { return toHex(blockHash(h)) }
