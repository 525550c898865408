import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import net from 'node:net'
import { GlobalAddress, Translator, MEM_OPS, formatIPv6, parseIPv6 } from '../../ts/nat/index.ts'
import { ReferenceNatTable } from '../../ts/wasm/nat-reference.ts'
import { NatTable } from '../../ts/wasm/nat.ts'
import { loadKernelModule } from '../../ts/wasm/loader.ts'

const node = Uint8Array.from([0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 9, 9, 9])

describe('GlobalAddress', () => {
  it('packs node, kind, slot and offset into fd48:4d00::/32 and prints RFC 5952 text', () => {
    const a = GlobalAddress.from({ node, kind: 2, index: 5, offset: 0x40 })
    expect(a.toString()).toBe('fd48:4d00:1a2b:3c4d:5e6f:2005:0:40')
    expect(a.toUrl()).toBe('hypermesh://fd48:4d00:1a2b:3c4d:5e6f:2005:0:40')
    expect([...a.node]).toEqual([...node.subarray(0, 6)])
    expect([a.kind, a.index, a.offset]).toEqual([2, 5, 0x40])
    expect(GlobalAddress.from({ node: new Uint8Array(6), kind: 0, index: 0, offset: 0 }).toString()).toBe('fd48:4d00::')
    expect(GlobalAddress.from({ node: new Uint8Array(6), kind: 0, index: 0, offset: 1 }).toString()).toBe('fd48:4d00::1')
  })

  it('reads every valid IPv6 spelling and the hypermesh:// form; refuses malformed text with AddressError', () => {
    const a = GlobalAddress.from({ node, kind: 2, index: 5, offset: 0x40 })
    for (const t of ['FD48:4D00:1A2B:3C4D:5E6F:2005:0000:0040', 'fd48:4d00:1a2b:3c4d:5e6f:2005::40', 'hypermesh://fd48:4d00:1a2b:3c4d:5e6f:2005:0:40',
      'hypermesh://[fd48:4d00:1a2b:3c4d:5e6f:2005:0:40]', ' fd48:4d00:1a2b:3c4d:5e6f:2005:0:40 ']) {
      expect(GlobalAddress.parse(t).equals(a)).toBe(true)
    }
    for (const bad of ['', 'fd48::4d00::1', 'fd48:4d00:1:2:3:4:5:6:7', 'fd48:4d00:12345::', 'fe80::1', '2001:db8::1', '::ffff:1.2.3.4', 'fd48:4d00::1%eth0',
      'hypermesh://[fd48:4d00::1', 'fd48:4d00:g::', 'x'.repeat(100), 'fd48:4d00:1:2:3:4:5']) {
      expect(() => GlobalAddress.parse(bad), bad).toThrow(expect.objectContaining({ name: 'AddressError' }))
    }
  })

  it('agrees with Node\'s own IPv6 parser and formats canonically (fast-check against node:net)', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 8 }), (b, zeros) => {
      for (const z of zeros) { b[2 * z] = 0; b[2 * z + 1] = 0 }
      b[0] |= 0x20 // not ::/96 or ::ffff:0:0/96, which node:net prints in dotted IPv4 form
      const text = formatIPv6(b)
      expect(net.isIPv6(text)).toBe(true)
      // node:net's SocketAddress canonicalises: it must print the same text
      expect(new net.SocketAddress({ address: text, family: 'ipv6' }).address).toBe(text)
      expect(parseIPv6(text)).toEqual(b)
      expect(parseIPv6(text.toUpperCase())).toEqual(b)
    }), { numRuns: 2000 })
    fc.assert(fc.property(fc.string({ maxLength: 50 }), (s) => {
      try { parseIPv6(s) } catch (err) { expect((err as Error).name).toBe('AddressError'); return }
      expect(net.isIPv6(s)).toBe(true)
    }), { numRuns: 3000 })
  })

  it('address arithmetic stays inside the asset', () => {
    const a = GlobalAddress.from({ node, kind: 2, index: 5, offset: 0xfffffff0 })
    expect(a.add(15).offset).toBe(0xffffffff)
    expect(() => a.add(16)).toThrow(/leaves the asset/)
    expect(() => a.add(-0xfffffff1)).toThrow(/leaves the asset/)
    expect(a.base().offset).toBe(0)
  })
})

describe('Translator', () => {
  const peer = new Uint8Array(32).fill(1)
  const asset = new Uint8Array(32).fill(2)
  const other = new Uint8Array(32).fill(3)

  for (const [name, mk] of [['TypeScript table', async () => new ReferenceNatTable()], ['core-wasm table', async () => new NatTable(await loadKernelModule('simd'))]] as const) {
    it(`translates, expires and invalidates on the ${name}`, async () => {
      let now = 1000
      const t = new Translator(await mk(), { now: () => now })
      const a = GlobalAddress.from({ node: peer, kind: 2, index: 0, offset: 0 })
      const b = GlobalAddress.from({ node: peer, kind: 2, index: 1, offset: 0 })
      t.set({ address: a, peer, assetId: asset, size: 4096, permissions: MEM_OPS.read | MEM_OPS.write, expiresAt: 5000 })
      t.set({ address: b, peer, assetId: other, size: 64, permissions: MEM_OPS.read, expiresAt: Infinity })
      expect(t.translate(a.add(100))).toMatchObject({ offset: 100, size: 4096, permissions: 3 })
      expect(t.translate(a.add(4096))).toBeUndefined() // past the region
      const batch = t.translateBatch([a.add(8), b.add(63), b.add(64), GlobalAddress.from({ node: peer, kind: 2, index: 9, offset: 0 })])
      expect(batch.map((x) => x?.offset)).toEqual([8, 63, undefined, undefined])
      now = 5000
      expect(t.translate(a)).toBeUndefined() // expired
      expect(t.translate(b)).toBeDefined()
      // a committed block that releases the asset drops its translations
      expect(t.onCommittedBlock({ txs: [{ kind: 'asset.release', op: other }] })).toBe(1)
      expect(t.translate(b)).toBeUndefined()
      // re-adding reuses the slot; a stale handle never resolves to the new entry
      t.set({ address: b, peer, assetId: other, size: 8, permissions: MEM_OPS.fadd, expiresAt: Infinity })
      expect(t.translate(b)?.permissions).toBe(MEM_OPS.fadd)
      expect(t.size).toBe(1)
    })
  }
})
