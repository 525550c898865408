import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { createBinding, encodeBinding, decodeBinding, verifyBinding, nodeIdOf } from '../../ts/identity/index.ts'
import type { Binding } from '../../ts/identity/index.ts'
import { testKeyPair } from '../fixtures/keys.ts'

const PEER = '12D3KooWAbCdEfGhJkLmNoPqRsTuVwXyZ1234567890abcdefghij'
const NOW = 1_800_000_000_000
const keys = testKeyPair(5)
const binding = createBinding(keys, PEER, ['/ip4/127.0.0.1/tcp/4001', '/ip6/::1/tcp/4001'], NOW + 3_600_000)

describe('identity binding', () => {
  it('round-trips byte-exact and verifies', () => {
    const bytes = encodeBinding(binding)
    const back = decodeBinding(bytes)
    expect(Buffer.from(encodeBinding(back)).equals(Buffer.from(bytes))).toBe(true)
    expect(Buffer.from(back.nodeId).equals(Buffer.from(nodeIdOf(keys.publicKey)))).toBe(true)
    expect(verifyBinding(back, { now: NOW, expectedPeerId: PEER })).toBe(true)
  })

  it('expired, wrong peer, or any tampered field fails', () => {
    expect(verifyBinding(binding, { now: binding.expires })).toBe(false)
    expect(verifyBinding(binding, { now: NOW, expectedPeerId: PEER.slice(0, -1) + 'k' })).toBe(false)
    const other = testKeyPair(6)
    const tampered: Array<[string, Binding]> = [
      ['nodeId', { ...binding, nodeId: nodeIdOf(other.publicKey) }],
      ['publicKey', { ...binding, publicKey: other.publicKey }],
      ['peerId', { ...binding, peerId: PEER.replace('A', 'B') }],
      ['addrs', { ...binding, addrs: ['/ip4/127.0.0.2/tcp/4001'] }],
      ['addrs (dropped one)', { ...binding, addrs: binding.addrs.slice(0, 1) }],
      ['expires', { ...binding, expires: binding.expires + 1 }],
      ['signature', { ...binding, signature: binding.signature.map((b, i) => i === 40 ? b ^ 1 : b) }]
    ]
    for (const [field, b] of tampered) expect(verifyBinding(b, { now: NOW }), field).toBe(false)
  })

  it('a binding signed by another key for the same NodeId claim fails', () => {
    const forged = createBinding(testKeyPair(7), PEER, binding.addrs, binding.expires)
    expect(verifyBinding({ ...forged, nodeId: binding.nodeId }, { now: NOW })).toBe(false)
  })

  it('decodeBinding: random, truncated and extended bytes throw DecodeError only (fast-check)', () => {
    const good = encodeBinding(binding)
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4096 }), (b) => {
      try { decodeBinding(b); return true } catch (e) { return (e as Error).name === 'DecodeError' }
    }), { numRuns: 300 })
    fc.assert(fc.property(fc.nat(good.length - 1), (cut) => {
      try { decodeBinding(good.subarray(0, cut)); return false } catch (e) { return (e as Error).name === 'DecodeError' }
    }), { numRuns: 200 })
    expect(() => decodeBinding(new Uint8Array([...good, 0]))).toThrow(expect.objectContaining({ name: 'DecodeError' }))
  })
})
