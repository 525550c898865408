import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { CapabilityBody, CapabilityError, MEM_OPS, SignedCapability, checkCapability, issueCapability } from '../../ts/nat/index.ts'
import { nodeIdOf } from '../../ts/identity/index.ts'
import { encodeCanonical } from '../../ts/wire/index.ts'
import { testKeyPair } from '../fixtures/keys.ts'

const owner = testKeyPair(0)
const holderKey = testKeyPair(1)
const holder = nodeIdOf(holderKey.publicKey)
const asset = new Uint8Array(32).fill(5)
const NOW = 1_800_000_000_000
const token = issueCapability(owner, { holder, asset, offset: 64n, length: 4096n, ops: MEM_OPS.read | MEM_OPS.fadd, expires: BigInt(NOW + 1000) })

describe('capability tokens', () => {
  it('the owner\'s token checks for its holder until it expires', () => {
    const body = checkCapability(token, owner.publicKey, holder, NOW)
    expect(body).toMatchObject({ version: 1, offset: 64n, length: 4096n, ops: MEM_OPS.read | MEM_OPS.fadd, expires: BigInt(NOW + 1000) })
    expect(checkCapability(token, owner.publicKey, holder, NOW + 999).ops).toBe(9)
    expect(() => checkCapability(token, owner.publicKey, holder, NOW + 1000)).toThrow(/expired/)
  })

  it('refuses another holder, another owner, a forged body and a flipped signature bit', () => {
    expect(() => checkCapability(token, owner.publicKey, nodeIdOf(owner.publicKey), NOW)).toThrow(/another holder/)
    expect(() => checkCapability(token, holderKey.publicKey, holder, NOW)).toThrow(/another owner/)
    const t = SignedCapability.decode(token)
    const widened = encodeCanonical(SignedCapability, { ...t, body: { ...t.body, length: 1n << 40n } })
    expect(() => checkCapability(widened, owner.publicKey, holder, NOW)).toThrow(/does not verify/)
    const sig = t.signature.slice(); sig[sig.length - 3] ^= 1
    expect(() => checkCapability(encodeCanonical(SignedCapability, { ...t, signature: sig }), owner.publicKey, holder, NOW)).toThrow(CapabilityError)
    expect(() => issueCapability(owner, { holder, asset, offset: 0n, length: 1n, ops: 0, expires: 1n })).toThrow(/ops/)
  })

  it('random and mutated tokens are refused with CapabilityError only (fast-check)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      expect(() => checkCapability(b, owner.publicKey, holder, NOW)).toThrow(CapabilityError)
    }), { numRuns: 500 })
    fc.assert(fc.property(fc.nat({ max: token.length - 1 }), fc.integer({ min: 1, max: 255 }), fc.nat({ max: token.length }), (i, x, cut) => {
      const m = token.slice(); m[i] ^= x
      expect(() => checkCapability(m, owner.publicKey, holder, NOW)).toThrow(CapabilityError)
      if (cut < token.length) expect(() => checkCapability(token.subarray(0, cut), owner.publicKey, holder, NOW)).toThrow(CapabilityError)
    }), { numRuns: 150 })
    fc.assert(fc.property(fc.record({
      version: fc.constant(1), owner: fc.uint8Array({ minLength: 32, maxLength: 32 }), holder: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      asset: fc.uint8Array({ minLength: 32, maxLength: 32 }), offset: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), length: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      ops: fc.integer({ min: 0, max: 255 }), expires: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })
    }), (body) => {
      expect(CapabilityBody.decode(encodeCanonical(CapabilityBody, body as never))).toEqual(body)
    }), { numRuns: 300 })
  })
})
