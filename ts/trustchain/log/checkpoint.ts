/**
 * C2SP tlog-checkpoint: the note text "<origin>\n<size>\n<base64 root>\n"
 * plus optional extension lines, signed as a C2SP signed note.
 * @module
 */
import { DecodeError, InvalidArgumentError } from '../../errors.ts'
import { NoteVerificationError } from './errors.ts'
import { base64Decode, base64Encode } from './_codec.ts'
import { HASH_SIZE } from './hash.ts'
import { MAX_CHECKPOINT_EXTENSIONS, MAX_NAME_BYTES } from './constants.ts'
import { openNote, signNote, type NoteSignature, type NoteSigner, type NoteVerifier } from './note.ts'

export interface Checkpoint {
  origin: string
  size: number
  rootHash: Uint8Array
  extensions?: string[]
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f]/

function validLine (s: string): boolean {
  return typeof s === 'string' && s.length > 0 && !CONTROL.test(s)
}

/** The checkpoint's note text. */
export function formatCheckpoint (cp: Checkpoint): string {
  if (!validLine(cp.origin) || new TextEncoder().encode(cp.origin).length > MAX_NAME_BYTES) throw new InvalidArgumentError('checkpoint origin must be a non-empty line of ≤ 255 bytes')
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) throw new InvalidArgumentError('checkpoint size must be a non-negative safe integer')
  if (!(cp.rootHash instanceof Uint8Array) || cp.rootHash.length !== HASH_SIZE) throw new InvalidArgumentError('checkpoint root must be 32 bytes')
  const ext = cp.extensions ?? []
  if (ext.length > MAX_CHECKPOINT_EXTENSIONS || !ext.every(validLine)) throw new InvalidArgumentError('checkpoint extension lines must be non-empty lines')
  return [cp.origin, String(cp.size), base64Encode(cp.rootHash), ...ext].join('\n') + '\n'
}

/** Parses checkpoint note text strictly (DecodeError). */
export function parseCheckpoint (text: string): Checkpoint {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw new DecodeError('checkpoint text must end with a newline')
  const lines = text.slice(0, -1).split('\n')
  if (lines.length < 3) throw new DecodeError('checkpoint needs origin, size and root lines')
  if (lines.length > 3 + MAX_CHECKPOINT_EXTENSIONS) throw new DecodeError('too many checkpoint extension lines')
  const [origin, sizeText, rootText, ...extensions] = lines
  if (!validLine(origin) || new TextEncoder().encode(origin).length > MAX_NAME_BYTES) throw new DecodeError('bad checkpoint origin')
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText)) throw new DecodeError('bad checkpoint size')
  const size = Number(sizeText)
  if (!Number.isSafeInteger(size)) throw new DecodeError('checkpoint size beyond 2^53')
  const rootHash = base64Decode(rootText, HASH_SIZE, 'checkpoint root')
  if (rootHash.length !== HASH_SIZE) throw new DecodeError('checkpoint root must be 32 bytes')
  if (!extensions.every(validLine)) throw new DecodeError('empty checkpoint extension line')
  return extensions.length > 0 ? { origin, size, rootHash, extensions } : { origin, size, rootHash }
}

/** Signs a checkpoint with every signer (e.g. the log's Ed25519 and FALCON keys). */
export function signCheckpoint (cp: Checkpoint, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(cp), signers)
}

export interface CheckpointPolicy {
  /** The expected origin line. */
  origin: string
  /** Keys of the log: EVERY one must have signed (e.g. its Ed25519 and FALCON keys). */
  log: readonly NoteVerifier[]
  /** Cosigner (witness / validator) keys. */
  cosigners?: readonly NoteVerifier[]
  /** How many distinct cosigners must have cosigned (default 0). */
  quorum?: number
}

export interface OpenedCheckpoint {
  checkpoint: Checkpoint
  /** The note text that was signed. */
  text: string
  /** Names of cosigners whose cosignature verified. */
  cosignedBy: string[]
  signatures: NoteSignature[]
}

/**
 * Verifies a checkpoint note against a policy: all log keys signed, at
 * least `quorum` cosigners cosigned, origin matches. Throws DecodeError
 * (malformed) or NoteVerificationError (signatures or policy).
 */
export function openCheckpoint (note: string | Uint8Array, policy: CheckpointPolicy): OpenedCheckpoint {
  const cosigners = policy.cosigners ?? []
  const opened = openNote(note, [...policy.log, ...cosigners])
  for (const k of policy.log) {
    if (!opened.verified.some((s) => s.name === k.name && s.keyId === k.keyId)) throw new NoteVerificationError(`checkpoint lacks the log signature of ${k.name}`)
  }
  const cosignedBy = cosigners.filter((k) => opened.verified.some((s) => s.name === k.name && s.keyId === k.keyId)).map((k) => k.name)
  const quorum = policy.quorum ?? 0
  if (cosignedBy.length < quorum) throw new NoteVerificationError(`checkpoint has ${cosignedBy.length} valid cosignatures, needs ${quorum}`)
  const checkpoint = parseCheckpoint(opened.text)
  if (checkpoint.origin !== policy.origin) throw new NoteVerificationError(`checkpoint origin ${JSON.stringify(checkpoint.origin)} is not ${JSON.stringify(policy.origin)}`)
  return { checkpoint, text: opened.text, cosignedBy, signatures: opened.signatures }
}
