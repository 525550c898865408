import { describe, it, expect } from 'vitest'
import {
  TransparencyLog, MemoryLogStorage, CheckpointPublisher, ed25519Signer, ed25519Verifier, cosignatureSigner, cosignatureVerifier,
  addNoteSignatures, openCheckpoint, openNote, verifierFromKey, signNote
} from '../../../ts/trustchain/log/index.ts'

const ORIGIN = 'test.mesh/log'
const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('CheckpointPublisher', () => {
  it('publishes a cosigned checkpoint when the tree grew, on its interval', async () => {
    const log = await TransparencyLog.open(new MemoryLogStorage(), { origin: ORIGIN })
    const ed = ed25519Signer(ORIGIN, new Uint8Array(32).fill(1))
    const v = cosignatureSigner('v.mesh', new Uint8Array(32).fill(2))
    const seen: number[] = []
    const pub = new CheckpointPublisher(log, {
      signers: [ed],
      intervalMs: 20,
      cosign: async (s) => addNoteSignatures(s.note, [v]),
      onPublish: (s) => { if (s !== null) seen.push(s.checkpoint.size) }
    })
    expect((await pub.publishNow())?.checkpoint.size).toBe(0)
    expect(await pub.publishNow()).toBeNull()
    pub.start()
    await log.appendMany([enc('a'), enc('b')])
    await new Promise((resolve) => setTimeout(resolve, 120))
    pub.stop()
    expect(seen).toEqual([0, 2])
    const note = log.latestCheckpoint?.note as string
    const opened = openCheckpoint(note, { origin: ORIGIN, log: [ed25519Verifier(ORIGIN, ed.publicKey)], cosigners: [cosignatureVerifier(v.name, v.publicKey)], quorum: 1 })
    expect(opened.checkpoint.size).toBe(2)
  })

  it('keeps the uncosigned checkpoint when cosigning fails', async () => {
    const log = await TransparencyLog.open(new MemoryLogStorage(), { origin: ORIGIN })
    const ed = ed25519Signer(ORIGIN, new Uint8Array(32).fill(1))
    let error: unknown
    const pub = new CheckpointPublisher(log, { signers: [ed], cosign: async () => { throw new Error('validators unreachable') }, onPublish: (_s, err) => { error = err } })
    await log.append(enc('a'))
    expect((await pub.publishNow())?.checkpoint.size).toBe(1)
    expect((error as Error).message).toBe('validators unreachable')
    expect(log.latestCheckpoint?.checkpoint.size).toBe(1)
  })
})

describe('note verifier list', () => {
  it('refuses two different verifiers for one name and key ID (ambiguous, as sumdb/note)', () => {
    const s = ed25519Signer('k', new Uint8Array(32).fill(3))
    const note = signNote('t\n', [s])
    const a = ed25519Verifier('k', s.publicKey)
    const b = verifierFromKey(s.vkey)
    expect(() => openNote(note, [a, b])).toThrow(/ambiguous/)
    expect(openNote(note, [a, a]).verified).toHaveLength(1)
  })
})
