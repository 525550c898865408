/**
 * The donor protocol: what a node's job service (the coordinator) and a
 * donor (a browser tab, a Node process, one of the node's worker threads)
 * say over a FrameChannel. One message per frame, tagged (ts/wire), every
 * length bounded before anything is allocated.
 *
 * | tag | message | direction | fields |
 * |---|---|---|---|
 * | 0 | challenge | node → donor | node (32), nonce (32) |
 * | 1 | hello | donor → node | kind (0 node, 1 browser), FALCON public key, signature of nonce ‖ node under `hypermesh/jobs/hello/v1` |
 * | 2 | welcome | node → donor | the donor's NodeId as the node saw it |
 * | 3 | offer | node → donor | the canonical job bytes (ts/vm encodeJob) |
 * | 4 | result | donor → node | jobId, digest, fuel used, outcome (output or error name), attestation signature |
 * | 5 | stats | node → donor | results accepted from this donor, its credit balance (micro-credits, from the ledger) |
 * | 6 | heartbeat | both | — |
 * | 7 | error | both | message |
 * | 8 | bye | donor → node | — (the donor stops; the node drops it at once instead of waiting for the transport to notice) |
 *
 * The attestation is FALCON-1024 over jobId ‖ digest ‖ u64be(fuelUsed) under
 * `hypermesh/jobs/result/v1`; it is what goes on the ledger (./ledger.ts).
 */
import {
  struct, tagged, bytes, varBytes, utf8, u8, u32, u64, encodeCanonical, decodeCanonical, type Coder, type CoderType
} from '../wire/index.ts'
import { InvalidArgumentError } from '../errors.ts'
import { DOMAINS, sign, verify, nodeIdOf } from '../identity/index.ts'
import { MAX_JOB_FRAME_BYTES } from './channel.ts'
import type { JobOutcome } from '../vm/index.ts'
import { outcomeDigest, JOB_ERROR_NAMES, type JobErrorName } from '../vm/index.ts'

/** Bounds of the FALCON-1024 fields (public key 1793 bytes, signatures ≤ 1280). */
export const MAX_PUBLIC_KEY_BYTES = 2048
export const MAX_SIGNATURE_BYTES = 2048
/** Largest output carried in one result frame. */
export const MAX_RESULT_OUTPUT_BYTES = MAX_JOB_FRAME_BYTES - 8192
export const DONOR_KINDS = { node: 0, browser: 1 } as const
export type DonorKind = keyof typeof DONOR_KINDS

const Outcome = tagged({
  ok: [0, struct({ output: varBytes(MAX_RESULT_OUTPUT_BYTES) })],
  error: [1, struct({ name: utf8(64), message: utf8(300) })]
} as const, u8, 'outcome')

export const DonorMessage = tagged({
  challenge: [0, struct({ node: bytes(32), nonce: bytes(32) }, 'challenge')],
  hello: [1, struct({ kind: u8, publicKey: varBytes(MAX_PUBLIC_KEY_BYTES), signature: varBytes(MAX_SIGNATURE_BYTES) }, 'hello')],
  welcome: [2, struct({ worker: bytes(32) }, 'welcome')],
  offer: [3, struct({ job: varBytes(MAX_JOB_FRAME_BYTES - 64) }, 'offer')],
  result: [4, struct({ jobId: bytes(32), digest: bytes(32), fuelUsed: u64, outcome: Outcome, signature: varBytes(MAX_SIGNATURE_BYTES) }, 'result')],
  stats: [5, struct({ accepted: u32, credits: u64 }, 'stats')],
  heartbeat: [6, struct({}, 'heartbeat')],
  error: [7, struct({ message: utf8(300) }, 'error')],
  bye: [8, struct({}, 'bye')]
} as const, u8, 'donor message')

export type DonorMessageValue = CoderType<typeof DonorMessage>

/** Encodes a message (throws InvalidArgumentError for out-of-range fields). */
export function encodeDonorMessage (m: DonorMessageValue): Uint8Array {
  return encodeCanonical(DonorMessage as Coder<DonorMessageValue>, m)
}

/** Decodes one frame; throws DecodeError for anything that is not exactly one canonical message. */
export function decodeDonorMessage (frame: Uint8Array): DonorMessageValue {
  return decodeCanonical(DonorMessage as Coder<DonorMessageValue>, frame)
}

function cat (...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}

/** The bytes a donor signs to answer a challenge. */
export function helloMessage (nonce: Uint8Array, node: Uint8Array): Uint8Array { return cat(nonce, node) }

/** The bytes of a result attestation: jobId ‖ digest ‖ u64be(fuelUsed). */
export function attestationMessage (jobId: Uint8Array, digest: Uint8Array, fuelUsed: bigint): Uint8Array {
  if (jobId.length !== 32 || digest.length !== 32) throw new InvalidArgumentError('jobId and digest are 32 bytes')
  if (fuelUsed < 0n || fuelUsed >= 1n << 64n) throw new InvalidArgumentError('fuelUsed must be a u64')
  const f = new Uint8Array(8)
  new DataView(f.buffer).setBigUint64(0, fuelUsed)
  return cat(jobId, digest, f)
}

export function signAttestation (secretKey: Uint8Array, jobId: Uint8Array, digest: Uint8Array, fuelUsed: bigint): Uint8Array {
  return sign(secretKey, DOMAINS.JobResult, attestationMessage(jobId, digest, fuelUsed))
}

export function verifyAttestation (publicKey: Uint8Array, jobId: Uint8Array, digest: Uint8Array, fuelUsed: bigint, signature: Uint8Array): boolean {
  try { return verify(publicKey, DOMAINS.JobResult, attestationMessage(jobId, digest, fuelUsed), signature) } catch { return false }
}

/** An outcome as carried in a result (output bounded; the message trimmed to 300 bytes). */
export function outcomeToWire (o: JobOutcome): CoderType<typeof Outcome> {
  if (o.ok) return { type: 'ok', value: { output: o.output } }
  const enc = new TextEncoder()
  let message = o.message
  while (enc.encode(message).length > 300) message = message.slice(0, Math.max(0, message.length - 16))
  return { type: 'error', value: { name: o.error, message } }
}

/** The outcome of a result message, or undefined when it names an error ts/vm does not know. */
export function outcomeFromWire (w: CoderType<typeof Outcome>, fuelUsed: bigint): JobOutcome | undefined {
  if (w.type === 'ok') return { ok: true, output: w.value.output, fuelUsed }
  if (!(JOB_ERROR_NAMES as readonly string[]).includes(w.value.name)) return undefined
  return { ok: false, error: w.value.name as JobErrorName, message: w.value.message }
}

/** Builds the signed result message for `outcome` of the job `jobId`. */
export function resultMessage (secretKey: Uint8Array, jobId: Uint8Array, outcome: JobOutcome): DonorMessageValue {
  const digest = outcomeDigest(outcome)
  const fuelUsed = outcome.ok ? outcome.fuelUsed : 0n
  return { type: 'result', value: { jobId, digest, fuelUsed, outcome: outcomeToWire(outcome), signature: signAttestation(secretKey, jobId, digest, fuelUsed) } }
}

export { nodeIdOf }
