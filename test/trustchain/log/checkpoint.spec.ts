import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { formatCheckpoint, parseCheckpoint, signCheckpoint, openCheckpoint } from '../../../ts/trustchain/log/checkpoint.ts'
import { ed25519Signer, ed25519Verifier, cosignatureSigner, cosignatureVerifier, falconSigner, falconVerifier, addNoteSignatures, parseNote } from '../../../ts/trustchain/log/note.ts'
import { testKeyPair } from '../../fixtures/keys.ts'
import { C2SP_COSIGNED_CHECKPOINT } from './fixtures/note-vectors.ts'

const root = new Uint8Array(32).map((_, i) => i)

describe('checkpoint text (C2SP tlog-checkpoint)', () => {
  it('formats and parses, with extension lines', () => {
    const text = formatCheckpoint({ origin: 'example.com/log', size: 20852163, rootHash: root, extensions: ['ext one'] })
    expect(text).toBe(`example.com/log\n20852163\n${Buffer.from(root).toString('base64')}\next one\n`)
    expect(parseCheckpoint(text)).toEqual({ origin: 'example.com/log', size: 20852163, rootHash: root, extensions: ['ext one'] })
  })

  it('parses the body of the C2SP tlog-cosignature example', () => {
    const cp = parseCheckpoint(parseNote(C2SP_COSIGNED_CHECKPOINT).text)
    expect(cp.origin).toBe('example.com/behind-the-sofa')
    expect(cp.size).toBe(20852163)
    expect(Buffer.from(cp.rootHash).toString('base64')).toBe('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=')
  })

  it('rejects malformed checkpoints', () => {
    const r = Buffer.from(root).toString('base64')
    for (const bad of [
      '', 'o\n1\n', `o\n1\n${r}`, `\n1\n${r}\n`, `o\n01\n${r}\n`, `o\n-1\n${r}\n`, `o\n1.0\n${r}\n`, `o\n 1\n${r}\n`,
      `o\n99999999999999999\n${r}\n`, `o\n1\n${r.slice(0, -4)}\n`, `o\n1\n${r}=\n`, `o\n1\n${r}\n\n`, `o\n1\n${r.replace('A', '-')}\n`
    ]) {
      expect(() => parseCheckpoint(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ name: 'DecodeError' }))
    }
    expect(() => formatCheckpoint({ origin: 'a\nb', size: 1, rootHash: root })).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(() => formatCheckpoint({ origin: 'o', size: 1, rootHash: root.subarray(1) })).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
  })

  it('parser never crashes; formatted checkpoints round-trip (fast-check)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 120 }), (s) => {
      try { parseCheckpoint(s) } catch (err) { expect((err as Error).name).toBe('DecodeError') }
    }), { numRuns: 300 })
    fc.assert(fc.property(fc.stringMatching(/^[a-z./]{1,30}$/), fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (origin, size, rootHash) => {
      expect(parseCheckpoint(formatCheckpoint({ origin, size, rootHash }))).toEqual({ origin, size, rootHash })
    }), { numRuns: 200 })
  })
})

describe('signed checkpoints with policy', () => {
  const ed = ed25519Signer('log.example/a', new Uint8Array(32).fill(7))
  const kp = testKeyPair(2)
  const fal = falconSigner('log.example/a', kp.secretKey, kp.publicKey)
  const cosigners = [1, 2, 3].map((i) => cosignatureSigner(`validator-${i}.mesh`, new Uint8Array(32).fill(40 + i), () => 1_800_000_000))
  const log = [ed25519Verifier(ed.name, ed.publicKey), falconVerifier(fal.name, kp.publicKey)]
  const cv = cosigners.map((c) => cosignatureVerifier(c.name, c.publicKey))
  const cp = { origin: 'log.example/a', size: 3, rootHash: root }

  it('needs every log key and a quorum of cosigners', () => {
    const signed = signCheckpoint(cp, [ed, fal])
    expect(openCheckpoint(signed, { origin: cp.origin, log }).checkpoint).toEqual(cp)
    expect(() => openCheckpoint(signCheckpoint(cp, [ed]), { origin: cp.origin, log })).toThrow(/lacks the log signature/)
    expect(() => openCheckpoint(signed, { origin: 'other', log })).toThrow(/origin/)
    const cosigned = addNoteSignatures(signed, cosigners.slice(0, 2))
    const opened = openCheckpoint(cosigned, { origin: cp.origin, log, cosigners: cv, quorum: 2 })
    expect(opened.cosignedBy).toEqual(['validator-1.mesh', 'validator-2.mesh'])
    expect(() => openCheckpoint(cosigned, { origin: cp.origin, log, cosigners: cv, quorum: 3 })).toThrow(/needs 3/)
    // A cosignature made on an older checkpoint, pasted onto this one: rejected.
    const older = addNoteSignatures(signCheckpoint({ ...cp, size: 2 }, [ed]), [cosigners[2]])
    const stale = parseNote(older).signatures[1]
    const pasted = cosigned.slice(0, -1) + '\n' + `— ${stale.name} ${Buffer.concat([Buffer.from([stale.keyId >>> 24, (stale.keyId >>> 16) & 255, (stale.keyId >>> 8) & 255, stale.keyId & 255]), stale.signature]).toString('base64')}\n`
    expect(() => openCheckpoint(pasted, { origin: cp.origin, log, cosigners: cv, quorum: 2 })).toThrow(/invalid signature/)
  })
})
