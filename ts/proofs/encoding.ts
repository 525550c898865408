/**
 * Canonical encoding of the four proofs and the ConsensusProof bundle, built
 * from ts/wire coders. One byte string per value (decode ∘ encode is the
 * identity on bytes); trailing bytes, over-long lengths, non-minimal
 * varints, bad UTF-8, u64 above 2^53 − 1 and unknown kinds/versions are
 * DecodeError. Decoded byte fields are views of the input (ts/wire's
 * convention): copy them if the input buffer will be reused.
 *
 * Layout (integers big-endian, `uv` = uvarint length):
 *   ConsensusProof = u8 version(1) ‖ space ‖ stake ‖ work ‖ time
 *   space = u32 plotIndex ‖ u8 log2Size ‖ uv+utf8 zone(≤64) ‖ uv+bytes address(≤64) ‖
 *           uv count(≤256) ‖ count × (label ‖ path ‖ prevLabel ‖ path ‖ parentLabel ‖ path)
 *           (labels 32 bytes, paths log2Size·32 bytes)
 *   stake = nodeId[32] ‖ uv+bytes signature(≤2048)
 *   work  = u8 kind ‖ u64 nonce
 *   time  = anchor[32] ‖ u64 timestampMicros ‖ u64 sequence ‖ u32 k ‖ k × 32 checkpoints
 */
import { DecodeError, InvalidArgumentError } from '../errors.ts'
import {
  bytes, createCoder, enumeration, Reader, struct, transform, u32, u64, u8, utf8, varBytes, vector, Writer
} from '../wire/index.ts'
import type { Coder } from '../wire/index.ts'
import {
  HASH_BYTES, MAX_ADDRESS_BYTES, MAX_CHECKPOINTS, MAX_PLOT_LOG2, MAX_SIGNATURE_BYTES, MAX_SPACE_CHALLENGES,
  MAX_ZONE_BYTES, MIN_PLOT_LOG2, NODE_ID_BYTES, PROOF_VERSION, WORK_KINDS
} from './constants.ts'
import type { ConsensusProof, SpaceOpening, SpaceProof, StakeProof, TimeProof, WorkProof } from './types.ts'

const hash = bytes(HASH_BYTES)

/** u64 carried as a JS number: values above 2^53 − 1 do not decode. */
const safeU64: Coder<number> = transform(u64,
  (n: number) => {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`expected a safe non-negative integer, got ${String(n)}`)
    return BigInt(n)
  },
  (b: bigint) => {
    if (b > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${b} is above 2^53 - 1`)
    return Number(b)
  }, 'u64(safe)')

const log2SizeCoder: Coder<number> = transform(u8,
  (n: number) => {
    if (!Number.isInteger(n) || n < MIN_PLOT_LOG2 || n > MAX_PLOT_LOG2) throw new RangeError(`log2Size ${String(n)} not in [${MIN_PLOT_LOG2}, ${MAX_PLOT_LOG2}]`)
    return n
  },
  (n: number) => {
    if (n < MIN_PLOT_LOG2 || n > MAX_PLOT_LOG2) throw new RangeError(`log2Size ${n} not in [${MIN_PLOT_LOG2}, ${MAX_PLOT_LOG2}]`)
    return n
  }, 'log2Size')

/** The openings vector for plots of 2^log2Size labels (path lengths depend on it), built once per size. */
const openingsCoders: Array<Coder<SpaceOpening[]>> = []
function openingsCoder (log2Size: number): Coder<SpaceOpening[]> {
  let c = openingsCoders[log2Size]
  if (c === undefined) {
    const path = bytes(log2Size * HASH_BYTES)
    c = vector(struct({ label: hash, labelPath: path, prevLabel: hash, prevPath: path, parentLabel: hash, parentPath: path }, 'opening'), MAX_SPACE_CHALLENGES)
    openingsCoders[log2Size] = c
  }
  return c
}

const zoneCoder = utf8(MAX_ZONE_BYTES)
const addressCoder = varBytes(MAX_ADDRESS_BYTES)

export const SpaceProofCoder: Coder<SpaceProof> = createCoder<SpaceProof>({
  name: 'SpaceProof',
  minBytes: 4 + 1 + 1 + 1 + 1,
  write (w: Writer, p: SpaceProof): void {
    if (p === null || typeof p !== 'object' || p.position === null || typeof p.position !== 'object') throw w.invalid('SpaceProof', 'expected an object with a position')
    w.path.push('space')
    u32.write(w, p.plotIndex)
    log2SizeCoder.write(w, p.log2Size)
    zoneCoder.write(w, p.position.zone)
    addressCoder.write(w, p.position.address)
    openingsCoder(p.log2Size).write(w, p.openings)
    w.path.pop()
  },
  read (r: Reader): SpaceProof {
    r.path.push('space')
    const plotIndex = u32.read(r)
    const log2Size = log2SizeCoder.read(r)
    const zone = zoneCoder.read(r)
    const address = addressCoder.read(r)
    const openings = openingsCoder(log2Size).read(r)
    r.path.pop()
    return { plotIndex, log2Size, position: { zone, address }, openings }
  }
})

export const StakeProofCoder: Coder<StakeProof> = struct({ nodeId: bytes(NODE_ID_BYTES), signature: varBytes(MAX_SIGNATURE_BYTES) }, 'StakeProof')

export const WorkProofCoder: Coder<WorkProof> = struct({ kind: enumeration(WORK_KINDS, u8, 'WorkKind'), nonce: safeU64 }, 'WorkProof')

/** Bytes of the time encoding before the checkpoints (anchor, timestamp, sequence, k). */
export const TIME_HEAD_BYTES = HASH_BYTES + 8 + 8 + 4

export const TimeProofCoder: Coder<TimeProof> = createCoder<TimeProof>({
  name: 'TimeProof',
  minBytes: TIME_HEAD_BYTES + HASH_BYTES,
  write (w: Writer, p: TimeProof): void {
    if (p === null || typeof p !== 'object' || !(p.checkpoints instanceof Uint8Array)) throw w.invalid('TimeProof', 'expected an object with checkpoints')
    const k = p.checkpoints.length / HASH_BYTES
    if (!Number.isInteger(k) || k < 1 || k > MAX_CHECKPOINTS) throw w.invalid('time.checkpoints', `must be 1..${MAX_CHECKPOINTS} hashes`)
    w.path.push('time')
    hash.write(w, p.anchor)
    safeU64.write(w, p.timestampMicros)
    safeU64.write(w, p.sequence)
    u32.write(w, k)
    w.bytes(p.checkpoints)
    w.path.pop()
  },
  read (r: Reader): TimeProof {
    r.path.push('time')
    const anchor = hash.read(r)
    const timestampMicros = safeU64.read(r)
    const sequence = safeU64.read(r)
    const k = u32.read(r)
    if (k < 1 || k > MAX_CHECKPOINTS) throw r.fail('checkpoints', `count ${k} outside [1, ${MAX_CHECKPOINTS}]`)
    const checkpoints = r.take(k * HASH_BYTES, 'checkpoints')
    r.path.pop()
    return { anchor, timestampMicros, sequence, checkpoints }
  }
})

/** Byte ranges [start, end) of each part inside an encoded ConsensusProof. */
export interface ProofSpans {
  space: [number, number]
  stake: [number, number]
  work: [number, number]
  time: [number, number]
}

export const ConsensusProofCoder: Coder<ConsensusProof> = createCoder<ConsensusProof>({
  name: 'ConsensusProof',
  minBytes: 1 + SpaceProofCoder.minBytes + StakeProofCoder.minBytes + WorkProofCoder.minBytes + TimeProofCoder.minBytes,
  write (w: Writer, p: ConsensusProof): void {
    if (p === null || typeof p !== 'object') throw w.invalid('ConsensusProof', 'expected an object')
    u8.write(w, PROOF_VERSION)
    SpaceProofCoder.write(w, p.space)
    StakeProofCoder.write(w, p.stake)
    WorkProofCoder.write(w, p.work)
    TimeProofCoder.write(w, p.time)
  },
  read: (r: Reader): ConsensusProof => readWithSpans(r).proof
})

function readWithSpans (r: Reader): { proof: ConsensusProof, spans: ProofSpans } {
  const version = u8.read(r)
  if (version !== PROOF_VERSION) throw r.fail('version', `unknown ConsensusProof version ${version}`)
  const a = r.pos; const space = SpaceProofCoder.read(r)
  const b = r.pos; const stake = StakeProofCoder.read(r)
  const c = r.pos; const work = WorkProofCoder.read(r)
  const d = r.pos; const time = TimeProofCoder.read(r)
  return { proof: { space, stake, work, time }, spans: { space: [a, b], stake: [b, c], work: [c, d], time: [d, r.pos] } }
}

/** Parses canonical bytes and reports where each part lies. Throws DecodeError (only) for anything malformed. */
export function decodeConsensusProofSpans (input: Uint8Array): { proof: ConsensusProof, spans: ProofSpans } {
  if (!(input instanceof Uint8Array)) throw new DecodeError('ConsensusProof: input must be a Uint8Array')
  const r = new Reader(input)
  const out = readWithSpans(r)
  if (r.remaining !== 0) throw r.fail('ConsensusProof', `${r.remaining} trailing byte(s)`)
  return out
}

function decoder<T> (coder: Coder<T>): (b: Uint8Array) => T {
  return (b: Uint8Array): T => {
    if (!(b instanceof Uint8Array)) throw new DecodeError(`${coder.name}: input must be a Uint8Array`)
    return coder.decode(b)
  }
}

function encoder<T> (coder: Coder<T>): (v: T) => Uint8Array {
  return (v: T): Uint8Array => {
    try {
      return coder.encode(v)
    } catch (err) {
      // Coders signal unencodable values with InvalidArgumentError; anything else (a TypeError on a malformed object) is mapped to it.
      if ((err as Error)?.name === 'InvalidArgumentError') throw err
      throw new InvalidArgumentError(`${coder.name}: ${(err as Error)?.message ?? String(err)}`, { cause: err })
    }
  }
}

export const encodeSpaceProof = encoder(SpaceProofCoder)
export const decodeSpaceProof = decoder(SpaceProofCoder)
export const encodeStakeProof = encoder(StakeProofCoder)
export const decodeStakeProof = decoder(StakeProofCoder)
export const encodeWorkProof = encoder(WorkProofCoder)
export const decodeWorkProof = decoder(WorkProofCoder)
export const encodeTimeProof = encoder(TimeProofCoder)
export const decodeTimeProof = decoder(TimeProofCoder)
/** Canonical bytes of a ConsensusProof. Throws InvalidArgumentError for a value that cannot be encoded. */
export const encodeConsensusProof = encoder(ConsensusProofCoder)
/** Parses canonical bytes; throws DecodeError (only) for anything malformed. Byte fields are views of `bytes`. */
export const decodeConsensusProof = decoder(ConsensusProofCoder)
