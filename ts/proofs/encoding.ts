/**
 * Canonical encoding of the four proofs and the ConsensusProof bundle.
 * One byte string per value (decode ∘ encode is the identity on bytes;
 * trailing bytes, over-long lengths, bad UTF-8, u64 above 2^53 and unknown
 * kinds/versions are DecodeError).
 *
 * Layout (integers big-endian):
 *   ConsensusProof = u8 version(1) ‖ space ‖ stake ‖ work ‖ time
 *   space = u32 plotIndex ‖ u8 log2Size ‖ str16 zone ‖ bytes16 address ‖
 *           u16 count ‖ count × (label ‖ path ‖ prevLabel ‖ path ‖ parentLabel ‖ path)
 *           (labels 32 bytes, paths log2Size·32 bytes)
 *   stake = nodeId[32] ‖ bytes16 signature
 *   work  = u8 kind ‖ u64 nonce
 *   time  = anchor[32] ‖ u64 timestampMicros ‖ u64 sequence ‖ u32 k ‖ k × 32 checkpoints
 */
import { DecodeError, InvalidArgumentError } from '../errors.ts'
import { Reader, Writer } from './_codec.ts'
import {
  HASH_BYTES, isWorkKind, MAX_ADDRESS_BYTES, MAX_CHECKPOINTS, MAX_PLOT_LOG2, MAX_SIGNATURE_BYTES, MAX_SPACE_CHALLENGES,
  MAX_ZONE_BYTES, MIN_PLOT_LOG2, NODE_ID_BYTES, PROOF_VERSION
} from './constants.ts'
import type { ConsensusProof, SpaceOpening, SpaceProof, StakeProof, TimeProof, WorkProof } from './types.ts'

export function writeSpace (w: Writer, p: SpaceProof): void {
  if (!Number.isInteger(p.log2Size) || p.log2Size < MIN_PLOT_LOG2 || p.log2Size > MAX_PLOT_LOG2) throw new InvalidArgumentError(`space.log2Size ${p.log2Size} out of range`)
  if (p.openings.length > MAX_SPACE_CHALLENGES) throw new InvalidArgumentError('space: too many openings')
  const pathBytes = p.log2Size * HASH_BYTES
  w.u32(p.plotIndex).u8(p.log2Size)
  w.string(p.position.zone, MAX_ZONE_BYTES, 'space.position.zone')
  w.varBytes(p.position.address, MAX_ADDRESS_BYTES, 'space.position.address')
  w.u16(p.openings.length)
  for (const o of p.openings) {
    w.fixed(o.label, HASH_BYTES, 'opening.label').fixed(o.labelPath, pathBytes, 'opening.labelPath')
    w.fixed(o.prevLabel, HASH_BYTES, 'opening.prevLabel').fixed(o.prevPath, pathBytes, 'opening.prevPath')
    w.fixed(o.parentLabel, HASH_BYTES, 'opening.parentLabel').fixed(o.parentPath, pathBytes, 'opening.parentPath')
  }
}

export function readSpace (r: Reader): SpaceProof {
  const plotIndex = r.u32('space.plotIndex')
  const log2Size = r.u8('space.log2Size')
  if (log2Size < MIN_PLOT_LOG2 || log2Size > MAX_PLOT_LOG2) throw new DecodeError(`space.log2Size ${log2Size} out of range`)
  const zone = r.string(MAX_ZONE_BYTES, 'space.position.zone')
  const address = r.varBytes(MAX_ADDRESS_BYTES, 'space.position.address')
  const count = r.u16('space.openings count')
  if (count > MAX_SPACE_CHALLENGES) throw new DecodeError(`space: ${count} openings above bound ${MAX_SPACE_CHALLENGES}`)
  const pathBytes = log2Size * HASH_BYTES
  // Bound the whole array before allocating any of it.
  if (r.remaining < count * 3 * (HASH_BYTES + pathBytes)) throw new DecodeError('truncated: space openings')
  const openings: SpaceOpening[] = []
  for (let i = 0; i < count; i++) {
    openings.push({
      label: r.fixed(HASH_BYTES), labelPath: r.fixed(pathBytes),
      prevLabel: r.fixed(HASH_BYTES), prevPath: r.fixed(pathBytes),
      parentLabel: r.fixed(HASH_BYTES), parentPath: r.fixed(pathBytes)
    })
  }
  return { plotIndex, log2Size, position: { zone, address }, openings }
}

export function writeStake (w: Writer, p: StakeProof): void {
  w.fixed(p.nodeId, NODE_ID_BYTES, 'stake.nodeId')
  w.varBytes(p.signature, MAX_SIGNATURE_BYTES, 'stake.signature')
}

export function readStake (r: Reader): StakeProof {
  return { nodeId: r.fixed(NODE_ID_BYTES, 'stake.nodeId'), signature: r.varBytes(MAX_SIGNATURE_BYTES, 'stake.signature') }
}

export function writeWork (w: Writer, p: WorkProof): void {
  if (!isWorkKind(p.kind)) throw new InvalidArgumentError(`work.kind ${String(p.kind)} is not a WorkKind`)
  w.u8(p.kind).u64(p.nonce)
}

export function readWork (r: Reader): WorkProof {
  const kind = r.u8('work.kind')
  if (!isWorkKind(kind)) throw new DecodeError(`work.kind ${kind} is not a WorkKind`)
  return { kind, nonce: r.u64('work.nonce') }
}

export function writeTime (w: Writer, p: TimeProof): void {
  const k = p.checkpoints.length / HASH_BYTES
  if (!Number.isInteger(k) || k < 1 || k > MAX_CHECKPOINTS) throw new InvalidArgumentError('time.checkpoints must be 1..65536 hashes')
  w.fixed(p.anchor, HASH_BYTES, 'time.anchor').u64(p.timestampMicros).u64(p.sequence).u32(k)
  w.fixed(p.checkpoints, k * HASH_BYTES, 'time.checkpoints')
}

export function readTime (r: Reader): TimeProof {
  const anchor = r.fixed(HASH_BYTES, 'time.anchor')
  const timestampMicros = r.u64('time.timestampMicros')
  const sequence = r.u64('time.sequence')
  const k = r.u32('time.checkpoints count')
  if (k < 1 || k > MAX_CHECKPOINTS) throw new DecodeError(`time: ${k} checkpoints outside [1, ${MAX_CHECKPOINTS}]`)
  return { anchor, timestampMicros, sequence, checkpoints: r.fixed(k * HASH_BYTES, 'time.checkpoints') }
}

function encodeWith<T> (write: (w: Writer, v: T) => void, v: T, size = 1024): Uint8Array {
  const w = new Writer(size); write(w, v); return w.finish()
}

function decodeWith<T> (read: (r: Reader) => T, bytes: Uint8Array, what: string): T {
  const r = new Reader(bytes); const v = read(r); r.end(what); return v
}

export const encodeSpaceProof = (p: SpaceProof): Uint8Array => encodeWith(writeSpace, p, 4096)
export const decodeSpaceProof = (b: Uint8Array): SpaceProof => decodeWith(readSpace, b, 'space proof')
export const encodeStakeProof = (p: StakeProof): Uint8Array => encodeWith(writeStake, p, 1400)
export const decodeStakeProof = (b: Uint8Array): StakeProof => decodeWith(readStake, b, 'stake proof')
export const encodeWorkProof = (p: WorkProof): Uint8Array => encodeWith(writeWork, p, 16)
export const decodeWorkProof = (b: Uint8Array): WorkProof => decodeWith(readWork, b, 'work proof')
export const encodeTimeProof = (p: TimeProof): Uint8Array => encodeWith(writeTime, p, 64 + p.checkpoints.length)
export const decodeTimeProof = (b: Uint8Array): TimeProof => decodeWith(readTime, b, 'time proof')

/** Canonical bytes of a ConsensusProof. Throws InvalidArgumentError for a value that cannot be encoded. */
export function encodeConsensusProof (p: ConsensusProof): Uint8Array {
  const w = new Writer(4096 + p.time.checkpoints.length)
  w.u8(PROOF_VERSION)
  writeSpace(w, p.space); writeStake(w, p.stake); writeWork(w, p.work); writeTime(w, p.time)
  return w.finish()
}

/** Byte ranges [start, end) of each part inside an encoded ConsensusProof. */
export interface ProofSpans {
  space: [number, number]
  stake: [number, number]
  work: [number, number]
  time: [number, number]
}

/**
 * Parses canonical bytes and reports where each part lies. With
 * `copy: false` the byte fields are views into `bytes` (used by the verifier,
 * which never keeps them). Throws DecodeError (only) for anything malformed.
 */
export function decodeConsensusProofSpans (bytes: Uint8Array, copy = true): { proof: ConsensusProof, spans: ProofSpans } {
  const r = new Reader(bytes, copy)
  const version = r.u8('version')
  if (version !== PROOF_VERSION) throw new DecodeError(`unknown ConsensusProof version ${version}`)
  const a = r.offset; const space = readSpace(r)
  const b = r.offset; const stake = readStake(r)
  const c = r.offset; const work = readWork(r)
  const d = r.offset; const time = readTime(r)
  r.end('ConsensusProof')
  return { proof: { space, stake, work, time }, spans: { space: [a, b], stake: [b, c], work: [c, d], time: [d, r.offset] } }
}

/** Parses canonical bytes; throws DecodeError (only) for anything malformed. */
export function decodeConsensusProof (bytes: Uint8Array): ConsensusProof {
  return decodeConsensusProofSpans(bytes).proof
}
