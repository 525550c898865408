import { describe, it, expect } from 'vitest'
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import {
  generateKeyPair, sign, verify, nodeIdOf, nodeIdToHex, nodeIdFromHex, DOMAINS, DOMAIN_VALUES, domainSeparated,
  PUBLIC_KEY_BYTES, SECRET_KEY_BYTES
} from '../../ts/identity/index.ts'
import { testKeyPair, testKeySeed } from '../fixtures/keys.ts'

const msg = new TextEncoder().encode('allocate 64 MiB')

describe('FALCON-1024 identity', () => {
  it('fixture keys are exactly what their seeds generate (no drift)', () => {
    const kp = generateKeyPair(testKeySeed(0))
    expect(Buffer.from(kp.publicKey).equals(Buffer.from(testKeyPair(0).publicKey))).toBe(true)
    expect(Buffer.from(kp.secretKey).equals(Buffer.from(testKeyPair(0).secretKey))).toBe(true)
  })

  it('a fixed seed gives a fixed key (known answer)', () => {
    const kp = testKeyPair(0)
    expect(kp.publicKey.length).toBe(PUBLIC_KEY_BYTES)
    expect(kp.secretKey.length).toBe(SECRET_KEY_BYTES)
    expect(createHash('sha256').update(kp.publicKey).digest('hex')).toBe('5569f1501147d3602287d9cae74af907e5be062cb90653c03d58cba12cac9db4')
  })

  it('NodeId = SHA-256("hypermesh/node-id/v1" ‖ pk), lowercase hex round trip', () => {
    const pk = testKeyPair(1).publicKey
    const expected = createHash('sha256').update('hypermesh/node-id/v1').update(pk).digest('hex')
    expect(nodeIdToHex(nodeIdOf(pk))).toBe(expected)
    expect(nodeIdToHex(nodeIdFromHex(expected))).toBe(expected)
    expect(() => nodeIdFromHex(expected.toUpperCase())).toThrow(/64 lowercase hex/)
    expect(() => nodeIdFromHex(expected.slice(2))).toThrow(/64 lowercase hex/)
    expect(() => nodeIdOf(pk.subarray(1))).toThrow(RangeError)
  })

  it('signs and verifies; wrong domain, message, key or a flipped bit fail', () => {
    const a = testKeyPair(2)
    const b = testKeyPair(3)
    const sig = sign(a.secretKey, DOMAINS.Transaction, msg)
    expect(verify(a.publicKey, DOMAINS.Transaction, msg, sig)).toBe(true)
    expect(verify(a.publicKey, DOMAINS.Vote, msg, sig)).toBe(false)
    expect(verify(a.publicKey, DOMAINS.Transaction, msg.subarray(1), sig)).toBe(false)
    expect(verify(b.publicKey, DOMAINS.Transaction, msg, sig)).toBe(false)
    for (const bit of [0, 7, 100, sig.length * 8 - 1]) {
      const bad = sig.slice()
      bad[bit >> 3] ^= 1 << (bit & 7)
      expect(verify(a.publicKey, DOMAINS.Transaction, msg, bad)).toBe(false)
    }
    expect(verify(a.publicKey.subarray(1), DOMAINS.Transaction, msg, sig)).toBe(false)
    expect(verify(a.publicKey, DOMAINS.Transaction, msg, new Uint8Array(0))).toBe(false)
  })

  it('domains are distinct and length-prefixed (no domain is a prefix ambiguity)', () => {
    expect(DOMAIN_VALUES.size).toBe(Object.keys(DOMAINS).length)
    const x = domainSeparated(DOMAINS.Binding, new Uint8Array([1, 2]))
    expect(x[0]).toBe(DOMAINS.Binding.length)
    expect(() => domainSeparated('hypermesh/unknown' as never, msg)).toThrow(/unknown signature domain/)
  })

  it('garbage signatures never throw (fast-check)', () => {
    const pk = testKeyPair(4).publicKey
    fc.assert(fc.property(fc.uint8Array({ maxLength: 1600 }), (sig) => verify(pk, DOMAINS.Receipt, msg, sig) === false), { numRuns: 200 })
  })
})
