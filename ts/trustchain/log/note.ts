/**
 * C2SP signed-note: parse, sign, verify; verifier keys (vkeys); the key
 * types the log uses:
 *  - 0x01 Ed25519 (signed-note §Ed25519), the type every note verifier reads;
 *  - 0x04 timestamped Ed25519 cosignatures (C2SP tlog-cosignature, v1);
 *  - 0xff FALCON-1024 (ours, see `falconSigner`).
 *
 * Parsing is strict (DecodeError): valid UTF-8, no control characters but
 * newline, the text ends in a newline and is separated from one or more
 * signature lines "— <name> <base64(keyID ‖ sig)>" by the last blank line,
 * names non-empty without spaces or '+', canonical base64, bounded sizes.
 * Opening follows the spec: signatures of unknown keys (name and key ID not
 * both matching) are ignored; a failing signature of a known key rejects the
 * whole note; no verified signature rejects it (NoteVerificationError).
 * @module
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { falcon1024 } from '@noble/post-quantum/falcon.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { DecodeError, InvalidArgumentError } from '../../errors.ts'
import { NoteVerificationError } from './errors.ts'
import { base64Decode, base64Encode, concatBytes, hexDecode, hexEncode, utf8Decoder, utf8Encoder } from './_codec.ts'
import {
  FALCON_NOTE_ALG_NAME, FALCON_NOTE_DOMAIN, MAX_NAME_BYTES, MAX_NOTE_BYTES, MAX_NOTE_SIGNATURES, MAX_NOTE_SIGNATURE_BYTES,
  SIG_TYPE_COSIGNATURE_V1, SIG_TYPE_ED25519, SIG_TYPE_OTHER
} from './constants.ts'

/** One signature line. `signature` excludes the 4-byte key ID. */
export interface NoteSignature {
  name: string
  keyId: number
  signature: Uint8Array
}

export interface Note {
  /** The signed text, ending in a newline. */
  text: string
  signatures: NoteSignature[]
}

export interface NoteVerifier {
  name: string
  keyId: number
  /** True iff `signature` (key ID stripped) is valid over `message` (the note text bytes). */
  verify: (message: Uint8Array, signature: Uint8Array) => boolean
}

export interface NoteSigner {
  name: string
  keyId: number
  sign: (message: Uint8Array) => Uint8Array
}

export interface OpenedNote extends Note {
  /** Signatures that verified with a given verifier. */
  verified: NoteSignature[]
  /** Signatures of keys not given (ignored, kept for re-publication). */
  unknown: NoteSignature[]
}

const EM_DASH_PREFIX = '\u2014 '
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f]/
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const SPACE_OR_PLUS = /[\s+\u0085\u180e\u200b]/u

/** True for a valid key name: non-empty, ≤ 255 bytes, no Unicode space, no '+', no control character. */
export function isValidKeyName (name: string): boolean {
  return typeof name === 'string' && name.length > 0 && utf8Encoder.encode(name).length <= MAX_NAME_BYTES &&
    !SPACE_OR_PLUS.test(name) && !CONTROL.test(name) && !name.includes('\n')
}

/** key ID = first 4 bytes, big-endian, of SHA-256(name ‖ 0x0A ‖ type ‖ public key). */
export function noteKeyId (name: string, type: Uint8Array, publicKey: Uint8Array): number {
  const h = sha256(concatBytes(utf8Encoder.encode(name), Uint8Array.of(0x0a), type, publicKey))
  return ((h[0] << 24) >>> 0) + (h[1] << 16) + (h[2] << 8) + h[3]
}

function keyIdBytes (id: number): Uint8Array {
  return Uint8Array.of(id >>> 24, (id >>> 16) & 255, (id >>> 8) & 255, id & 255)
}

function checkNoteText (text: string, what: string): void {
  if (CONTROL.test(text)) throw new DecodeError(`${what}: control character`)
  if (!text.endsWith('\n')) throw new DecodeError(`${what}: text must end with a newline`)
}

/** Parses a signed note without verifying it. */
export function parseNote (input: string | Uint8Array): Note {
  let msg: string
  if (input instanceof Uint8Array) {
    if (input.length > MAX_NOTE_BYTES) throw new DecodeError(`note longer than ${MAX_NOTE_BYTES} bytes`)
    try { msg = utf8Decoder.decode(input) } catch (err) { throw new DecodeError('note is not valid UTF-8', { cause: err }) }
  } else if (typeof input === 'string') {
    if (input.length > MAX_NOTE_BYTES || utf8Encoder.encode(input).length > MAX_NOTE_BYTES) throw new DecodeError(`note longer than ${MAX_NOTE_BYTES} bytes`)
    if (LONE_SURROGATE.test(input)) throw new DecodeError('note is not valid Unicode')
    msg = input
  } else {
    throw new InvalidArgumentError('note must be a string or Uint8Array')
  }
  if (CONTROL.test(msg)) throw new DecodeError('note contains a control character')
  const split = msg.lastIndexOf('\n\n')
  if (split < 0) throw new DecodeError('note has no blank line before its signatures')
  const text = msg.slice(0, split + 1)
  const sigText = msg.slice(split + 2)
  if (sigText.length === 0 || !sigText.endsWith('\n')) throw new DecodeError('note has no signature lines or they do not end with a newline')
  const lines = sigText.slice(0, -1).split('\n')
  if (lines.length > MAX_NOTE_SIGNATURES) throw new DecodeError(`note has more than ${MAX_NOTE_SIGNATURES} signatures`)
  const signatures: NoteSignature[] = []
  for (const line of lines) {
    if (!line.startsWith(EM_DASH_PREFIX)) throw new DecodeError('signature line does not start with "— "')
    const rest = line.slice(EM_DASH_PREFIX.length)
    const sp = rest.indexOf(' ')
    if (sp < 0) throw new DecodeError('signature line has no signature')
    const name = rest.slice(0, sp)
    if (!isValidKeyName(name)) throw new DecodeError('signature line has an invalid key name')
    const raw = base64Decode(rest.slice(sp + 1), MAX_NOTE_SIGNATURE_BYTES, 'signature')
    if (raw.length < 5) throw new DecodeError('signature shorter than key ID + 1 byte')
    const keyId = ((raw[0] << 24) >>> 0) + (raw[1] << 16) + (raw[2] << 8) + raw[3]
    signatures.push({ name, keyId, signature: raw.slice(4) })
  }
  return { text, signatures }
}

/** Encodes a note: text (ending in newline), blank line, one line per signature. */
export function formatNote (note: Note): string {
  checkNoteText(note.text, 'note text')
  if (note.signatures.length === 0 || note.signatures.length > MAX_NOTE_SIGNATURES) throw new InvalidArgumentError(`a note needs 1..${MAX_NOTE_SIGNATURES} signatures`)
  let out = note.text + '\n'
  for (const s of note.signatures) {
    if (!isValidKeyName(s.name)) throw new InvalidArgumentError(`invalid key name ${JSON.stringify(s.name)}`)
    out += `${EM_DASH_PREFIX}${s.name} ${base64Encode(concatBytes(keyIdBytes(s.keyId), s.signature))}\n`
  }
  if (utf8Encoder.encode(out).length > MAX_NOTE_BYTES) throw new InvalidArgumentError(`note longer than ${MAX_NOTE_BYTES} bytes`)
  return out
}

/** Signs `text` with every signer, after any `existing` signatures (kept in order). */
export function signNote (text: string, signers: readonly NoteSigner[], existing: readonly NoteSignature[] = []): string {
  checkNoteText(text, 'note text')
  const msg = utf8Encoder.encode(text)
  const sigs = [...existing]
  for (const s of signers) {
    if (sigs.some((x) => x.name === s.name && x.keyId === s.keyId)) throw new InvalidArgumentError(`note already signed by ${s.name}`)
    sigs.push({ name: s.name, keyId: s.keyId, signature: s.sign(msg) })
  }
  return formatNote({ text, signatures: sigs })
}

/** Adds signatures (e.g. validator cosignatures) to an already signed note; existing lines are kept byte for byte. */
export function addNoteSignatures (note: string | Uint8Array, signers: readonly NoteSigner[]): string {
  const parsed = parseNote(note)
  return signNote(parsed.text, signers, parsed.signatures)
}

/**
 * Parses and verifies a note. Throws DecodeError if malformed,
 * NoteVerificationError if a known key's signature fails or no known key
 * signed. Repeated signatures of one key count once.
 */
export function openNote (input: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const note = parseNote(input)
  const msg = utf8Encoder.encode(note.text)
  const verified: NoteSignature[] = []
  const unknown: NoteSignature[] = []
  const seenKeys = new Set<string>()
  const seenUnknown = new Set<string>()
  for (const sig of note.signatures) {
    const matches = verifiers.filter((x) => x.name === sig.name && x.keyId === sig.keyId)
    if (matches.length > 1 && matches.some((x) => x !== matches[0])) throw new NoteVerificationError(`ambiguous key ${sig.name}+${hexEncode(keyIdBytes(sig.keyId))}`)
    const v = matches[0]
    if (v === undefined) {
      const id = `${sig.keyId}:${sig.name}:${base64Encode(sig.signature)}`
      if (!seenUnknown.has(id)) { seenUnknown.add(id); unknown.push(sig) }
      continue
    }
    let ok = false
    try { ok = v.verify(msg, sig.signature) } catch { ok = false }
    if (!ok) throw new NoteVerificationError(`invalid signature by ${sig.name}`)
    // A key that signed twice counts once (as Go's note.Open does).
    const key = `${sig.keyId}:${sig.name}`
    if (!seenKeys.has(key)) { seenKeys.add(key); verified.push(sig) }
  }
  if (verified.length === 0) throw new NoteVerificationError('no signature by a known key')
  return { ...note, verified, unknown }
}

// ---- verifier keys ----

export interface ParsedVerifierKey {
  name: string
  keyId: number
  /** Signature type bytes (0x01, 0x04, or 0xff ‖ identifier). */
  type: Uint8Array
  publicKey: Uint8Array
}

const FALCON_TYPE = concatBytes(Uint8Array.of(SIG_TYPE_OTHER), utf8Encoder.encode(FALCON_NOTE_ALG_NAME))
const ED25519_TYPE = Uint8Array.of(SIG_TYPE_ED25519)
const COSIG_TYPE = Uint8Array.of(SIG_TYPE_COSIGNATURE_V1)
const FALCON_PUBLIC_KEY_BYTES = 1793
const FALCON_MAX_SIGNATURE_BYTES = 1462

/** `<name>+<hex key ID>+<base64(type ‖ public key)>` */
export function formatVerifierKey (k: ParsedVerifierKey): string {
  if (!isValidKeyName(k.name)) throw new InvalidArgumentError('invalid key name')
  return `${k.name}+${hexEncode(keyIdBytes(k.keyId))}+${base64Encode(concatBytes(k.type, k.publicKey))}`
}

/** Parses a vkey of type 0x01, 0x04 or our 0xff FALCON type; the key ID must match the key. */
export function parseVerifierKey (vkey: string): ParsedVerifierKey {
  if (typeof vkey !== 'string' || vkey.length > 4096) throw new DecodeError('verifier key too long')
  const a = vkey.indexOf('+')
  const b = a < 0 ? -1 : vkey.indexOf('+', a + 1)
  if (a < 0 || b < 0) throw new DecodeError('verifier key needs name+keyid+key')
  const name = vkey.slice(0, a)
  const idHex = vkey.slice(a + 1, b)
  if (!isValidKeyName(name)) throw new DecodeError('verifier key has an invalid name')
  if (idHex.length !== 8) throw new DecodeError('verifier key ID must be 8 hex digits')
  const idb = hexDecode(idHex, 'key ID')
  const keyId = ((idb[0] << 24) >>> 0) + (idb[1] << 16) + (idb[2] << 8) + idb[3]
  const raw = base64Decode(vkey.slice(b + 1), 4096, 'verifier key')
  let type: Uint8Array
  let publicKey: Uint8Array
  if (raw[0] === SIG_TYPE_ED25519 || raw[0] === SIG_TYPE_COSIGNATURE_V1) {
    if (raw.length !== 33) throw new DecodeError('Ed25519 verifier key must be 32 bytes')
    type = raw.slice(0, 1); publicKey = raw.slice(1)
  } else if (raw[0] === SIG_TYPE_OTHER && startsWith(raw, FALCON_TYPE)) {
    if (raw.length !== FALCON_TYPE.length + FALCON_PUBLIC_KEY_BYTES) throw new DecodeError('FALCON-1024 verifier key has the wrong length')
    type = FALCON_TYPE; publicKey = raw.slice(FALCON_TYPE.length)
  } else {
    throw new DecodeError('unsupported verifier key type')
  }
  if (noteKeyId(name, type, publicKey) !== keyId) throw new DecodeError('verifier key ID does not match the key')
  return { name, keyId, type, publicKey }
}

function startsWith (a: Uint8Array, prefix: Uint8Array): boolean {
  if (a.length < prefix.length) return false
  for (let i = 0; i < prefix.length; i++) if (a[i] !== prefix[i]) return false
  return true
}

/** A NoteVerifier for a vkey string of any supported type. */
export function verifierFromKey (vkey: string, options: CosignatureVerifyOptions = {}): NoteVerifier {
  const k = parseVerifierKey(vkey)
  if (k.type[0] === SIG_TYPE_ED25519) return ed25519Verifier(k.name, k.publicKey)
  if (k.type[0] === SIG_TYPE_COSIGNATURE_V1) return cosignatureVerifier(k.name, k.publicKey, options)
  return falconVerifier(k.name, k.publicKey)
}

// ---- Ed25519 (type 0x01) ----

function checkSeed (seed: Uint8Array): void {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new InvalidArgumentError('Ed25519 secret key must be a 32-byte seed')
}
function checkName (name: string): void {
  if (!isValidKeyName(name)) throw new InvalidArgumentError(`invalid key name ${JSON.stringify(name)}`)
}

export function ed25519Signer (name: string, seed: Uint8Array): NoteSigner & { publicKey: Uint8Array, vkey: string } {
  checkName(name); checkSeed(seed)
  const publicKey = ed25519.getPublicKey(seed)
  const keyId = noteKeyId(name, ED25519_TYPE, publicKey)
  return { name, keyId, publicKey, vkey: formatVerifierKey({ name, keyId, type: ED25519_TYPE, publicKey }), sign: (m) => ed25519.sign(m, seed) }
}

export function ed25519Verifier (name: string, publicKey: Uint8Array): NoteVerifier {
  checkName(name)
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) throw new InvalidArgumentError('Ed25519 public key must be 32 bytes')
  return {
    name,
    keyId: noteKeyId(name, ED25519_TYPE, publicKey),
    verify: (m, sig) => sig.length === 64 && ed25519.verify(sig, m, publicKey, { zip215: false })
  }
}

/** Parses a Go-style signer key `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 ‖ seed)>`. */
export function ed25519SignerFromKey (skey: string): ReturnType<typeof ed25519Signer> {
  const prefix = 'PRIVATE+KEY+'
  if (typeof skey !== 'string' || !skey.startsWith(prefix) || skey.length > 512) throw new DecodeError('signer key must start with PRIVATE+KEY+')
  const rest = skey.slice(prefix.length)
  const a = rest.indexOf('+')
  const b = a < 0 ? -1 : rest.indexOf('+', a + 1)
  if (a < 0 || b < 0) throw new DecodeError('signer key needs name+keyid+key')
  const name = rest.slice(0, a)
  if (!isValidKeyName(name)) throw new DecodeError('signer key has an invalid name')
  const raw = base64Decode(rest.slice(b + 1), 64, 'signer key')
  if (raw.length !== 33 || raw[0] !== SIG_TYPE_ED25519) throw new DecodeError('signer key is not an Ed25519 seed')
  const signer = ed25519Signer(name, raw.slice(1))
  if (rest.slice(a + 1, b) !== hexEncode(keyIdBytes(signer.keyId))) throw new DecodeError('signer key ID does not match the key')
  return signer
}

// ---- timestamped Ed25519 cosignatures (type 0x04, C2SP tlog-cosignature v1) ----

export interface CosignatureVerifyOptions {
  /** Reject cosignatures older than this POSIX time (seconds): a stale cosignature. */
  notBefore?: number
  /** Reject cosignatures newer than this POSIX time (seconds), e.g. now + allowed skew. */
  notAfter?: number
}

function cosignedMessage (timestamp: number, text: Uint8Array): Uint8Array {
  return concatBytes(utf8Encoder.encode(`cosignature/v1\ntime ${timestamp}\n`), text)
}

/** The timestamp of a type-0x04 signature (key ID stripped); DecodeError if it is not 8 + 64 bytes or ≥ 2^63. */
export function cosignatureTimestamp (signature: Uint8Array): number {
  if (signature.length !== 72) throw new DecodeError('cosignature must be 8 + 64 bytes')
  if (signature[0] >= 0x80) throw new DecodeError('cosignature timestamp ≥ 2^63')
  const dv = new DataView(signature.buffer, signature.byteOffset, 8)
  const t = dv.getBigUint64(0)
  if (t > BigInt(Number.MAX_SAFE_INTEGER)) throw new DecodeError('cosignature timestamp beyond 2^53')
  return Number(t)
}

/** A cosigner: signs "cosignature/v1\ntime <t>\n" ‖ checkpoint text, emits timestamp ‖ signature. */
export function cosignatureSigner (name: string, seed: Uint8Array, now: () => number = () => Math.floor(Date.now() / 1000)): NoteSigner & { publicKey: Uint8Array, vkey: string } {
  checkName(name); checkSeed(seed)
  const publicKey = ed25519.getPublicKey(seed)
  const keyId = noteKeyId(name, COSIG_TYPE, publicKey)
  return {
    name,
    keyId,
    publicKey,
    vkey: formatVerifierKey({ name, keyId, type: COSIG_TYPE, publicKey }),
    sign: (m) => {
      const t = now()
      if (!Number.isSafeInteger(t) || t < 0) throw new InvalidArgumentError('cosignature time must be a non-negative integer')
      const out = new Uint8Array(72)
      new DataView(out.buffer).setBigUint64(0, BigInt(t))
      out.set(ed25519.sign(cosignedMessage(t, m), seed), 8)
      return out
    }
  }
}

export function cosignatureVerifier (name: string, publicKey: Uint8Array, options: CosignatureVerifyOptions = {}): NoteVerifier {
  checkName(name)
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) throw new InvalidArgumentError('Ed25519 public key must be 32 bytes')
  return {
    name,
    keyId: noteKeyId(name, COSIG_TYPE, publicKey),
    verify: (m, sig) => {
      let t: number
      try { t = cosignatureTimestamp(sig) } catch { return false }
      if (options.notBefore !== undefined && t < options.notBefore) return false
      if (options.notAfter !== undefined && t > options.notAfter) return false
      return ed25519.verify(sig.subarray(8), cosignedMessage(t, m), publicKey, { zip215: false })
    }
  }
}

// ---- FALCON-1024 (type 0xff ‖ "hypermesh/falcon-1024/v1") ----

/**
 * FALCON-1024 note signatures. Signature type bytes T = 0xff ‖
 * ASCII("hypermesh/falcon-1024/v1"); key ID = SHA-256(name ‖ 0x0A ‖ T ‖
 * 1793-byte public key)[:4]; vkey = name+hex(key ID)+base64(T ‖ public key).
 * The signature bytes after the key ID are the FALCON-1024 signature
 * (@noble/post-quantum encoding, ≤ 1462 bytes) of
 * len ‖ ASCII("hypermesh/log/note/v1") ‖ note text, where len is one byte
 * (the domain's length) — the same domain-separation shape as ts/identity.
 */
export function falconSigner (name: string, secretKey: Uint8Array, publicKey: Uint8Array): NoteSigner & { vkey: string } {
  checkName(name)
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 2305) throw new InvalidArgumentError('FALCON-1024 secret key must be 2305 bytes')
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== FALCON_PUBLIC_KEY_BYTES) throw new InvalidArgumentError('FALCON-1024 public key must be 1793 bytes')
  const keyId = noteKeyId(name, FALCON_TYPE, publicKey)
  return {
    name,
    keyId,
    vkey: formatVerifierKey({ name, keyId, type: FALCON_TYPE, publicKey }),
    sign: (m) => falcon1024.sign(falconMessage(m), secretKey)
  }
}

export function falconVerifier (name: string, publicKey: Uint8Array): NoteVerifier {
  checkName(name)
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== FALCON_PUBLIC_KEY_BYTES) throw new InvalidArgumentError('FALCON-1024 public key must be 1793 bytes')
  return {
    name,
    keyId: noteKeyId(name, FALCON_TYPE, publicKey),
    verify: (m, sig) => {
      if (sig.length === 0 || sig.length > FALCON_MAX_SIGNATURE_BYTES) return false
      try { return falcon1024.verify(sig, falconMessage(m), publicKey) } catch { return false }
    }
  }
}

const FALCON_DOMAIN_BYTES = utf8Encoder.encode(FALCON_NOTE_DOMAIN)
function falconMessage (text: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(FALCON_DOMAIN_BYTES.length), FALCON_DOMAIN_BYTES, text)
}

/** Signature type bytes of the FALCON-1024 note signature (0xff ‖ identifier). */
export const FALCON_NOTE_SIG_TYPE: Uint8Array = FALCON_TYPE
