// Length-framed messages: encoding, streaming reassembly over any chunking,
// the frame limit enforced before buffering, and typed errors.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { encodeFrame, decodeFrame, frameHeader, FrameDecoder, decodeFrames } from '../../ts/wire/index.ts'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))

function splitAt (b: Uint8Array, cuts: number[]): Uint8Array[] {
  const pts = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y)
  const out: Uint8Array[] = []
  let prev = 0
  for (const p of [...pts, b.length]) { out.push(b.slice(prev, p)); prev = p }
  return out
}

describe('frames', () => {
  it('encodeFrame is uvarint length ‖ payload', () => {
    expect(hex(encodeFrame(unhex('aabbcc')))).toBe('03aabbcc')
    expect(hex(encodeFrame(new Uint8Array(0)))).toBe('00')
    expect(hex(encodeFrame(new Uint8Array(300)).subarray(0, 2))).toBe('ac02')
    expect(hex(frameHeader(300))).toBe('ac02')
    expect(hex(decodeFrame(unhex('03aabbcc')))).toBe('aabbcc')
  })
  it('rejects payloads over the limit on encode', () => {
    expect(() => encodeFrame(new Uint8Array(11), { maxFrameBytes: 10 })).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(() => new FrameDecoder({ maxFrameBytes: 2 ** 31 })).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
  })
  it('decodeFrame rejects truncation, trailing bytes, oversize and non-minimal headers', () => {
    for (const h of ['', '03aabb', '03aabbccdd', '8000', '8100' + '00']) {
      expect(() => decodeFrame(unhex(h)), h).toThrow(expect.objectContaining({ name: 'DecodeError' }))
    }
    expect(() => decodeFrame(unhex('0b' + '00'.repeat(11)), { maxFrameBytes: 10 })).toThrow(/exceeds the limit 10/)
  })
  it('reassembles any sequence of frames under any chunking (fast-check)', () => {
    fc.assert(fc.property(
      fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
      fc.array(fc.nat(4000), { maxLength: 12 }),
      (payloads, cuts) => {
        const all = Buffer.concat(payloads.map((p) => encodeFrame(p)))
        const dec = new FrameDecoder({ maxFrameBytes: 300 })
        const got: Uint8Array[] = []
        for (const c of splitAt(new Uint8Array(all), cuts)) got.push(...dec.push(c))
        dec.finish()
        expect(got.map(hex)).toEqual(payloads.map(hex))
        expect(dec.idle).toBe(true)
      }))
  })
  it('rejects an oversize frame from its header, before any body is buffered', () => {
    const dec = new FrameDecoder({ maxFrameBytes: 1024 })
    expect(dec.push(unhex('05aabbccddee'))).toHaveLength(1)
    // header 0x81 0x08 = 1025, split across chunks; nothing of the body has arrived
    expect(dec.push(unhex('81'))).toEqual([])
    let err: Error | undefined
    try { dec.push(unhex('08')) } catch (e) { err = e as Error }
    expect(err?.name).toBe('DecodeError')
    expect(err?.message).toMatch(/1025 exceeds the limit 1024/)
    expect(dec.bufferedBytes).toBe(0)
    // the decoder stays failed
    expect(() => dec.push(unhex('00'))).toThrow(expect.objectContaining({ name: 'DecodeError' }))
  })
  it('a header claiming 2^40 bytes fails at once, even under the largest limit', () => {
    const dec = new FrameDecoder({ maxFrameBytes: 2 ** 30 })
    expect(() => dec.push(unhex('8080808080200102'))).toThrow(/exceeds the limit/)
  })
  it('holds only the bytes received for a partial frame', () => {
    const dec = new FrameDecoder({ maxFrameBytes: 2 ** 30 })
    expect(dec.push(unhex('80808080' + '04' + 'aabbcc'))).toEqual([]) // claims 1 GiB
    expect(dec.bufferedBytes).toBe(3)
    expect(() => dec.finish()).toThrow(/stream ended inside a frame: 3 of 1073741824/)
  })
  it('rejects non-minimal headers and reports a cut-off header', () => {
    expect(() => new FrameDecoder().push(unhex('8000'))).toThrow(/non-minimal/)
    const dec = new FrameDecoder()
    dec.push(unhex('80'))
    expect(() => dec.finish()).toThrow(/inside a frame header/)
  })
  it('frames whole inside a chunk are zero-copy views', () => {
    const chunk = unhex('02aabb01cc')
    const frames = new FrameDecoder().push(chunk)
    expect(frames.map(hex)).toEqual(['aabb', 'cc'])
    expect(frames[0].buffer).toBe(chunk.buffer)
  })
  it('random bytes: frames or a typed error, never anything else (fast-check)', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 6 }), (chunks) => {
      const dec = new FrameDecoder({ maxFrameBytes: 100 })
      let total = 0
      try {
        for (const c of chunks) for (const f of dec.push(c)) { expect(f.length).toBeLessThanOrEqual(100); total += f.length }
        dec.finish()
      } catch (e) {
        expect((e as Error).name).toBe('DecodeError')
      }
      expect(dec.bufferedBytes).toBeLessThanOrEqual(100)
      expect(total).toBeLessThanOrEqual(chunks.reduce((n, c) => n + c.length, 0))
    }))
  })
  it('decodeFrames reads an async stream of Uint8Array or Uint8ArrayList-like chunks', async () => {
    const wire = Buffer.concat([encodeFrame(unhex('01')), encodeFrame(unhex('0203'))])
    async function * source (): AsyncGenerator<Uint8Array | { subarray: () => Uint8Array }> {
      yield wire.subarray(0, 3)
      yield { subarray: () => new Uint8Array(wire.subarray(3)) }
    }
    const got: string[] = []
    for await (const f of decodeFrames(source())) got.push(hex(f))
    expect(got).toEqual(['01', '0203'])
    // cut off at the end → DecodeError
    await expect((async () => { for await (const _ of decodeFrames([unhex('0301')])) { /* drain */ } })()).rejects.toMatchObject({ name: 'DecodeError' })
    const ac = new AbortController()
    ac.abort()
    await expect((async () => { for await (const _ of decodeFrames([unhex('0101')], { signal: ac.signal })) { /* drain */ } })()).rejects.toMatchObject({ name: 'AbortError' })
  })
})
