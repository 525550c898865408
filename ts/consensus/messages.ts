/**
 * Consensus wire messages and their canonical encoding. One tag byte, then
 * the fields; decoding is strict (bounds before allocation, no trailing
 * bytes) and throws DecodeError on anything malformed.
 */
import { DecodeError, InvalidArgumentError } from '../errors.ts'
import {
  Reader, Writer, readBlock, readCert, writeBlock, writeCert, readStateEntries, MAX_SIGNATURE_BYTES,
  type Block, type CommitCertificate, type StateEntry, MAX_STATE_KEY_BYTES, MAX_STATE_VALUE_BYTES
} from '../ledger/index.ts'
import { MAX_ROUND, MAX_SYNC_BLOCKS } from './constants.ts'

export const MSG = Object.freeze({
  proposal: 1,
  prevote: 2,
  precommit: 3,
  syncRequest: 4,
  syncResponse: 5,
  snapshotRequest: 6,
  snapshotResponse: 7
} as const)

export type VoteType = 'prevote' | 'precommit'

export interface ProposalBody {
  type: 'proposal'
  height: number
  round: number
  /** Tendermint's validRound: -1 or the round of the proof-of-lock this proposal carries. */
  polRound: number
  block: Block
  validator: number
}

export interface VoteBody {
  type: VoteType
  height: number
  round: number
  /** Block hash, or null for a nil vote. */
  value: Uint8Array | null
  validator: number
}

export type Proposal = ProposalBody & { signature: Uint8Array }
export type Vote = VoteBody & { signature: Uint8Array }

export interface SyncRequest { type: 'sync-request', fromHeight: number, max: number }
export interface SyncResponse { type: 'sync-response', blocks: Array<{ block: Block, cert: CommitCertificate }> }
export interface SnapshotRequest { type: 'snapshot-request' }
export interface SnapshotResponse { type: 'snapshot-response', block: Block, cert: CommitCertificate, entries: StateEntry[] }

export type ConsensusMessage = Proposal | Vote
export type Message = ConsensusMessage | SyncRequest | SyncResponse | SnapshotRequest | SnapshotResponse

const MAX_VALIDATOR_INDEX = 1 << 20

function checkRound (r: number, what = 'round'): void {
  if (!Number.isInteger(r) || r < 0 || r > MAX_ROUND) throw new InvalidArgumentError(`${what} out of range`)
}

/** Bytes a proposal signature covers (domain DOMAIN_PROPOSAL). */
export function proposalSignBytes (chainId: string, p: Pick<ProposalBody, 'height' | 'round' | 'polRound'>, blockHash: Uint8Array): Uint8Array {
  checkRound(p.round)
  return new Writer(128).string(chainId, 64).u64(p.height).u32(p.round).u32(p.polRound + 1).fixed(blockHash, 32).finish()
}

/** Bytes a vote signature covers (domain DOMAIN_VOTE); a precommit's are what a commit certificate holds. */
export function voteSignBytes (chainId: string, v: Pick<VoteBody, 'type' | 'height' | 'round' | 'value'>): Uint8Array {
  checkRound(v.round)
  const w = new Writer(128).string(chainId, 64).u8(v.type === 'prevote' ? MSG.prevote : MSG.precommit).u64(v.height).u32(v.round)
  if (v.value === null) w.u8(0); else w.u8(1).fixed(v.value, 32)
  return w.finish()
}

export function encodeMessage (m: Message): Uint8Array {
  const w = new Writer(512)
  switch (m.type) {
    case 'proposal':
      checkRound(m.round)
      if (!(m.polRound >= -1 && m.polRound < m.round)) throw new InvalidArgumentError('polRound must be in [-1, round)')
      w.u8(MSG.proposal).u64(m.height).u32(m.round).u32(m.polRound + 1).uvarint(m.validator).varBytes(m.signature, MAX_SIGNATURE_BYTES)
      writeBlock(w, m.block)
      break
    case 'prevote':
    case 'precommit':
      checkRound(m.round)
      w.u8(MSG[m.type]).u64(m.height).u32(m.round)
      if (m.value === null) w.u8(0); else w.u8(1).fixed(m.value, 32)
      w.uvarint(m.validator).varBytes(m.signature, MAX_SIGNATURE_BYTES)
      break
    case 'sync-request':
      w.u8(MSG.syncRequest).u64(m.fromHeight).uvarint(m.max)
      break
    case 'sync-response':
      if (m.blocks.length > MAX_SYNC_BLOCKS) throw new InvalidArgumentError('too many blocks in a sync response')
      w.u8(MSG.syncResponse).uvarint(m.blocks.length)
      for (const b of m.blocks) { writeBlock(w, b.block); writeCert(w, b.cert) }
      break
    case 'snapshot-request':
      w.u8(MSG.snapshotRequest)
      break
    case 'snapshot-response':
      w.u8(MSG.snapshotResponse); writeBlock(w, m.block); writeCert(w, m.cert)
      w.uvarint(m.entries.length)
      for (const [k, v] of m.entries) w.string(k, MAX_STATE_KEY_BYTES).varBytes(v, MAX_STATE_VALUE_BYTES)
      break
  }
  return w.finish()
}

/** Strict decoder: DecodeError on anything that is not exactly one well-formed message. */
export function decodeMessage (bytes: Uint8Array): Message {
  const r = new Reader(bytes, 'consensus message')
  const tag = r.u8()
  let m: Message
  switch (tag) {
    case MSG.proposal: {
      const height = r.u64(); const round = r.u32(); const pol = r.u32() - 1
      if (round > MAX_ROUND) throw new DecodeError('proposal: round out of range')
      if (pol >= round) throw new DecodeError('proposal: polRound not below round')
      const validator = r.uvarint()
      if (validator >= MAX_VALIDATOR_INDEX) throw new DecodeError('proposal: validator index out of range')
      const signature = r.varBytes(MAX_SIGNATURE_BYTES)
      m = { type: 'proposal', height, round, polRound: pol, validator, signature, block: readBlock(r) }
      break
    }
    case MSG.prevote:
    case MSG.precommit: {
      const height = r.u64(); const round = r.u32()
      if (round > MAX_ROUND) throw new DecodeError('vote: round out of range')
      const value = r.bool() ? r.fixed(32) : null
      const validator = r.uvarint()
      if (validator >= MAX_VALIDATOR_INDEX) throw new DecodeError('vote: validator index out of range')
      m = { type: tag === MSG.prevote ? 'prevote' : 'precommit', height, round, value, validator, signature: r.varBytes(MAX_SIGNATURE_BYTES) }
      break
    }
    case MSG.syncRequest:
      m = { type: 'sync-request', fromHeight: r.u64(), max: r.uvarint() }
      break
    case MSG.syncResponse: {
      const n = r.count(MAX_SYNC_BLOCKS)
      const blocks: Array<{ block: Block, cert: CommitCertificate }> = []
      for (let i = 0; i < n; i++) blocks.push({ block: readBlock(r), cert: readCert(r) })
      m = { type: 'sync-response', blocks }
      break
    }
    case MSG.snapshotRequest:
      m = { type: 'snapshot-request' }
      break
    case MSG.snapshotResponse:
      m = { type: 'snapshot-response', block: readBlock(r), cert: readCert(r), entries: readStateEntries(r) }
      break
    default:
      throw new DecodeError(`consensus message: unknown tag ${tag}`)
  }
  r.end()
  return m
}
