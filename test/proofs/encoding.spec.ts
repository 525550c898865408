import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import {
  decodeConsensusProof, encodeConsensusProof, decodeSpaceProof, encodeSpaceProof, decodeStakeProof, encodeStakeProof,
  decodeTimeProof, encodeTimeProof, decodeWorkProof, encodeWorkProof
} from '../../ts/proofs/encoding.ts'
import type { ConsensusProof } from '../../ts/proofs/types.ts'
import { hex, prng } from './_helpers.ts'

function sampleProof (seed = 1, log2Size = 5, openings = 3, k = 8): ConsensusProof {
  const r = prng(seed)
  const b = (n: number): Uint8Array => r.bytes(n)
  return {
    space: {
      plotIndex: 7, log2Size, position: { zone: 'eu-west ✓', address: b(16) },
      openings: Array.from({ length: openings }, () => ({
        label: b(32), labelPath: b(32 * log2Size), prevLabel: b(32), prevPath: b(32 * log2Size), parentLabel: b(32), parentPath: b(32 * log2Size)
      }))
    },
    stake: { nodeId: b(32), signature: b(1270) },
    work: { kind: 3, nonce: 2 ** 40 + 12345 },
    time: { anchor: b(32), timestampMicros: 1_790_000_000_000_000, sequence: 42, checkpoints: b(32 * k) }
  }
}

describe('proof encoding', () => {
  it('round-trips byte-exact (bundle and every part) with the documented layout', () => {
    const p = sampleProof()
    const bytes = encodeConsensusProof(p)
    const back = decodeConsensusProof(bytes)
    expect(back).toEqual(p)
    expect(hex(encodeConsensusProof(back))).toBe(hex(bytes))
    for (const [enc, dec, v] of [
      [encodeSpaceProof, decodeSpaceProof, p.space], [encodeStakeProof, decodeStakeProof, p.stake],
      [encodeWorkProof, decodeWorkProof, p.work], [encodeTimeProof, decodeTimeProof, p.time]
    ] as Array<[(x: never) => Uint8Array, (b: Uint8Array) => unknown, unknown]>) {
      const e = enc(v as never)
      expect(hex(enc(dec(e) as never))).toBe(hex(e))
    }
    // layout: version ‖ u32 plotIndex ‖ u8 log2Size ‖ uvarint zone length ‖ zone ...
    expect(hex(bytes.subarray(0, 7))).toBe('01' + '00000007' + '05' + '0b')
    const space = 4 + 1 + 1 + 11 + 1 + 16 + 1 + 3 * 3 * (32 + 5 * 32)
    const stake = 32 + 2 + 1270
    const work = 1 + 8
    const time = 32 + 8 + 8 + 4 + 8 * 32
    expect(bytes.length).toBe(1 + space + stake + work + time)
    expect(hex(encodeWorkProof(p.work))).toBe('03' + '0000010000003039')
  })

  it('rejects non-canonical bytes: version, trailing, truncation, kind, u64 > 2^53, bad UTF-8, bounds', () => {
    const bytes = encodeConsensusProof(sampleProof())
    const mut = (f: (b: Uint8Array) => Uint8Array): Uint8Array => f(bytes.slice())
    const bad = [
      mut((b) => { b[0] = 2; return b }),
      new Uint8Array([...bytes, 0]),
      bytes.subarray(0, bytes.length - 1),
      mut((b) => { b[5] = 0; return b }), // log2Size 0
      mut((b) => { b[5] = 28; return b }), // log2Size 28
      mut((b) => { b[7] = 0xff; return b }), // invalid UTF-8 in zone
      mut((b) => { b[6] = 0x8b; return b }) // non-minimal / truncated uvarint
    ]
    for (const b of bad) expect(() => decodeConsensusProof(b)).toThrow(expect.objectContaining({ name: 'DecodeError' }))
    expect(() => decodeWorkProof(Uint8Array.of(6, 0, 0, 0, 0, 0, 0, 0, 1))).toThrow(expect.objectContaining({ name: 'DecodeError' }))
    expect(() => decodeWorkProof(Uint8Array.of(1, 0, 0x20, 0, 0, 0, 0, 0, 0))).toThrow(expect.objectContaining({ name: 'DecodeError' }))
    // a huge claimed checkpoint count fails before allocating
    const t = encodeTimeProof(sampleProof().time)
    t.set([0, 1, 0, 1], 48)
    expect(() => decodeTimeProof(t)).toThrow(expect.objectContaining({ name: 'DecodeError' }))
    t.set([0, 0, 0xff, 0xff], 48)
    expect(() => decodeTimeProof(t)).toThrow(/truncated/)
  })

  it('encoders refuse values they cannot encode (InvalidArgumentError)', () => {
    const p = sampleProof()
    expect(() => encodeConsensusProof({ ...p, work: { kind: 9 as 0, nonce: 1 } })).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(() => encodeConsensusProof({ ...p, time: { ...p.time, sequence: -1 } })).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(() => encodeConsensusProof({ ...p, stake: { ...p.stake, nodeId: new Uint8Array(31) } })).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
  })

  it('fast-check: arbitrary bytes and mutated proofs decode or throw DecodeError, never anything else', () => {
    const good = encodeConsensusProof(sampleProof(2, 3, 2, 4))
    const onlyDecodeError = (b: Uint8Array): void => {
      try {
        const p = decodeConsensusProof(b)
        expect(hex(encodeConsensusProof(p))).toBe(hex(b)) // whatever decodes is canonical
      } catch (err) {
        expect((err as Error).name).toBe('DecodeError')
      }
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), (b) => onlyDecodeError(b)), { numRuns: 2000 })
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat(good.length), (edits, cut) => {
      const b = good.slice(0, Math.max(cut, good.length - 3))
      for (const [i, v] of edits) if (i < b.length) b[i] = v
      onlyDecodeError(b)
    }), { numRuns: 3000 })
    for (const dec of [decodeSpaceProof, decodeStakeProof, decodeWorkProof, decodeTimeProof]) {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
        try { dec(b) } catch (err) { expect((err as Error).name).toBe('DecodeError') }
      }), { numRuns: 500 })
    }
  })
})
