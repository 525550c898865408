// NatTable (WASM scalar and SIMD builds) against ReferenceNatTable (TS) and
// a JS Map model: one shared suite on every implementation, then fast-check
// model-based runs of random operation sequences on all of them at once.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { instantiateKernelModule, type KernelModule } from '../../ts/wasm/loader.ts'
import { NatTable, ReferenceNatTable, natHash, type NatMap, type NatTableOptions } from '../../ts/wasm/nat.ts'

const modules: Record<string, KernelModule> = {
  scalar: instantiateKernelModule('scalar'),
  simd: instantiateKernelModule('simd')
}
const impls: Array<[string, (o?: NatTableOptions) => NatMap]> = [
  ['wasm scalar', (o) => new NatTable(modules.scalar, o)],
  ['wasm simd', (o) => new NatTable(modules.simd, o)],
  ['ts reference', (o) => new ReferenceNatTable(o)]
]

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
function keyOf (i: number, salt = 0): Uint8Array {
  const k = new Uint8Array(16)
  const dv = new DataView(k.buffer)
  dv.setUint32(0, 0xfd484d00) // GlobalAddress-like prefix: keys differ only in the low bytes
  dv.setUint32(8, salt)
  dv.setUint32(12, i)
  return k
}
function keysOf (ids: number[]): Uint8Array {
  const out = new Uint8Array(ids.length * 16)
  ids.forEach((id, j) => out.set(keyOf(id), j * 16))
  return out
}

for (const [name, make] of impls) {
  describe(`nat table: ${name}`, () => {
    it('inserts, updates, looks up and deletes', () => {
      const t = make()
      expect(t.size).toBe(0)
      expect(t.insert(keyOf(1), 10n)).toBe(true)
      expect(t.insert(keyOf(2), (1n << 64n) - 1n)).toBe(true)
      expect(t.insert(keyOf(1), 11n)).toBe(false)
      expect(t.size).toBe(2)
      expect(t.get(keyOf(1))).toBe(11n)
      expect(t.get(keyOf(2))).toBe((1n << 64n) - 1n)
      expect(t.get(keyOf(3))).toBeUndefined()
      expect(t.has(keyOf(2))).toBe(true)
      expect(t.delete(keyOf(1))).toBe(true)
      expect(t.delete(keyOf(1))).toBe(false)
      expect(t.get(keyOf(1))).toBeUndefined()
      expect(t.size).toBe(1)
      t.clear()
      expect(t.size).toBe(0)
      expect(t.get(keyOf(2))).toBeUndefined()
      t.dispose()
    })
    it('rejects bad arguments with InvalidArgumentError', () => {
      const t = make()
      const bad = expect.objectContaining({ name: 'InvalidArgumentError' })
      expect(() => t.insert(new Uint8Array(15), 1n)).toThrow(bad)
      expect(() => t.insert(keyOf(1), -1n)).toThrow(bad)
      expect(() => t.insert(keyOf(1), 1n << 64n)).toThrow(bad)
      expect(() => t.insert(keyOf(1), 5 as unknown as bigint)).toThrow(bad)
      expect(() => t.get(new Uint8Array(17))).toThrow(bad)
      expect(() => t.getBatch(new Uint8Array(20))).toThrow(bad)
      expect(() => t.getBatch(keysOf([1, 2]), { values: new BigUint64Array(1) })).toThrow(bad)
      expect(() => t.insertBatch(keysOf([1, 2]), new BigUint64Array(1))).toThrow(bad)
      expect(() => make({ maxEntries: 0 })).toThrow(bad)
      expect(() => make({ maxEntries: 2 ** 26 })).toThrow(bad)
      t.dispose()
      expect(() => t.get(keyOf(1))).toThrow(bad)
    })
    it('grows by doubling, keeping load ≤ 3/4 and every entry', () => {
      const t = make()
      expect(t.capacity).toBe(16)
      const n = 5000
      for (let i = 0; i < n; i++) t.insert(keyOf(i), BigInt(i) * 3n)
      expect(t.size).toBe(n)
      expect(t.capacity).toBe(8192)
      const { values, found, hits } = t.getBatch(keysOf(Array.from({ length: n + 10 }, (_, i) => i)))
      expect(hits).toBe(n)
      for (let i = 0; i < n; i++) { expect(found[i]).toBe(1); expect(values[i]).toBe(BigInt(i) * 3n) }
      for (let i = n; i < n + 10; i++) { expect(found[i]).toBe(0); expect(values[i]).toBe(0n) }
      for (let i = 0; i < n; i += 2) expect(t.delete(keyOf(i))).toBe(true)
      for (let i = 0; i < n; i++) expect(t.get(keyOf(i))).toBe(i % 2 === 0 ? undefined : BigInt(i) * 3n)
      t.dispose()
    })
    it('insertBatch counts new keys and sizes the table from initialEntries', () => {
      const t = make({ initialEntries: 1000 })
      expect(t.capacity).toBe(2048)
      const ids = Array.from({ length: 3000 }, (_, i) => i % 2000)
      const added = t.insertBatch(keysOf(ids), BigUint64Array.from(ids, (x, j) => BigInt(x + j)))
      expect(added).toBe(2000)
      expect(t.size).toBe(2000)
      expect(t.get(keyOf(5))).toBe(BigInt(5 + 2005)) // the later value wins
      expect(t.get(keyOf(1500))).toBe(1500n + 1500n)
      t.dispose()
    })
    it('throws NatTableFullError for a new key beyond maxEntries; updates still work', () => {
      const t = make({ maxEntries: 20 })
      for (let i = 0; i < 20; i++) t.insert(keyOf(i), 1n)
      expect(() => t.insert(keyOf(99), 1n)).toThrow(expect.objectContaining({ name: 'NatTableFullError' }))
      expect(t.insert(keyOf(3), 7n)).toBe(false)
      expect(t.get(keyOf(3))).toBe(7n)
      expect(t.size).toBe(20)
      t.delete(keyOf(0))
      // batch: updates and one new key fit, the second new key throws, earlier entries stay
      expect(() => t.insertBatch(keysOf([4, 100, 5, 101]), BigUint64Array.of(40n, 1000n, 50n, 1010n))).toThrow(expect.objectContaining({ name: 'NatTableFullError' }))
      expect(t.get(keyOf(4))).toBe(40n)
      expect(t.get(keyOf(100))).toBe(1000n)
      expect(t.get(keyOf(5))).toBe(50n)
      expect(t.has(keyOf(101))).toBe(false)
      expect(t.size).toBe(20)
      t.dispose()
    })
    it('accepts unaligned key batches and reuses output arrays', () => {
      const t = make()
      t.insert(keyOf(7), 77n)
      const buf = new Uint8Array(1 + 32)
      buf.set(keysOf([7, 8]), 1)
      const values = new BigUint64Array(4)
      const found = new Uint8Array(4)
      const r = t.getBatch(buf.subarray(1), { values, found })
      expect(r.values).toBe(values)
      expect([...values.subarray(0, 2)]).toEqual([77n, 0n])
      expect([...found.subarray(0, 2)]).toEqual([1, 0])
      t.dispose()
    })
  })
}

describe('nat table: WASM specifics', () => {
  it('the kernel hash is the TS hash (MurmurHash3_x86_32, seed 0x484d0001)', () => {
    const mod = modules.simd
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (k) => {
      const p = mod.heap.scratch(16)
      mod.heap.u8().set(k, p)
      const dv = new DataView(k.buffer, k.byteOffset)
      const ts = natHash(dv.getUint32(0, true), dv.getUint32(4, true), dv.getUint32(8, true), dv.getUint32(12, true))
      expect(mod.exports.nat_hash(p) >>> 0).toBe(ts)
    }), { numRuns: 200 })
  })
  it('keeps working after memory grows and gives its memory back on dispose', () => {
    const mod = instantiateKernelModule('scalar')
    const before = mod.heap.allocatedBytes
    const t = new NatTable(mod)
    for (let i = 0; i < 100; i++) t.insert(keyOf(i), BigInt(i))
    const pages = mod.exports.memory.buffer.byteLength / 65536
    const big = mod.heap.alloc(8 * 1024 * 1024) // forces memory.grow
    expect(mod.exports.memory.buffer.byteLength / 65536).toBeGreaterThan(pages)
    for (let i = 100; i < 2000; i++) t.insert(keyOf(i), BigInt(i))
    expect(t.getBatch(keysOf([0, 99, 1999])).values).toEqual(BigUint64Array.of(0n, 99n, 1999n))
    mod.heap.release(big)
    t.dispose()
    expect(mod.heap.allocatedBytes - before).toBeLessThanOrEqual(2 * 1024 * 1024) // only the shared scratch remains
  })
})

// --- model-based parity: every implementation and a Map, same operations, same answers
type Op =
  | { op: 'insert', id: number, value: bigint }
  | { op: 'delete', id: number }
  | { op: 'get', id: number }
  | { op: 'batch', ids: number[] }
  | { op: 'insertBatch', ids: number[], values: bigint[] }
  | { op: 'clear' }

const id = fc.integer({ min: 0, max: 60 })
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('insert' as const), id, value: u64 }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('delete' as const), id }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('get' as const), id }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('batch' as const), ids: fc.array(id, { maxLength: 20 }) }) },
  { weight: 1, arbitrary: fc.array(fc.tuple(id, u64), { maxLength: 12 }).map((p) => ({ op: 'insertBatch' as const, ids: p.map((x) => x[0]), values: p.map((x) => x[1]) })) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) }
)

function apply (t: NatMap, o: Op): unknown {
  switch (o.op) {
    case 'insert': return t.insert(keyOf(o.id), o.value)
    case 'delete': return t.delete(keyOf(o.id))
    case 'get': return t.get(keyOf(o.id))
    case 'batch': { const r = t.getBatch(keysOf(o.ids)); return [[...r.values], [...r.found], r.hits] }
    case 'insertBatch': return t.insertBatch(keysOf(o.ids), BigUint64Array.from(o.values))
    case 'clear': t.clear(); return undefined
  }
}

function applyModel (m: Map<string, bigint>, o: Op): unknown {
  const k = (i: number): string => hex(keyOf(i))
  switch (o.op) {
    case 'insert': { const isNew = !m.has(k(o.id)); m.set(k(o.id), o.value); return isNew }
    case 'delete': return m.delete(k(o.id))
    case 'get': return m.get(k(o.id))
    case 'batch': {
      const v = o.ids.map((i) => m.get(k(i)))
      return [v.map((x) => x ?? 0n), v.map((x) => x === undefined ? 0 : 1), v.filter((x) => x !== undefined).length]
    }
    case 'insertBatch': {
      let added = 0
      o.ids.forEach((i, j) => { if (!m.has(k(i))) added++; m.set(k(i), o.values[j]) })
      return added
    }
    case 'clear': m.clear(); return undefined
  }
}

describe('nat table: model-based parity (fast-check)', () => {
  it('random operation sequences give the Map model\'s answers on every implementation, with identical layouts', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => {
      const tables = impls.map(([, make]) => make())
      const model = new Map<string, bigint>()
      try {
        for (const o of ops) {
          const want = applyModel(model, o)
          for (const t of tables) expect(apply(t, o)).toEqual(want)
          for (const t of tables) expect(t.size).toBe(model.size)
        }
        const dump = (t: NatMap): string[] => [...t.entries()].map(([k, v]) => `${hex(k)}=${v}`)
        const ref = dump(tables[2])
        expect([...ref].sort()).toEqual([...model].map(([k, v]) => `${k}=${v}`).sort())
        // same algorithm, same layout: WASM slots come out in the reference's order
        expect(dump(tables[0])).toEqual(ref)
        expect(dump(tables[1])).toEqual(ref)
        expect(tables[0].capacity).toBe(tables[2].capacity)
      } finally {
        for (const t of tables) t.dispose()
      }
    }), { numRuns: 150 })
  })
  it('a batch ending in an update when the table is exactly full does not grow it (regression)', () => {
    const tables = impls.map(([, make]) => make())
    for (const t of tables) {
      for (const i of [0, 1, 2]) t.insert(keyOf(i), 0n)
      expect(t.insertBatch(keysOf([11, 3, 4, 5, 6, 7, 8, 10, 9, 0]), new BigUint64Array(10))).toBe(9)
      expect(t.capacity).toBe(16)
      expect(t.size).toBe(12)
    }
    const dump = (t: NatMap): string[] => [...t.entries()].map(([k, v]) => `${hex(k)}=${v}`)
    expect(dump(tables[0])).toEqual(dump(tables[2]))
    for (const t of tables) t.dispose()
  })
  it('random keys (full 128-bit), many deletes: parity with the model', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.boolean()), { maxLength: 300 }), (steps) => {
      const tables = impls.map(([, make]) => make())
      const model = new Map<string, bigint>()
      const seen: Uint8Array[] = []
      try {
        steps.forEach(([k, del], i) => {
          const key = del && seen.length > 0 ? seen[i % seen.length] : k
          if (!del) seen.push(key)
          const want = del ? model.delete(hex(key)) : !model.has(hex(key))
          if (!del) model.set(hex(key), BigInt(i))
          for (const t of tables) expect(del ? t.delete(key) : t.insert(key, BigInt(i))).toBe(want)
        })
        const all = new Uint8Array(seen.length * 16)
        seen.forEach((k, j) => all.set(k, j * 16))
        const expected = seen.map((k) => model.get(hex(k)) ?? 0n)
        for (const t of tables) expect([...t.getBatch(all).values]).toEqual(expected)
      } finally {
        for (const t of tables) t.dispose()
      }
    }), { numRuns: 100 })
  })
})
