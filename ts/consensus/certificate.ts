/**
 * Commit certificates: 2f+1 (by power) precommit signatures over
 * (chainId, height, round, blockHash). Anyone holding the genesis validator
 * set verifies one offline.
 */
import { bytesEqual, type CommitCertificate } from '../ledger/index.ts'
import { DOMAIN_VOTE } from './constants.ts'
import { voteSignBytes, type Vote } from './messages.ts'
import type { ValidatorSet } from './validators.ts'

/** Signature check: identity's `verify(publicKey, domain, message, sig)`. */
export type SignatureVerify = (publicKey: Uint8Array, domain: string, message: Uint8Array, signature: Uint8Array) => boolean

export type CertCheck = { ok: true } | { ok: false, reason: string }

/** Builds a certificate from precommits for `blockHash` in one round (sorted by validator index). */
export function buildCommitCertificate (height: number, round: number, blockHash: Uint8Array, precommits: Iterable<Vote>): CommitCertificate {
  const sigs = [...precommits]
    .filter((v) => v.type === 'precommit' && v.height === height && v.round === round && v.value !== null && bytesEqual(v.value, blockHash))
    .sort((a, b) => a.validator - b.validator)
    .map((v) => ({ validator: v.validator, signature: v.signature }))
  return { height, round, blockHash, signatures: sigs }
}

/**
 * Verifies a commit certificate against the validator set: strictly
 * increasing known validator indices (no duplicates), every signature valid
 * over the precommit bytes, total power ≥ quorum; and, when given, the
 * expected height and block hash.
 */
export function verifyCommitCertificate (
  cert: CommitCertificate, validators: ValidatorSet, chainId: string, verify: SignatureVerify,
  expect: { height?: number, blockHash?: Uint8Array } = {}
): CertCheck {
  if (expect.height !== undefined && cert.height !== expect.height) return { ok: false, reason: `certificate height ${cert.height} is not ${expect.height}` }
  if (expect.blockHash !== undefined && !bytesEqual(cert.blockHash, expect.blockHash)) return { ok: false, reason: 'certificate is for another block' }
  let prev = -1
  let power = 0
  const msg = voteSignBytes(chainId, { type: 'precommit', height: cert.height, round: cert.round, value: cert.blockHash })
  for (const s of cert.signatures) {
    if (!Number.isInteger(s.validator) || s.validator <= prev) return { ok: false, reason: 'signers not strictly increasing (duplicate signer?)' }
    prev = s.validator
    const v = validators.validators[s.validator]
    if (v === undefined) return { ok: false, reason: `unknown validator ${s.validator}` }
    if (!verify(v.publicKey, DOMAIN_VOTE, msg, s.signature)) return { ok: false, reason: `bad signature from validator ${s.validator}` }
    power += v.power
  }
  if (power < validators.quorum) return { ok: false, reason: `power ${power} below quorum ${validators.quorum}` }
  return { ok: true }
}
