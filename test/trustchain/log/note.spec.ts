import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import {
  parseNote, formatNote, signNote, openNote, addNoteSignatures, parseVerifierKey, verifierFromKey, formatVerifierKey,
  ed25519Signer, ed25519SignerFromKey, ed25519Verifier, cosignatureSigner, cosignatureVerifier, cosignatureTimestamp,
  falconSigner, falconVerifier, noteKeyId, FALCON_NOTE_SIG_TYPE
} from '../../../ts/trustchain/log/note.ts'
import { testKeyPair } from '../../fixtures/keys.ts'
import * as V from './fixtures/note-vectors.ts'

const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'))
const seed = (i: number): Uint8Array => new Uint8Array(32).fill(i)

describe('golang.org/x/mod sumdb/note vectors', () => {
  it('signs the TestSign note byte for byte from the published signer key', () => {
    const signer = ed25519SignerFromKey(V.PETER_SKEY)
    expect(signer.vkey).toBe(V.PETER_VKEY)
    expect(signer.keyId).toBe(0xc74f20a3)
    expect(signNote(V.PETER_TEXT, [signer])).toBe(V.PETER_TEXT + '\n' + V.PETER_SIG_LINE)
  })

  it('opens as TestOpen does: one known, one unknown, both, none, tampered', () => {
    const peter = verifierFromKey(V.PETER_VKEY)
    const enoch = verifierFromKey(V.ENOCH_VKEY)
    const msg = V.PETER_TEXT + '\n' + V.PETER_SIG_LINE + V.ENOCH_SIG_LINE
    const one = openNote(msg, [peter])
    expect(one.text).toBe(V.PETER_TEXT)
    expect(one.verified.map((s) => s.name)).toEqual(['PeterNeumann'])
    expect(one.unknown.map((s) => [s.name, s.keyId])).toEqual([['EnochRoot', 0xaf0cfe78]])
    expect(openNote(msg, [peter, enoch]).verified.map((s) => s.name)).toEqual(['PeterNeumann', 'EnochRoot'])
    expect(() => openNote(msg, [])).toThrow(expect.objectContaining({ name: 'NoteVerificationError' }))
    // Invalid signature of a known key rejects the note.
    const bad = V.PETER_TEXT + '\n' + V.PETER_SIG_LINE.slice(0, 60) + 'ABCD' + V.PETER_SIG_LINE.slice(60)
    expect(() => openNote(bad, [peter])).toThrow(/invalid signature/)
    expect(() => openNote(msg.replace('problem,', 'problem;'), [peter])).toThrow(/invalid signature/)
    // Repeated signatures count once; more than 100 lines are malformed.
    expect(openNote(V.PETER_TEXT + '\n' + V.PETER_SIG_LINE + V.PETER_SIG_LINE, [peter]).verified).toHaveLength(1)
    expect(() => openNote(V.PETER_TEXT + '\n' + V.PETER_SIG_LINE.repeat(101), [peter])).toThrow(expect.objectContaining({ name: 'DecodeError' }))
  })

  it('rejects the malformed notes of TestOpen', () => {
    const peter = verifierFromKey(V.PETER_VKEY)
    const T = V.PETER_TEXT
    const bad = [
      T,
      T + '\n',
      T + '\n' + V.PETER_SIG_LINE.slice(0, -1),
      '\x01' + T + '\n' + V.PETER_SIG_LINE,
      T + '\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=',
      T + '\n' + V.PETER_SIG_LINE + 'Unexpected line.\n'
    ]
    for (const m of bad) expect(() => openNote(m, [peter])).toThrow(expect.objectContaining({ name: 'DecodeError' }))
    const invalidUtf8 = new Uint8Array([0xff, ...new TextEncoder().encode(T + '\n' + V.PETER_SIG_LINE)])
    expect(() => openNote(invalidUtf8, [peter])).toThrow(expect.objectContaining({ name: 'DecodeError' }))
  })

  it('verifier keys: parsed, re-encoded, mangled ones refused (TestNewVerifier)', () => {
    const k = parseVerifierKey(V.PETER_VKEY)
    expect(k.name).toBe('PeterNeumann')
    expect(formatVerifierKey(k)).toBe(V.PETER_VKEY)
    for (const bad of V.BAD_VKEYS) expect(() => parseVerifierKey(bad)).toThrow()
    const s = V.PETER_VKEY
    for (let i = 0; i < s.length; i++) {
      expect(() => parseVerifierKey(s.slice(0, i))).toThrow()
      expect(() => parseVerifierKey(s.slice(i + 1))).toThrow()
      const mangled = s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) + 1) + s.slice(i + 1)
      expect(() => parseVerifierKey(mangled)).toThrow()
    }
  })
})

describe('C2SP signed-note examples', () => {
  it('verifies the spec\'s example note with its vkey', () => {
    const v = verifierFromKey(V.C2SP_EXAMPLE_VKEY)
    const opened = openNote(V.C2SP_EXAMPLE_NOTE, [v])
    expect(opened.text).toBe('This is an example message.\n')
    expect(() => openNote(V.C2SP_EXAMPLE_NOTE.replace('example message', 'exemple message'), [v])).toThrow(/invalid signature/)
  })

  it('splits text and signatures at the last blank line', () => {
    const n = parseNote(V.C2SP_QUASIMODO_NOTE)
    expect(n.text).toBe('Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n')
    expect(n.signatures).toHaveLength(1)
    expect(n.signatures[0].name).toBe('quasimodo.example/salvatore')
    expect(formatNote(n)).toBe(V.C2SP_QUASIMODO_NOTE)
  })

  it('parses the tlog-cosignature example checkpoint and reads its cosignature timestamp', () => {
    const n = parseNote(V.C2SP_COSIGNED_CHECKPOINT)
    expect(n.signatures.map((s) => s.name)).toEqual(['example.com/behind-the-sofa', 'witness.example.com/w1'])
    expect(cosignatureTimestamp(n.signatures[1].signature)).toBe(1679315147)
    expect(formatNote(n)).toBe(V.C2SP_COSIGNED_CHECKPOINT)
  })
})

describe('cosignatures (type 0x04)', () => {
  it('reads the timestamp of the transparency-dev/formats vector, refuses a type-0x01 signature', () => {
    expect(cosignatureTimestamp(b64(V.COSIG_V1_SIGNATURE_B64).subarray(4))).toBe(V.COSIG_V1_TIMESTAMP)
    expect(() => cosignatureTimestamp(b64(V.NOT_COSIG_SIGNATURE_B64).subarray(4))).toThrow(expect.objectContaining({ name: 'DecodeError' }))
  })

  it('a cosignature verifies; forged, stale, replayed on another checkpoint or with a plain Ed25519 verifier does not', () => {
    let t = 1_700_000_000
    const logKey = ed25519Signer('log.example/1', seed(1))
    const w = cosignatureSigner('witness.example/w1', seed(2), () => t)
    const text = 'log.example/1\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'
    const note = addNoteSignatures(signNote(text, [logKey]), [w])
    expect(note.startsWith(signNote(text, [logKey]))).toBe(true)
    const wv = cosignatureVerifier(w.name, w.publicKey)
    expect(verifierFromKey(w.vkey).keyId).toBe(wv.keyId)
    expect(wv.keyId).toBe(noteKeyId(w.name, Uint8Array.of(4), w.publicKey))
    const opened = openNote(note, [ed25519Verifier(logKey.name, logKey.publicKey), wv])
    expect(opened.verified).toHaveLength(2)
    expect(cosignatureTimestamp(opened.verified[1].signature)).toBe(t)
    // Stale: older than the verifier accepts.
    expect(() => openNote(note, [cosignatureVerifier(w.name, w.publicKey, { notBefore: t + 1 })])).toThrow(/invalid signature/)
    expect(() => openNote(note, [cosignatureVerifier(w.name, w.publicKey, { notAfter: t - 1 })])).toThrow(/invalid signature/)
    // Forged: the timestamp changed under the signature.
    const parsed = parseNote(note)
    const forged = parsed.signatures[1].signature.slice()
    forged[7] ^= 1
    const forgedNote = formatNote({ text, signatures: [parsed.signatures[0], { ...parsed.signatures[1], signature: forged }] })
    expect(() => openNote(forgedNote, [wv])).toThrow(/invalid signature/)
    // Replayed onto a different checkpoint.
    const other = 'log.example/1\n6\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'
    const replayed = formatNote({ text: other, signatures: [parsed.signatures[1]] })
    expect(() => openNote(replayed, [wv])).toThrow(/invalid signature/)
    // A plain Ed25519 verifier for the same key and name has another key ID: the cosignature is unknown to it.
    expect(() => openNote(formatNote({ text, signatures: [parsed.signatures[1]] }), [ed25519Verifier(w.name, w.publicKey)])).toThrow(/no signature by a known key/)
    t = 2 ** 53
    expect(() => w.sign(new Uint8Array(1))).toThrow(/non-negative integer/)
  })
})

describe('FALCON-1024 note signatures (type 0xff)', () => {
  const kp = testKeyPair(0)
  it('signs and verifies; key ID and vkey formed as documented; tampering rejected', () => {
    const s = falconSigner('log.example/1', kp.secretKey, kp.publicKey)
    const typeBytes = new Uint8Array([0xff, ...new TextEncoder().encode('hypermesh/falcon-1024/v1')])
    expect(FALCON_NOTE_SIG_TYPE).toEqual(typeBytes)
    expect(s.keyId).toBe(noteKeyId('log.example/1', typeBytes, kp.publicKey))
    const parsed = parseVerifierKey(s.vkey)
    expect(parsed.publicKey).toEqual(kp.publicKey)
    const text = 'log.example/1\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n'
    const note = signNote(text, [s])
    const v = verifierFromKey(s.vkey)
    expect(openNote(note, [v]).verified).toHaveLength(1)
    expect(() => openNote(note.replace('\n0\n', '\n1\n'), [v])).toThrow(/invalid signature/)
    expect(() => openNote(note, [falconVerifier('log.example/1', testKeyPair(1).publicKey)])).toThrow(/no signature by a known key/)
  })
})

describe('note parser (fast-check)', () => {
  it('never crashes on arbitrary bytes or strings: parses or throws DecodeError', () => {
    const check = (input: string | Uint8Array): void => {
      try { parseNote(input) } catch (err) { expect((err as Error).name).toBe('DecodeError') }
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), check), { numRuns: 300 })
    fc.assert(fc.property(fc.string({ maxLength: 200 }), check), { numRuns: 300 })
    const piece = fc.constantFrom('\n', '\n\n', '— ', 'a', ' ', '+', 'AAAAAAA=', 'x08go/ZJ', '=', '\u2014')
    fc.assert(fc.property(fc.array(piece, { maxLength: 30 }), (ps) => check(ps.join(''))), { numRuns: 300 })
  })

  it('round-trips every note it formats', () => {
    const name = fc.stringMatching(/^[a-z0-9./_-]{1,20}$/)
    const line = fc.stringMatching(/^[a-zA-Z0-9 .,/=-]{0,30}$/)
    fc.assert(fc.property(fc.array(line, { minLength: 1, maxLength: 5 }), fc.array(fc.record({ name, keyId: fc.nat({ max: 0xffffffff }), signature: fc.uint8Array({ minLength: 1, maxLength: 100 }) }), { minLength: 1, maxLength: 5 }), (lines, signatures) => {
      const text = lines.join('\n') + '\n'
      const enc = formatNote({ text, signatures })
      const dec = parseNote(enc)
      expect(dec.text).toBe(text)
      expect(dec.signatures).toEqual(signatures)
      expect(parseNote(new TextEncoder().encode(enc))).toEqual(dec)
    }), { numRuns: 200 })
  })
})
