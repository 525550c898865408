/**
 * A job: a program (WASM module or JavaScript source), its input and its
 * limits, content-addressed by the SHA-256 of its canonical encoding.
 *
 * Encoding (ts/wire): "hmjob" ‖ u8 version=1 ‖ module ‖ input ‖ limits where
 *   module = u8 tag (0 wasm, 1 js) ‖ uvarint length ‖ bytes (UTF-8 for js)
 *   input  = uvarint length ‖ bytes
 *   limits = u32 memoryBytes ‖ u64 fuel ‖ u32 wallMs ‖ u32 outputBytes (big-endian)
 * JobId = SHA-256(encoding).
 */
import { sha256 } from '@noble/hashes/sha2.js'
import {
  struct, tagged, varBytes, utf8, u8, u32, u64, literal, magic, transform,
  encodeCanonical, decodeCanonical, type Coder
} from '../wire/index.ts'
import { InvalidArgumentError } from '../errors.ts'
import {
  JOB_MAGIC, JOB_VERSION, MAX_FUEL, MAX_INPUT_BYTES, MAX_JS_SOURCE_BYTES, MAX_MEMORY_BYTES,
  MAX_MODULE_BYTES, MAX_OUTPUT_BYTES, MAX_WALL_MS, MIN_MEMORY_BYTES
} from './constants.ts'

export interface JobLimits {
  /** Most linear memory (WASM) or heap (QuickJS) the job may use, bytes. WASM rounds down to whole pages. */
  memoryBytes: number
  /** Deterministic instruction budget (see docs/vm.md for the unit). */
  fuel: bigint
  /** Wall-clock backstop, milliseconds; enforced by worker runners and the QuickJS interrupt handler. */
  wallMs: number
  /** Longest output accepted, bytes. */
  outputBytes: number
}

export type JobModule = { type: 'wasm', value: Uint8Array } | { type: 'js', value: string }

export interface Job {
  module: JobModule
  input: Uint8Array
  limits: JobLimits
}

/** Returns the reason `limits` is out of range, or undefined. */
export function limitsProblem (l: JobLimits): string | undefined {
  if (l === null || typeof l !== 'object') return 'limits must be an object'
  if (!Number.isSafeInteger(l.memoryBytes) || l.memoryBytes < MIN_MEMORY_BYTES || l.memoryBytes > MAX_MEMORY_BYTES) return `limits.memoryBytes must be in [${MIN_MEMORY_BYTES}, ${MAX_MEMORY_BYTES}], got ${String(l.memoryBytes)}`
  if (typeof l.fuel !== 'bigint' || l.fuel < 1n || l.fuel > MAX_FUEL) return `limits.fuel must be a bigint in [1, 2^62], got ${String(l.fuel)}`
  if (!Number.isSafeInteger(l.wallMs) || l.wallMs < 1 || l.wallMs > MAX_WALL_MS) return `limits.wallMs must be in [1, ${MAX_WALL_MS}], got ${String(l.wallMs)}`
  if (!Number.isSafeInteger(l.outputBytes) || l.outputBytes < 0 || l.outputBytes > MAX_OUTPUT_BYTES) return `limits.outputBytes must be in [0, ${MAX_OUTPUT_BYTES}], got ${String(l.outputBytes)}`
  return undefined
}

const RawLimits = struct({ memoryBytes: u32, fuel: u64, wallMs: u32, outputBytes: u32 }, 'JobLimits')

/** Limits, range-checked on encode and decode. */
export const JobLimitsCoder: Coder<JobLimits> = transform(RawLimits,
  (l: JobLimits) => { const p = limitsProblem(l); if (p !== undefined) throw new Error(p); return l },
  (l) => { const p = limitsProblem(l); if (p !== undefined) throw new Error(p); return l },
  'JobLimits')

export const JobModuleCoder = tagged({
  wasm: [0, varBytes(MAX_MODULE_BYTES)],
  js: [1, utf8(MAX_JS_SOURCE_BYTES)]
} as const, u8, 'JobModule') as Coder<JobModule>

/** The canonical job coder (bounded: every length is checked before allocating). */
export const JobCoder: Coder<Job> = magic(JOB_MAGIC, transform(
  struct({ version: literal(u8, JOB_VERSION), module: JobModuleCoder, input: varBytes(MAX_INPUT_BYTES), limits: JobLimitsCoder }, 'Job'),
  (j: Job) => ({ version: JOB_VERSION, module: j.module, input: j.input, limits: j.limits }),
  (s) => ({ module: s.module, input: s.input, limits: s.limits }),
  'Job'))

/** Canonical bytes of a job. Throws InvalidArgumentError when a field is out of range. */
export function encodeJob (job: Job): Uint8Array {
  return encodeCanonical(JobCoder, job)
}

/** Parses job bytes; throws DecodeError for anything that is not a canonical, in-range job. Byte fields are views of `bytes`. */
export function decodeJob (bytes: Uint8Array): Job {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('job bytes must be a Uint8Array')
  return decodeCanonical(JobCoder, bytes)
}

/** 32-byte content address: SHA-256 of the canonical encoding. */
export function jobId (job: Job): Uint8Array {
  return sha256(encodeJob(job))
}

/** Lower-case hex of a job id. */
export function jobIdHex (id: Uint8Array): string {
  let s = ''
  for (const b of id) s += b.toString(16).padStart(2, '0')
  return s
}

/** Builds a job, checking its fields (throws InvalidArgumentError). */
export function createJob (module: Uint8Array | { js: string }, input: Uint8Array, limits: JobLimits): Job {
  let m: JobModule
  if (module instanceof Uint8Array) m = { type: 'wasm', value: module }
  else if (module !== null && typeof module === 'object' && typeof module.js === 'string') m = { type: 'js', value: module.js }
  else throw new InvalidArgumentError('module must be WASM bytes or { js: source }')
  if (!(input instanceof Uint8Array)) throw new InvalidArgumentError('input must be a Uint8Array')
  const p = limitsProblem(limits)
  if (p !== undefined) throw new InvalidArgumentError(p)
  const job: Job = { module: m, input, limits: { ...limits } }
  encodeJob(job) // length bounds
  return job
}
