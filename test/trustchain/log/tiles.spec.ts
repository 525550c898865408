import { describe, it, expect, beforeAll } from 'vitest'
import fc from 'fast-check'
import {
  encodeTileIndex, encodeTilePath, parseTilePath, encodeEntryBundle, decodeEntryBundle, decodeHashTile,
  verifyHashTile, verifyEntryBundle, tileStartLeaf, tileEndLeaf, type TilePath
} from '../../../ts/trustchain/log/tiles.ts'
import { TransparencyLog } from '../../../ts/trustchain/log/log.ts'
import { MemoryLogStorage } from '../../../ts/trustchain/log/storage.ts'
import { hashLeaf } from '../../../ts/trustchain/log/hash.ts'
import { merkleTreeHash } from '../../../ts/trustchain/log/merkle.ts'

describe('tile paths (C2SP tlog-tiles)', () => {
  it('encodes the spec examples', () => {
    expect(encodeTileIndex(1234067)).toBe('x001/x234/067')
    expect(encodeTileIndex(0)).toBe('000')
    expect(encodeTileIndex(999)).toBe('999')
    expect(encodeTileIndex(1000)).toBe('x001/000')
    expect(encodeTilePath({ level: 0, index: 1234067, width: 256 })).toBe('tile/0/x001/x234/067')
    expect(encodeTilePath({ level: 2, index: 5, width: 17 })).toBe('tile/2/005.p/17')
    expect(encodeTilePath({ level: 'entries', index: 273, width: 112 })).toBe('tile/entries/273.p/112')
    expect(parseTilePath('tile/entries/x001/x234/067.p/255')).toEqual({ level: 'entries', index: 1234067, width: 255 })
    expect(parseTilePath('tile/63/000')).toEqual({ level: 63, index: 0, width: 256 })
  })

  it('refuses non-canonical and malformed paths', () => {
    for (const bad of [
      'tile/0/1', 'tile/0/0001', 'tile/00/000', 'tile/64/000', 'tile/0/x000/001', 'tile/0/001.p/0', 'tile/0/001.p/256',
      'tile/0/001.p/01', 'tile/0/x001', 'tile/0/001/x002', 'tile/0/001.p', 'tile/0/001/', '/tile/0/001', 'tile/entry/001',
      'tile/0/x9007/x199/x254/x740/x992/000', 'tile/-1/000', 'tile/0/00a', 'tile/0/001.p/17/'
    ]) expect(() => parseTilePath(bad), bad).toThrow(expect.objectContaining({ name: 'DecodeError' }))
  })

  const tileArb: fc.Arbitrary<TilePath> = fc.record({
    level: fc.oneof(fc.integer({ min: 0, max: 63 }), fc.constant('entries' as const)),
    index: fc.oneof(fc.nat({ max: 2000 }), fc.nat({ max: Number.MAX_SAFE_INTEGER })),
    width: fc.oneof(fc.constant(256), fc.integer({ min: 1, max: 255 }))
  })

  it('encode/decode round-trips (fast-check)', () => {
    fc.assert(fc.property(tileArb, (t) => { expect(parseTilePath(encodeTilePath(t))).toEqual(t) }), { numRuns: 500 })
  })

  it('decode never crashes: a path parses only if it is the encoding of what it parses to (fast-check)', () => {
    const seg = fc.constantFrom('tile', 'entries', '0', '1', '63', '64', 'x001', '001', '000', '.p', '17', '/', 'x', '256', '09')
    fc.assert(fc.property(fc.array(seg, { maxLength: 10 }), (parts) => {
      const p = parts.join('/')
      try { expect(encodeTilePath(parseTilePath(p))).toBe(p) } catch (err) { expect((err as Error).name).toBe('DecodeError') }
    }), { numRuns: 1000 })
    fc.assert(fc.property(fc.string({ maxLength: 90 }), (p) => {
      try { parseTilePath(p) } catch (err) { expect((err as Error).name).toBe('DecodeError') }
    }), { numRuns: 300 })
  })
})

describe('entry bundles', () => {
  it('round-trips and decodes bounded (fast-check)', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 256 }), (entries) => {
      const dec = decodeEntryBundle(encodeEntryBundle(entries))
      expect(dec.map((e) => Buffer.from(e).toString('hex'))).toEqual(entries.map((e) => Buffer.from(e).toString('hex')))
    }), { numRuns: 100 })
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      try {
        const d = decodeEntryBundle(bytes)
        expect(d.length).toBeLessThanOrEqual(256)
        expect(encodeEntryBundle(d)).toEqual(bytes)
      } catch (err) { expect((err as Error).name).toBe('DecodeError') }
    }), { numRuns: 500 })
  })

  it('refuses truncation, trailing bytes, too many entries, a length beyond the bytes', () => {
    const b = encodeEntryBundle([Uint8Array.of(1, 2, 3), Uint8Array.of(4)])
    expect(() => decodeEntryBundle(b.subarray(0, b.length - 1))).toThrow(/truncated/)
    expect(() => decodeEntryBundle(Uint8Array.of(...b, 0))).toThrow(/truncated/)
    expect(() => decodeEntryBundle(b, 1)).toThrow(/more than 1/)
    expect(() => decodeEntryBundle(Uint8Array.of(0xff, 0xff, 1))).toThrow(/truncated/)
    expect(() => decodeEntryBundle(new Uint8Array(257 * 2))).toThrow(/more than 256/)
    expect(() => encodeEntryBundle([new Uint8Array(65536)])).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(() => decodeHashTile(new Uint8Array(33), 1)).toThrow(expect.objectContaining({ name: 'DecodeError' }))
  })
})

describe('tiles produced by a log, verified against checkpoints', () => {
  const N = 70_000
  let log: TransparencyLog
  const entry = (i: number): Uint8Array => new TextEncoder().encode(`cert ${i}`)
  beforeAll(async () => {
    log = await TransparencyLog.open(new MemoryLogStorage(), { origin: 'test.mesh/log', maxBatch: 10_000, maxPending: 100_000 })
    await log.appendMany(Array.from({ length: N }, (_, i) => entry(i)))
  })

  it('has exactly the tiles the spec lists for a tree of 70,000', () => {
    expect(log.size).toBe(N)
    expect(log.hasTile({ level: 0, index: 272, width: 256 })).toBe(true)
    expect(log.hasTile({ level: 0, index: 273, width: 256 })).toBe(false)
    expect(log.hasTile({ level: 0, index: 273, width: 112 })).toBe(true)
    expect(log.hasTile({ level: 0, index: 273, width: 113 })).toBe(false)
    expect(log.hasTile({ level: 1, index: 0, width: 256 })).toBe(true)
    expect(log.hasTile({ level: 1, index: 1, width: 17 })).toBe(true)
    expect(log.hasTile({ level: 1, index: 1, width: 18 })).toBe(false)
    expect(log.hasTile({ level: 2, index: 0, width: 1 })).toBe(true)
    expect(log.hasTile({ level: 2, index: 0, width: 2 })).toBe(false)
  })

  it('level-0 tiles hold leaf hashes; level-1 hashes are the roots of full level-0 tiles', () => {
    const t0 = decodeHashTile(log.hashTile({ level: 0, index: 3, width: 256 }), 256)
    expect(t0[5]).toEqual(hashLeaf(entry(3 * 256 + 5)))
    const t1 = decodeHashTile(log.hashTile({ level: 1, index: 0, width: 10 }), 10)
    expect(t1[3]).toEqual(merkleTreeHash(Array.from({ length: 256 }, (_, k) => entry(3 * 256 + k))))
    expect(log.root(256)).toEqual(t1[0])
    // hash i of level 1 = MTH of leaves [256 i, 256 (i+1)), checked via an inclusion of the level-0 tile root.
    for (const [i, leaf] of [[3, 3 * 256 + 7], [200, 200 * 256]]) {
      const proof = log.inclusionProof(leaf, N)
      expect(verifyHashTile({ level: 0, index: i, width: 256 }, log.hashTile({ level: 0, index: i, width: 256 }), { size: N, rootHash: log.root() }, log.tileProof({ level: 0, index: i, width: 256 }))).toBe(true)
      expect(proof.length).toBeGreaterThan(8)
    }
  })

  it('every tile of the 70,000 tree verifies against the checkpoint; tampered ones do not', async () => {
    const size = N
    const root = log.root(size)
    const tiles: TilePath[] = [
      { level: 0, index: 0, width: 256 }, { level: 0, index: 137, width: 256 }, { level: 0, index: 272, width: 256 },
      { level: 0, index: 273, width: 112 }, { level: 0, index: 273, width: 5 }, { level: 0, index: 100, width: 9 },
      { level: 1, index: 0, width: 256 }, { level: 1, index: 1, width: 17 }, { level: 1, index: 1, width: 3 },
      { level: 2, index: 0, width: 1 }
    ]
    for (const t of tiles) {
      const bytes = log.hashTile(t)
      const proof = log.tileProof(t, size)
      expect(verifyHashTile(t, bytes, { size, rootHash: root }, proof), encodeTilePath(t)).toBe(true)
      const bad = bytes.slice(); bad[bad.length - 1] ^= 1
      expect(verifyHashTile(t, bad, { size, rootHash: root }, proof)).toBe(false)
      expect(verifyHashTile(t, bytes.subarray(32), { size, rootHash: root }, proof)).toBe(false)
      // (The size itself is bound by the checkpoint signature, not by the proof; a size below the tile's end is refused.)
      expect(verifyHashTile(t, bytes, { size: tileEndLeaf(t) - 1, rootHash: root }, proof)).toBe(false)
      expect(verifyHashTile(t, bytes, { size, rootHash: log.root(size - 1) }, proof)).toBe(false)
      if (proof.left.length > 0) expect(verifyHashTile(t, bytes, { size, rootHash: root }, { ...proof, left: proof.left.slice(1) })).toBe(false)
      if (t.level === 0) {
        const e: TilePath = { level: 'entries', index: t.index, width: t.width }
        const bundle = await log.entryBundle(e)
        expect(tileEndLeaf(e) - tileStartLeaf(e)).toBe(t.width)
        expect(verifyEntryBundle(e, bundle, { size, rootHash: root }, proof)).toBe(true)
        const tampered = bundle.slice(); tampered[3] ^= 1
        expect(verifyEntryBundle(e, tampered, { size, rootHash: root }, proof)).toBe(false)
      }
    }
    // Against an older, smaller checkpoint too.
    const t: TilePath = { level: 0, index: 10, width: 256 }
    expect(verifyHashTile(t, log.hashTile(t), { size: 5000, rootHash: log.root(5000) }, log.tileProof(t, 5000))).toBe(true)
  })
})
