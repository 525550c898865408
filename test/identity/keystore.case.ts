/** One suite for every Keystore implementation (node file, IndexedDB). */
import { describe, it, expect } from 'vitest'
import type { Keystore, StoredIdentity } from '../../ts/identity/index.ts'
import { testKeyPair } from '../fixtures/keys.ts'

export function sampleIdentity (i: number): StoredIdentity {
  const lk = new Uint8Array(68)
  for (let j = 0; j < lk.length; j++) lk[j] = (i * 31 + j) & 0xff
  return { falcon: testKeyPair(i), libp2pPrivateKey: lk }
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b))

export function keystoreSuite (name: string, make: () => Promise<Keystore>): void {
  describe(`Keystore: ${name}`, () => {
    it('is empty at first, then round-trips byte-exact', async () => {
      const ks = await make()
      expect(await ks.load()).toBeNull()
      const id = sampleIdentity(8)
      await ks.save(id)
      const back = await ks.load()
      expect(back).not.toBeNull()
      expect(same(back!.falcon.publicKey, id.falcon.publicKey)).toBe(true)
      expect(same(back!.falcon.secretKey, id.falcon.secretKey)).toBe(true)
      expect(same(back!.libp2pPrivateKey, id.libp2pPrivateKey)).toBe(true)
    })

    it('a second save replaces the first', async () => {
      const ks = await make()
      await ks.save(sampleIdentity(8))
      await ks.save(sampleIdentity(9))
      expect(same((await ks.load())!.falcon.publicKey, testKeyPair(9).publicKey)).toBe(true)
    })
  })
}
