/**
 * Byte strings: fixed-length, uvarint-length-prefixed, and UTF-8 text.
 * Lengths are checked against the declared bound and the bytes actually
 * present BEFORE anything is allocated or sliced.
 */
import { createCoder, type Coder, type Reader, type Writer } from './coder.ts'
import { readUvarint, writeUvarint, uvarintLength } from './primitives.ts'
import { InvalidArgumentError } from '../errors.ts'

function checkBound (what: string, n: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(n) || n < 0 || n > max) throw new InvalidArgumentError(`${what} must be an integer in [0, ${max}], got ${String(n)}`)
}

/** Exactly `n` bytes, no prefix. Decodes to a view of the input. */
export function bytes (n: number): Coder<Uint8Array> {
  checkBound('bytes(n)', n)
  const name = `bytes(${n})`
  return createCoder<Uint8Array>({
    name,
    minBytes: n,
    fixedBytes: n,
    write (w: Writer, v: Uint8Array): void {
      if (!(v instanceof Uint8Array)) throw w.invalid(name, 'expected a Uint8Array')
      if (v.length !== n) throw w.invalid(name, `expected ${n} bytes, got ${v.length}`)
      w.bytes(v)
    },
    read: (r: Reader): Uint8Array => r.take(n, name)
  })
}

/** Reads a uvarint length, rejecting it before any allocation if over `max` or over the bytes left. */
export function readLength (r: Reader, max: number, what: string): number {
  const len = readUvarint(r, `${what} length`)
  if (len > max) throw r.fail(what, `length ${len} exceeds the bound ${max}`)
  if (len > r.remaining) throw r.fail(what, `truncated: length ${len}, ${r.remaining} byte(s) left`)
  return len
}

/** A uvarint length (≤ max) then that many bytes. Decodes to a view of the input. */
export function varBytes (max: number): Coder<Uint8Array> {
  checkBound('varBytes(max)', max)
  const name = `varBytes(${max})`
  return createCoder<Uint8Array>({
    name,
    minBytes: 1,
    write (w: Writer, v: Uint8Array): void {
      if (!(v instanceof Uint8Array)) throw w.invalid(name, 'expected a Uint8Array')
      if (v.length > max) throw w.invalid(name, `${v.length} bytes exceed the bound ${max}`)
      w.reserve(uvarintLength(v.length) + v.length)
      writeUvarint(w, v.length)
      w.bytes(v)
    },
    read (r: Reader): Uint8Array {
      const len = readLength(r, max, name)
      return r.take(len, name)
    }
  })
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
// A lone surrogate would be replaced by U+FFFD on encode and not round-trip.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** A uvarint byte length (≤ maxBytes) then UTF-8; invalid UTF-8 is rejected. */
export function utf8 (maxBytes: number): Coder<string> {
  checkBound('utf8(maxBytes)', maxBytes)
  const name = `utf8(${maxBytes})`
  return createCoder<string>({
    name,
    minBytes: 1,
    write (w: Writer, v: string): void {
      if (typeof v !== 'string') throw w.invalid(name, `expected a string, got ${typeof v}`)
      if (v.length > maxBytes) throw w.invalid(name, `string longer than ${maxBytes} bytes`)
      if (LONE_SURROGATE.test(v)) throw w.invalid(name, 'string has a lone surrogate (not valid Unicode)')
      const b = encoder.encode(v)
      if (b.length > maxBytes) throw w.invalid(name, `${b.length} UTF-8 bytes exceed the bound ${maxBytes}`)
      writeUvarint(w, b.length)
      w.bytes(b)
    },
    read (r: Reader): string {
      const len = readLength(r, maxBytes, name)
      const b = r.take(len, name)
      try {
        return decoder.decode(b)
      } catch (err) {
        throw r.fail(name, `invalid UTF-8 (${(err as Error).message})`)
      }
    }
  })
}
