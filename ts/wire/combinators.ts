/**
 * Coders built from coders: struct, tuple, vector, array, option, tagged
 * unions, enumerations, literals, magic prefixes, transforms.
 */
import { createCoder, type Coder, type CoderType, type Reader, type Writer } from './coder.ts'
import { readUvarint, writeUvarint, u8 } from './primitives.ts'
import { InvalidArgumentError } from '../errors.ts'

type AnyCoder = Coder<any> // eslint-disable-line @typescript-eslint/no-explicit-any

function sumFixed (coders: readonly AnyCoder[]): number | undefined {
  let n = 0
  for (const c of coders) {
    if (c.fixedBytes === undefined) return undefined
    n += c.fixedBytes
  }
  return n
}

export type StructValue<S extends Record<string, AnyCoder>> = { [K in keyof S]: CoderType<S[K]> }

/** Fields in declaration order, no tags or separators. Extra properties of the value are ignored. */
export function struct<S extends Record<string, AnyCoder>> (fields: S, name = 'struct'): Coder<StructValue<S>> {
  const entries = Object.entries(fields)
  for (const [k, c] of entries) {
    if (c === null || typeof c !== 'object' || typeof c.read !== 'function') throw new InvalidArgumentError(`struct field ${k} is not a coder`)
  }
  const keys = entries.map(([k]) => k)
  const coders = entries.map(([, c]) => c)
  return createCoder<StructValue<S>>({
    name,
    minBytes: coders.reduce((n, c) => n + c.minBytes, 0),
    fixedBytes: sumFixed(coders),
    write (w: Writer, v: StructValue<S>): void {
      if (v === null || typeof v !== 'object') throw w.invalid(name, `expected an object, got ${v === null ? 'null' : typeof v}`)
      const o = v as Record<string, unknown>
      for (let i = 0; i < keys.length; i++) {
        w.path.push(keys[i])
        coders[i].write(w, o[keys[i]])
        w.path.pop()
      }
    },
    read (r: Reader): StructValue<S> {
      const o: Record<string, unknown> = {}
      for (let i = 0; i < keys.length; i++) {
        r.path.push(keys[i])
        o[keys[i]] = coders[i].read(r)
        r.path.pop()
      }
      return o as StructValue<S>
    }
  })
}

export type TupleValue<T extends readonly AnyCoder[]> = { -readonly [K in keyof T]: CoderType<T[K]> }

/** Elements in order, as an array. */
export function tuple<const T extends readonly AnyCoder[]> (coders: T, name = 'tuple'): Coder<TupleValue<T>> {
  return createCoder<TupleValue<T>>({
    name,
    minBytes: coders.reduce((n, c) => n + c.minBytes, 0),
    fixedBytes: sumFixed(coders),
    write (w: Writer, v: TupleValue<T>): void {
      if (!Array.isArray(v) || v.length !== coders.length) throw w.invalid(name, `expected an array of ${coders.length}`)
      for (let i = 0; i < coders.length; i++) {
        w.path.push(String(i))
        coders[i].write(w, v[i])
        w.path.pop()
      }
    },
    read (r: Reader): TupleValue<T> {
      const out: unknown[] = []
      for (let i = 0; i < coders.length; i++) {
        r.path.push(String(i))
        out.push(coders[i].read(r))
        r.path.pop()
      }
      return out as TupleValue<T>
    }
  })
}

function checkCount (what: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`${what} must be a non-negative safe integer, got ${String(n)}`)
}

function readItems<T> (r: Reader, coder: Coder<T>, count: number, out: T[]): T[] {
  for (let i = 0; i < count; i++) {
    r.path.push(String(i))
    out.push(coder.read(r))
    r.path.pop()
  }
  return out
}

function writeItems<T> (w: Writer, coder: Coder<T>, v: readonly T[]): void {
  for (let i = 0; i < v.length; i++) {
    w.path.push(String(i))
    coder.write(w, v[i])
    w.path.pop()
  }
}

/**
 * A uvarint count (≤ maxCount) then the items. The count is checked against
 * maxCount and against the bytes left (count × the item's minimum size)
 * before the array grows.
 */
export function vector<T> (coder: Coder<T>, maxCount: number): Coder<T[]> {
  checkCount('vector(maxCount)', maxCount)
  const name = `vector(${coder.name}, ${maxCount})`
  return createCoder<T[]>({
    name,
    minBytes: 1,
    write (w: Writer, v: T[]): void {
      if (!Array.isArray(v)) throw w.invalid(name, 'expected an array')
      if (v.length > maxCount) throw w.invalid(name, `${v.length} items exceed the bound ${maxCount}`)
      writeUvarint(w, v.length)
      writeItems(w, coder, v)
    },
    read (r: Reader): T[] {
      const n = readUvarint(r, `${name} count`)
      if (n > maxCount) throw r.fail(name, `count ${n} exceeds the bound ${maxCount}`)
      if (n * coder.minBytes > r.remaining) throw r.fail(name, `truncated: ${n} items need at least ${n * coder.minBytes} bytes, ${r.remaining} left`)
      return readItems(r, coder, n, [])
    }
  })
}

/** Exactly `count` items, no count prefix. */
export function array<T> (coder: Coder<T>, count: number): Coder<T[]> {
  checkCount('array(count)', count)
  const name = `array(${coder.name}, ${count})`
  return createCoder<T[]>({
    name,
    minBytes: coder.minBytes * count,
    fixedBytes: coder.fixedBytes === undefined ? undefined : coder.fixedBytes * count,
    write (w: Writer, v: T[]): void {
      if (!Array.isArray(v) || v.length !== count) throw w.invalid(name, `expected an array of ${count}`)
      writeItems(w, coder, v)
    },
    read (r: Reader): T[] {
      if (count * coder.minBytes > r.remaining) throw r.fail(name, `truncated: needs at least ${count * coder.minBytes} bytes, ${r.remaining} left`)
      return readItems(r, coder, count, [])
    }
  })
}

/** A presence byte (0 absent, 1 present; nothing else) then the value. Absent is `undefined`. */
export function option<T> (coder: Coder<T>): Coder<T | undefined> {
  const name = `option(${coder.name})`
  return createCoder<T | undefined>({
    name,
    minBytes: 1,
    write (w: Writer, v: T | undefined): void {
      if (v === undefined) { w.u8(0); return }
      w.u8(1)
      coder.write(w, v)
    },
    read (r: Reader): T | undefined {
      const b = r.u8(name)
      if (b === 0) return undefined
      if (b !== 1) throw r.fail(name, `invalid presence byte ${b} (only 0 or 1)`)
      return coder.read(r)
    }
  })
}

function checkTagCoder (tagCoder: Coder<number>, values: number[], what: string): void {
  const seen = new Set<number>()
  for (const v of values) {
    if (seen.has(v)) throw new InvalidArgumentError(`${what}: duplicate tag ${v}`)
    seen.add(v)
    tagCoder.encode(v) // throws InvalidArgumentError when the tag does not fit
  }
}

/**
 * The values of an `as const` object, e.g. `enumeration({ Cpu: 0, Gpu: 1 } as const)`,
 * encoded with `tagCoder` (u8 by default). Decode rejects any other value.
 */
export function enumeration<const E extends Record<string, number>> (values: E, tagCoder: Coder<number> = u8, name = 'enum'): Coder<E[keyof E]> {
  const allowed = Object.values(values)
  checkTagCoder(tagCoder, allowed, name)
  const set = new Set<number>(allowed)
  return createCoder<E[keyof E]>({
    name,
    minBytes: tagCoder.minBytes,
    fixedBytes: tagCoder.fixedBytes,
    write (w: Writer, v: E[keyof E]): void {
      if (!set.has(v)) throw w.invalid(name, `${String(v)} is not one of ${allowed.join(', ')}`)
      tagCoder.write(w, v)
    },
    read (r: Reader): E[keyof E] {
      const v = tagCoder.read(r)
      if (!set.has(v)) throw r.fail(name, `unknown value ${v}`)
      return v as E[keyof E]
    }
  })
}

export type Variants = Record<string, readonly [number, AnyCoder]>
/** The value of a tagged union: `{ type, value }` with the variant's name. */
export type TaggedValue<V extends Variants> = { [K in keyof V & string]: { type: K, value: CoderType<V[K][1]> } }[keyof V & string]

/**
 * A tagged union: the variant's tag (u8 by default) then its body.
 * `tagged({ ping: [0, struct({ n: u32 })], pong: [1, u64] } as const)` codes
 * `{ type: 'ping', value: { n: 1 } }`. Unknown tags are rejected.
 */
export function tagged<const V extends Variants> (variants: V, tagCoder: Coder<number> = u8, name = 'tagged'): Coder<TaggedValue<V>> {
  const names = Object.keys(variants)
  checkTagCoder(tagCoder, names.map((k) => variants[k][0]), name)
  const byTag = new Map<number, [string, AnyCoder]>()
  for (const k of names) byTag.set(variants[k][0], [k, variants[k][1]])
  const hasOwn = (k: unknown): k is string => typeof k === 'string' && Object.hasOwn(variants, k)
  let minBody = Infinity
  for (const k of names) minBody = Math.min(minBody, variants[k][1].minBytes)
  return createCoder<TaggedValue<V>>({
    name,
    minBytes: tagCoder.minBytes + (names.length > 0 ? minBody : 0),
    write (w: Writer, v: TaggedValue<V>): void {
      if (v === null || typeof v !== 'object' || !hasOwn(v.type)) throw w.invalid(name, `unknown variant ${String((v as { type?: unknown } | null)?.type)}`)
      const [tag, coder] = variants[v.type]
      tagCoder.write(w, tag)
      w.path.push(v.type)
      coder.write(w, v.value)
      w.path.pop()
    },
    read (r: Reader): TaggedValue<V> {
      const tag = tagCoder.read(r)
      const variant = byTag.get(tag)
      if (variant === undefined) throw r.fail(name, `unknown tag ${tag}`)
      r.path.push(variant[0])
      const value = variant[1].read(r)
      r.path.pop()
      return { type: variant[0], value } as TaggedValue<V>
    }
  })
}

/** A constant: encodes only `value` (e.g. a version number); decode rejects anything else. */
export function literal<const T extends number | bigint | string | boolean> (coder: Coder<T>, value: T): Coder<T> {
  const name = `literal(${String(value)})`
  coder.encode(value)
  return createCoder<T>({
    name,
    minBytes: coder.minBytes,
    fixedBytes: coder.fixedBytes,
    write (w: Writer, v: T): void {
      if (v !== value) throw w.invalid(name, `expected ${String(value)}, got ${String(v)}`)
      coder.write(w, v)
    },
    read (r: Reader): T {
      const v = coder.read(r)
      if (v !== value) throw r.fail(name, `expected ${String(value)}, got ${String(v)}`)
      return v
    }
  })
}

/** Fixed magic bytes before `inner` (file or message signatures). */
export function magic<T> (prefix: Uint8Array, inner: Coder<T>): Coder<T> {
  if (!(prefix instanceof Uint8Array)) throw new InvalidArgumentError('magic prefix must be a Uint8Array')
  const bytes = prefix.slice()
  const name = `magic(${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')})`
  return createCoder<T>({
    name,
    minBytes: bytes.length + inner.minBytes,
    fixedBytes: inner.fixedBytes === undefined ? undefined : bytes.length + inner.fixedBytes,
    write (w: Writer, v: T): void {
      w.bytes(bytes)
      inner.write(w, v)
    },
    read (r: Reader): T {
      const got = r.take(bytes.length, name)
      for (let i = 0; i < bytes.length; i++) {
        if (got[i] !== bytes[i]) throw r.fail(name, 'wrong magic bytes')
      }
      return inner.read(r)
    }
  })
}

/**
 * A coder of `U` over a coder of `T`. `from` may throw to reject a decoded
 * value (wrap the reason; it becomes a DecodeError naming the field); `to`
 * and `from` must be inverse for the encoding to stay canonical.
 */
export function transform<T, U> (coder: Coder<T>, to: (u: U) => T, from: (t: T) => U, name = coder.name): Coder<U> {
  return createCoder<U>({
    name,
    minBytes: coder.minBytes,
    fixedBytes: coder.fixedBytes,
    write (w: Writer, v: U): void {
      let t: T
      try {
        t = to(v)
      } catch (err) {
        throw w.invalid(name, (err as Error).message)
      }
      coder.write(w, t)
    },
    read (r: Reader): U {
      const t = coder.read(r)
      try {
        return from(t)
      } catch (err) {
        throw r.fail(name, (err as Error).message)
      }
    }
  })
}

function compareBytes (a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i]
  return a.length - b.length
}

/**
 * A canonical map: a uvarint count (≤ maxCount), then the entries sorted by
 * the bytes of their encoded keys. Encode sorts (and rejects keys whose
 * encodings collide); decode requires strictly increasing key encodings, so
 * duplicates and unsorted maps are rejected. Decodes to a `Map` in that order.
 */
export function sortedMap<K, V> (keyCoder: Coder<K>, valueCoder: Coder<V>, maxCount: number): Coder<Map<K, V>> {
  checkCount('sortedMap(maxCount)', maxCount)
  const name = `sortedMap(${keyCoder.name}, ${valueCoder.name}, ${maxCount})`
  const minEntry = keyCoder.minBytes + valueCoder.minBytes
  return createCoder<Map<K, V>>({
    name,
    minBytes: 1,
    write (w: Writer, v: Map<K, V>): void {
      if (!(v instanceof Map)) throw w.invalid(name, 'expected a Map')
      if (v.size > maxCount) throw w.invalid(name, `${v.size} entries exceed the bound ${maxCount}`)
      const entries: Array<[Uint8Array, V, K]> = []
      for (const [k, val] of v) {
        w.path.push('key')
        let kb: Uint8Array
        try { kb = keyCoder.encode(k) } finally { w.path.pop() }
        entries.push([kb, val, k])
      }
      entries.sort((a, b) => compareBytes(a[0], b[0]))
      writeUvarint(w, entries.length)
      for (let i = 0; i < entries.length; i++) {
        if (i > 0 && compareBytes(entries[i - 1][0], entries[i][0]) === 0) throw w.invalid(name, 'two keys have the same encoding')
        w.bytes(entries[i][0])
        w.path.push(String(entries[i][2]))
        valueCoder.write(w, entries[i][1])
        w.path.pop()
      }
    },
    read (r: Reader): Map<K, V> {
      const n = readUvarint(r, `${name} count`)
      if (n > maxCount) throw r.fail(name, `count ${n} exceeds the bound ${maxCount}`)
      if (n * minEntry > r.remaining) throw r.fail(name, `truncated: ${n} entries need at least ${n * minEntry} bytes, ${r.remaining} left`)
      const out = new Map<K, V>()
      let prev: Uint8Array | undefined
      for (let i = 0; i < n; i++) {
        r.path.push(String(i))
        const start = r.pos
        const k = keyCoder.read(r)
        const kb = r.bytes.subarray(start, r.pos)
        if (prev !== undefined && compareBytes(prev, kb) >= 0) throw r.fail(name, 'keys not in strictly increasing order (unsorted or duplicate)')
        prev = kb
        out.set(k, valueCoder.read(r))
        r.path.pop()
      }
      return out
    }
  })
}
