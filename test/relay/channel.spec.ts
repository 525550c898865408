/**
 * Relay frame channels (edge-relay/src/channel.ts): the session messages'
 * bytes, decoder bounds and fuzzing, fragmentation and reassembly of frames
 * up to MAX_JOB_FRAME_BYTES, the reassembly bound, close semantics and the
 * sending pace.
 */
import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import {
  MAX_CHUNK_BYTES, MAX_JOB_FRAME_BYTES, MAX_CLOSE_REASON_BYTES, RelaySession, SendPacer,
  decodeChannelMessage, encodeAccept, encodeClose, encodeData, encodeOpen, isChannelMessage
} from '../../edge-relay/src/channel.ts'
import type { ChannelMessage } from '../../edge-relay/src/channel.ts'
import { MAX_PAYLOAD_BYTES } from '../../edge-relay/src/index.ts'

const isDecodeError = (err: unknown): boolean => (err as Error).name === 'DecodeError'
const FAST = { msgsPerSec: 1e9, msgBurst: 1e9, bytesPerSec: 1e12, byteBurst: 1e12 }

/** Two sessions wired through pacers: what one sends the other receives (decoded, as from the relay). */
function linkedPair (maxFrameBytes?: number): { a: RelaySession, b: RelaySession, wire: Uint8Array[] } {
  const wire: Uint8Array[] = []
  let a!: RelaySession
  let b!: RelaySession
  const pa = new SendPacer((_to, p) => { wire.push(p); b.deliver(decodeChannelMessage(p)) }, { limits: FAST })
  const pb = new SendPacer((_to, p) => { wire.push(p); a.deliver(decodeChannelMessage(p)) }, { limits: FAST })
  a = new RelaySession({ peer: new Uint8Array(32).fill(2), session: 7, pacer: pa, ...(maxFrameBytes !== undefined ? { maxFrameBytes } : {}) })
  b = new RelaySession({ peer: new Uint8Array(32).fill(1), session: 7, pacer: pb, ...(maxFrameBytes !== undefined ? { maxFrameBytes } : {}) })
  return { a, b, wire }
}

describe('relay channel messages', () => {
  it('encode to the documented bytes', () => {
    expect(Array.from(encodeOpen(0x01020304))).toEqual([0x20, 1, 2, 3, 4])
    expect(Array.from(encodeAccept(0xffffffff))).toEqual([0x21, 255, 255, 255, 255])
    expect(Array.from(encodeData(5, true, new Uint8Array([9, 8])))).toEqual([0x22, 0, 0, 0, 5, 1, 9, 8])
    expect(Array.from(encodeData(5, false, new Uint8Array(0)))).toEqual([0x22, 0, 0, 0, 5, 0])
    expect(Array.from(encodeClose(6, 'no'))).toEqual([0x23, 0, 0, 0, 6, 0x6e, 0x6f])
    expect(isChannelMessage(encodeOpen(1))).toBe(true)
    expect(isChannelMessage(new Uint8Array([1, 0, 0]))).toBe(false) // relay-link request tag
    expect(isChannelMessage(new Uint8Array(0))).toBe(false)
    expect(MAX_CHUNK_BYTES + 6).toBe(MAX_PAYLOAD_BYTES)
  })

  it('refuse bad arguments with InvalidArgumentError', () => {
    expect(() => encodeOpen(-1)).toThrow(/u32/)
    expect(() => encodeOpen(2 ** 32)).toThrow(/u32/)
    expect(() => encodeData(1, true, new Uint8Array(MAX_CHUNK_BYTES + 1))).toThrow(/exceeds/)
    expect(encodeClose(1, 'x'.repeat(1000)).length).toBeLessThanOrEqual(5 + MAX_CLOSE_REASON_BYTES)
  })

  it('decoding refuses short, long, unknown, flagged and non-UTF-8 input with DecodeError', () => {
    const bad = [
      new Uint8Array([0x20, 0, 0, 0]), new Uint8Array([0x20, 0, 0, 0, 1, 0]), new Uint8Array([0x22, 0, 0, 0, 1]),
      new Uint8Array([0x22, 0, 0, 0, 1, 2]), new Uint8Array([0x24, 0, 0, 0, 1]), new Uint8Array([0x23, 0, 0, 0, 1, 0xff]),
      new Uint8Array(MAX_PAYLOAD_BYTES + 1).fill(0x22), Uint8Array.from([0x23, 0, 0, 0, 1, ...new Uint8Array(MAX_CLOSE_REASON_BYTES + 1).fill(0x61)])
    ]
    for (const b of bad) expect(() => decodeChannelMessage(b)).toThrow(expect.objectContaining({ name: 'DecodeError' }))
  })

  it('round-trips every message (property) and never throws anything but DecodeError on random bytes', () => {
    const msg = fc.oneof(
      fc.record({ type: fc.constant('open' as const), session: fc.nat({ max: 0xffffffff }) }),
      fc.record({ type: fc.constant('accept' as const), session: fc.nat({ max: 0xffffffff }) }),
      fc.record({ type: fc.constant('data' as const), session: fc.nat({ max: 0xffffffff }), last: fc.boolean(), chunk: fc.uint8Array({ maxLength: 300 }) }),
      fc.record({ type: fc.constant('close' as const), session: fc.nat({ max: 0xffffffff }), reason: fc.string({ maxLength: 60 }) })
    )
    const enc = (m: ChannelMessage): Uint8Array => m.type === 'open' ? encodeOpen(m.session) : m.type === 'accept' ? encodeAccept(m.session) : m.type === 'data' ? encodeData(m.session, m.last, m.chunk) : encodeClose(m.session, m.reason)
    fc.assert(fc.property(msg, (m) => {
      const d = decodeChannelMessage(enc(m))
      expect(d.type === 'data' ? { ...d, chunk: Uint8Array.from(d.chunk) } : d).toEqual(m.type === 'data' ? { ...m, chunk: Uint8Array.from(m.chunk) } : m)
    }))
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0x20, max: 0x23 }), (b, t) => {
      const x = Uint8Array.from(b); if (x.length > 0) x[0] = t
      try { decodeChannelMessage(x) } catch (err) { if (!isDecodeError(err)) throw err }
    }))
  })
})

describe('relay sessions', () => {
  it('carry frames of 0 bytes to MAX_JOB_FRAME_BYTES byte-exact, in order, in ⌈n/chunk⌉ relay payloads', () => {
    const { a, b, wire } = linkedPair()
    const got: Uint8Array[] = []
    b.onFrame((f) => got.push(f))
    const sizes = [0, 1, MAX_CHUNK_BYTES, MAX_CHUNK_BYTES + 1, 3 * MAX_CHUNK_BYTES + 17, MAX_JOB_FRAME_BYTES]
    const frames = sizes.map((n, i) => { const f = new Uint8Array(n); for (let j = 0; j < n; j += 4099) f[j] = (i + j) & 0xff; if (n > 0) f[n - 1] = i + 1; return f })
    for (const f of frames) a.send(f)
    expect(got.length).toBe(frames.length)
    for (let i = 0; i < frames.length; i++) expect(Buffer.compare(got[i], frames[i])).toBe(0)
    expect(wire.length).toBe(sizes.reduce((s, n) => s + Math.max(1, Math.ceil(n / MAX_CHUNK_BYTES)), 0))
    expect(wire.every((p) => p.length <= MAX_PAYLOAD_BYTES)).toBe(true)
    expect(() => a.send(new Uint8Array(MAX_JOB_FRAME_BYTES + 1))).toThrow(/exceeds/)
  })

  it('keep frames that arrive before a handler and hand them over in order', () => {
    const { a, b } = linkedPair()
    a.send(new Uint8Array([1])); a.send(new Uint8Array([2, 2]))
    const got: number[][] = []
    b.onFrame((f) => got.push(Array.from(f)))
    expect(got).toEqual([[1], [2, 2]])
  })

  it('a frame growing past the receiver\'s bound ends the session on both sides before it is buffered', () => {
    const { a, b } = linkedPair(1000)
    // the sender allows more than the receiver: a misbehaving peer
    const big = new RelaySession({ peer: b.peer, session: 7, pacer: new SendPacer((_t, p) => { b.deliver(decodeChannelMessage(p)) }, { limits: FAST }), maxFrameBytes: MAX_JOB_FRAME_BYTES })
    let errB: Error | undefined; let errA: Error | undefined
    b.onClose((e) => { errB = e })
    a.onClose((e) => { errA = e })
    big.send(new Uint8Array(2 * MAX_CHUNK_BYTES))
    expect(b.closed).toBe(true)
    expect(errB?.name).toBe('ChannelClosedError')
    expect(errB?.message).toMatch(/over 1000 bytes/)
    // b told its peer (a, on the same wire) with CLOSE 'frame too large'
    expect(a.closed).toBe(true)
    expect(errA?.message).toMatch(/frame too large/)
    expect(() => b.send(new Uint8Array(1))).toThrow(expect.objectContaining({ name: 'ChannelClosedError' }))
  })

  it('close() reaches the peer as a clean close; handlers run once; onClose after the fact still fires', async () => {
    const { a, b } = linkedPair()
    const seen: Array<string | undefined> = []
    b.onClose((e) => seen.push(e?.message))
    a.onClose((e) => seen.push(e?.message))
    a.close(); a.close()
    expect(seen).toEqual([undefined, undefined])
    const late = await new Promise<Error | undefined>((resolve) => { b.onClose(resolve) })
    expect(late).toBeUndefined()
    expect(() => a.send(new Uint8Array(1))).toThrow(expect.objectContaining({ name: 'ChannelClosedError' }))
  })
})

describe('send pacer', () => {
  it('sends within the burst at once, holds the rest and releases it in order', async () => {
    const sent: number[] = []
    const p = new SendPacer((_to, pl) => { sent.push(pl[0]) }, { limits: { msgsPerSec: 200, msgBurst: 3, bytesPerSec: 1e9, byteBurst: 1e9 } })
    for (let i = 0; i < 8; i++) p.send(new Uint8Array(32), new Uint8Array([i]))
    expect(sent).toEqual([0, 1, 2])
    expect(p.queued).toBe(5)
    await p.drained(5000)
    expect(sent).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
  })

  it('paces bytes too, and refuses past its queue bound', async () => {
    const sent: number[] = []
    const p = new SendPacer((_to, pl) => { sent.push(pl.length) }, { limits: { msgsPerSec: 1e6, msgBurst: 1e6, bytesPerSec: 100_000, byteBurst: 1100 }, maxQueuedBytes: 3000 })
    p.send(new Uint8Array(32), new Uint8Array(1000))
    p.send(new Uint8Array(32), new Uint8Array(1000))
    expect(sent).toEqual([1000])
    expect(() => p.send(new Uint8Array(32), new Uint8Array(2001))).toThrow(/queue full/)
    await p.drained(5000)
    expect(sent).toEqual([1000, 1000])
  })

  it('a failing socket clears the queue and reports once', () => {
    const errs: Error[] = []
    const p = new SendPacer(() => { throw new Error('socket closed') }, { limits: FAST, onError: (e) => errs.push(e) })
    p.send(new Uint8Array(32), new Uint8Array(1))
    expect(errs.map((e) => e.message)).toEqual(['socket closed'])
    expect(p.queued).toBe(0)
  })
})
