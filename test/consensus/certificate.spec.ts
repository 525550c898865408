import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { blockHash, decodeCert, encodeCert, type CommitCertificate } from '../../ts/ledger/index.ts'
import { ValidatorSet, decodeMessage, encodeMessage, verifyCommitCertificate, type Message } from '../../ts/consensus/index.ts'
import { DOMAIN_VOTE, decodeWal, voteSignBytes } from '../../ts/consensus/index.ts'
import { fixture, makeBlock } from './_fixture.ts'

describe('commit certificate verification', () => {
  const fx = fixture()
  const A = makeBlock(7, 1)
  const hash = blockHash(A)
  const sig = (i: number, h = 7, r = 2, v = hash): Uint8Array => fx.crypto.sign(fx.keys[i], DOMAIN_VOTE, voteSignBytes(fx.chainId, { type: 'precommit', height: h, round: r, value: v }))
  const good = (): CommitCertificate => ({ height: 7, round: 2, blockHash: hash, signatures: [0, 1, 3].map((i) => ({ validator: i, signature: sig(i) })) })
  const check = (c: CommitCertificate, expect_: { height?: number, blockHash?: Uint8Array } = {}): ReturnType<typeof verifyCommitCertificate> =>
    verifyCommitCertificate(c, fx.vs, fx.chainId, fx.crypto.verify, expect_)

  it('accepts 2f+1 valid precommit signatures', () => {
    expect(fx.vs.quorum).toBe(3)
    expect(check(good(), { height: 7, blockHash: hash })).toEqual({ ok: true })
    expect(check({ ...good(), signatures: [0, 1, 2, 3].map((i) => ({ validator: i, signature: sig(i) })) })).toEqual({ ok: true })
  })

  it('rejects a forged signature', () => {
    const c = good()
    const s = c.signatures[1].signature.slice(); s[40] ^= 1
    c.signatures[1] = { validator: 1, signature: s }
    expect(check(c).ok).toBe(false)
    // a valid signature of another validator under this index
    expect(check({ ...good(), signatures: [{ validator: 0, signature: sig(0) }, { validator: 1, signature: sig(2) }, { validator: 3, signature: sig(3) }] }).ok).toBe(false)
  })

  it('rejects a short certificate (2f signatures)', () => {
    const r = check({ ...good(), signatures: good().signatures.slice(0, 2) })
    expect(r).toEqual({ ok: false, reason: 'power 2 below quorum 3' })
  })

  it('rejects duplicate signers', () => {
    const s0 = { validator: 0, signature: sig(0) }
    expect(check({ ...good(), signatures: [s0, s0, { validator: 1, signature: sig(1) }] }).ok).toBe(false)
    expect(check({ ...good(), signatures: [{ validator: 1, signature: sig(1) }, s0, { validator: 3, signature: sig(3) }] }).ok).toBe(false) // unsorted
  })

  it('rejects the wrong height, round or block hash', () => {
    expect(check({ ...good(), height: 8 }).ok).toBe(false)
    expect(check({ ...good(), round: 3 }).ok).toBe(false)
    expect(check({ ...good(), blockHash: blockHash(makeBlock(7, 2)) }).ok).toBe(false)
    expect(check(good(), { height: 6 }).ok).toBe(false)
    expect(check(good(), { blockHash: new Uint8Array(32) }).ok).toBe(false)
    // signatures over another chain id do not count
    const other = new ValidatorSet(fx.genesis.validators)
    expect(verifyCommitCertificate(good(), other, 'another-chain', fx.crypto.verify).ok).toBe(false)
  })

  it('rejects an unknown validator', () => {
    const c = good()
    c.signatures.push({ validator: 4, signature: sig(3) })
    expect(check(c)).toEqual({ ok: false, reason: 'unknown validator 4' })
  })

  it('round-trips byte-exactly and decodes strictly', () => {
    const c = good()
    const bytes = encodeCert(c)
    expect(encodeCert(decodeCert(bytes))).toEqual(bytes)
    expect(() => decodeCert(bytes.subarray(0, bytes.length - 1))).toThrow(/truncated/)
    expect(() => decodeCert(new Uint8Array([...bytes, 0]))).toThrow(/trailing/)
  })
})

describe('message decoding (fast-check)', () => {
  const fx = fixture()
  it('garbage never throws anything but DecodeError (messages, certificates, WAL records)', () => {
    for (const dec of [decodeMessage, decodeCert, decodeWal]) {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
        try { dec(b) } catch (err) { expect((err as Error).name).toBe('DecodeError') }
      }), { numRuns: 2000 })
    }
  })

  it('votes, proposals and sync requests round-trip; every truncation and tag change is rejected or re-encodes identically', () => {
    const block = makeBlock(3, 4)
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 1, max: 1000 }), fc.boolean(), fc.uint8Array({ minLength: 1, maxLength: 1280 }), fc.integer({ min: 0, max: 3 }),
      (height, round, nil, signature, validator) => {
        const msgs: Message[] = [
          { type: 'prevote', height, round, value: nil ? null : blockHash(block), validator, signature },
          { type: 'precommit', height, round, value: nil ? null : blockHash(block), validator, signature },
          { type: 'proposal', height, round, polRound: round - 1, block, validator, signature },
          { type: 'sync-request', fromHeight: height, max: round }
        ]
        for (const m of msgs) {
          const bytes = encodeMessage(m)
          expect(encodeMessage(decodeMessage(bytes))).toEqual(bytes)
          const cut = bytes.subarray(0, bytes.length - 1)
          expect(() => decodeMessage(cut)).toThrow()
        }
      }), { numRuns: 200 })
    expect(fx.vs.size).toBe(4)
  })
})
