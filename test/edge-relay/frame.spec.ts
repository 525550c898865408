import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import {
  decodeFrame, encodeFrame, encodeSend, encodeDeliver, encodeWelcome, encodeArrived, encodeDeparted, encodeUndeliverable,
  createJoinToken, encodeJoinToken, decodeJoinToken, joinTokenToString, joinTokenFromString, checkJoinToken,
  toBase64Url, fromBase64Url, roomUrl, MAX_JOIN_TOKEN_BYTES,
  FRAME, MAX_FRAME_BYTES, MAX_PAYLOAD_BYTES, MAX_PEERS_PER_ROOM, MAX_JOIN_TOKEN_TTL_MS, NODE_ID_BYTES
} from '../../edge-relay/src/index.ts'
import type { RelayFrame } from '../../edge-relay/src/index.ts'
import { nodeIdOf } from '../../ts/identity/index.ts'
import { testKeyPair } from '../fixtures/keys.ts'

const id = (fill: number): Uint8Array => new Uint8Array(NODE_ID_BYTES).fill(fill)
const isDecodeError = (err: unknown): boolean => (err as Error).name === 'DecodeError'

describe('relay frames', () => {
  it('encodes each type to the documented bytes', () => {
    expect(Array.from(encodeSend(id(1), new Uint8Array([7, 8])))).toEqual([FRAME.Send, ...id(1), 7, 8])
    expect(Array.from(encodeDeliver(id(2), new Uint8Array([])))).toEqual([FRAME.Deliver, ...id(2)])
    expect(Array.from(encodeWelcome(id(3), [id(4), id(5)]))).toEqual([FRAME.Welcome, ...id(3), 0, 2, ...id(4), ...id(5)])
    expect(Array.from(encodeArrived(id(6)))).toEqual([FRAME.Arrived, ...id(6)])
    expect(Array.from(encodeDeparted(id(7)))).toEqual([FRAME.Departed, ...id(7)])
    expect(Array.from(encodeUndeliverable(id(8)))).toEqual([FRAME.Undeliverable, ...id(8)])
  })

  it('decodes payloads and ids as views of the input', () => {
    const b = encodeSend(id(9), new Uint8Array([1, 2, 3]))
    const f = decodeFrame(b)
    expect(f.type).toBe('send')
    if (f.type !== 'send') return
    expect(f.payload.buffer).toBe(b.buffer)
    expect(Array.from(f.payload)).toEqual([1, 2, 3])
  })

  it('rejects bad frames with DecodeError and bad arguments with InvalidArgumentError', () => {
    const bad: Uint8Array[] = [
      new Uint8Array(0), new Uint8Array([0]), new Uint8Array([0x07, ...id(1)]), new Uint8Array([FRAME.Send, 1, 2]),
      new Uint8Array(MAX_FRAME_BYTES + 1).fill(FRAME.Send), new Uint8Array([FRAME.Arrived, ...id(1), 0]),
      new Uint8Array([FRAME.Welcome, ...id(1), 0, 1]), new Uint8Array([FRAME.Welcome, ...id(1), 0xff, 0xff])
    ]
    for (const b of bad) expect(() => decodeFrame(b), `bytes ${b.length}`).toThrow(expect.objectContaining({ name: 'DecodeError' }))
    expect(() => encodeSend(new Uint8Array(31), new Uint8Array(0))).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(() => encodeSend(id(1), new Uint8Array(MAX_PAYLOAD_BYTES + 1))).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(() => encodeWelcome(id(1), Array.from({ length: MAX_PEERS_PER_ROOM + 1 }, () => id(2)))).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(decodeFrame(new Uint8Array(MAX_FRAME_BYTES).fill(FRAME.Send)).type).toBe('send')
  })

  const nodeId = fc.uint8Array({ minLength: NODE_ID_BYTES, maxLength: NODE_ID_BYTES })
  const payload = fc.uint8Array({ maxLength: 2048 })
  const frame: fc.Arbitrary<RelayFrame> = fc.oneof(
    fc.record({ type: fc.constant('send' as const), to: nodeId, payload }),
    fc.record({ type: fc.constant('deliver' as const), from: nodeId, payload }),
    fc.record({ type: fc.constant('welcome' as const), self: nodeId, peers: fc.array(nodeId, { maxLength: 20 }) }),
    fc.record({ type: fc.constant('arrived' as const), nodeId }),
    fc.record({ type: fc.constant('departed' as const), nodeId }),
    fc.record({ type: fc.constant('undeliverable' as const), to: nodeId })
  )

  it('property: every frame round-trips byte-exact', () => {
    fc.assert(fc.property(frame, (f) => {
      const b = encodeFrame(f)
      const back = decodeFrame(b)
      expect(back).toEqual(f)
      expect(encodeFrame(back)).toEqual(b)
    }), { numRuns: 300 })
  })

  it('property: arbitrary bytes decode to a frame that re-encodes to them, or throw DecodeError', () => {
    const typed = fc.tuple(fc.integer({ min: 0, max: 8 }), fc.uint8Array({ maxLength: 200 })).map(([t, rest]) => new Uint8Array([t, ...rest]))
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), typed), (b) => {
      let f: RelayFrame
      try { f = decodeFrame(b) } catch (err) { expect(isDecodeError(err)).toBe(true); return }
      expect(encodeFrame(f)).toEqual(b)
    }), { numRuns: 2000 })
  })
})

describe('join tokens', () => {
  const keys = testKeyPair(0)
  const now = 1_800_000_000_000
  const token = createJoinToken(keys, 'mesh-a', { now, ttlMs: 60_000 })

  it('round-trips through bytes and the URL form', () => {
    expect(token.nodeId).toEqual(nodeIdOf(keys.publicKey))
    const b = encodeJoinToken(token)
    expect(b.length).toBeLessThanOrEqual(MAX_JOIN_TOKEN_BYTES)
    expect(decodeJoinToken(b)).toEqual(token)
    expect(joinTokenFromString(joinTokenToString(token))).toEqual(token)
    expect(checkJoinToken(token, 'mesh-a', now)).toEqual({ ok: true })
  })

  it('refuses forged, wrong-room, expired and over-long tokens', () => {
    const sig = token.signature.slice(); sig[20] ^= 1
    expect(checkJoinToken({ ...token, signature: sig }, 'mesh-a', now)).toEqual({ ok: false, reason: 'forged' })
    // another key's public key with the original NodeId and signature
    expect(checkJoinToken({ ...token, publicKey: testKeyPair(1).publicKey }, 'mesh-a', now)).toEqual({ ok: false, reason: 'forged' })
    // a consistent NodeId for key 1 but key 0's signature
    expect(checkJoinToken({ ...token, publicKey: testKeyPair(1).publicKey, nodeId: nodeIdOf(testKeyPair(1).publicKey) }, 'mesh-a', now)).toEqual({ ok: false, reason: 'forged' })
    // the signed room name cannot be changed
    expect(checkJoinToken({ ...token, meshId: 'mesh-b' }, 'mesh-b', now)).toEqual({ ok: false, reason: 'forged' })
    expect(checkJoinToken(token, 'mesh-b', now)).toEqual({ ok: false, reason: 'wrong-room' })
    expect(checkJoinToken(token, 'mesh-a', now + 60_000)).toEqual({ ok: false, reason: 'expired' })
    expect(checkJoinToken(token, 'mesh-a', now - MAX_JOIN_TOKEN_TTL_MS)).toEqual({ ok: false, reason: 'too-long' })
    expect(() => createJoinToken(keys, 'mesh a')).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(() => createJoinToken(keys, 'm', { ttlMs: MAX_JOIN_TOKEN_TTL_MS + 1 })).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
  })

  it('property: arbitrary or mutated token bytes decode or throw DecodeError, never crash', () => {
    const good = encodeJoinToken(token)
    const mutated = fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 }), fc.nat(good.length)).map(([i, x, cut]) => {
      const b = good.slice(0, Math.max(cut, i + 1)); b[i] ^= x; return b
    })
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 4000 }), mutated), (b) => {
      try {
        const t = decodeJoinToken(b)
        expect(encodeJoinToken(t)).toEqual(b)
      } catch (err) { expect(isDecodeError(err)).toBe(true) }
    }), { numRuns: 500 })
  })

  it('property: base64url round-trips and rejects anything else with DecodeError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      const s = toBase64Url(b)
      expect(s).toMatch(/^[A-Za-z0-9_-]*$/)
      expect(s).toBe(Buffer.from(b).toString('base64url'))
      expect(fromBase64Url(s, 300)).toEqual(b)
    }), { numRuns: 500 })
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (s) => {
      try {
        const b = fromBase64Url(s, 1000)
        expect(toBase64Url(b)).toBe(s)
      } catch (err) { expect(isDecodeError(err)).toBe(true) }
    }), { numRuns: 1000 })
    expect(() => fromBase64Url('AAAA', 2)).toThrow(expect.objectContaining({ name: 'DecodeError' }))
  })

  it('builds room URLs from http(s) and ws(s) relay URLs', () => {
    expect(roomUrl('http://127.0.0.1:8787', 'm1', 'TOK')).toBe('ws://127.0.0.1:8787/room/m1?token=TOK')
    expect(roomUrl('https://relay.example/base/', 'm1', 'TOK')).toBe('wss://relay.example/base/room/m1?token=TOK')
    expect(() => roomUrl('ftp://x', 'm1', 'T')).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(() => roomUrl('ws://x', 'bad/room', 'T')).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
  })
})
