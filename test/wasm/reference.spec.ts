import { describe, it, expect } from 'vitest'
import { createHash } from 'node:crypto'
import { referenceKernel as k, writeU64BE, leadingZeroBits } from '../../ts/wasm/reference.ts'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

describe('reference kernel', () => {
  it('matches FIPS 180-4 known answers', () => {
    expect(hex(k.sha256(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(hex(k.sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    expect(hex(k.sha256(new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))))
      .toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1')
  })

  it('agrees with node:crypto on every length 0..300', () => {
    for (let len = 0; len <= 300; len++) {
      const d = new Uint8Array(len).map((_, i) => (i * 31 + len) & 0xff)
      expect(hex(k.sha256(d))).toBe(createHash('sha256').update(d).digest('hex'))
    }
  })

  it('powSearch returns the first qualifying nonce', () => {
    const prefix = new Uint8Array(77).fill(9)
    const bits = 8
    const n = k.powSearch(prefix, bits, 0, 10_000)
    const buf = new Uint8Array(85); buf.set(prefix)
    for (let i = 0; i <= n; i++) {
      writeU64BE(buf, 77, i)
      const lz = leadingZeroBits(createHash('sha256').update(buf).digest())
      expect(lz >= bits).toBe(i === n)
    }
  })
})
