/** Small byte helpers and cooperative yielding for the proofs module. */
import { throwIfAborted } from '../errors.ts'

export function concatBytes (...parts: Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}

export function u32be (v: number): Uint8Array {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, v >>> 0)
  return b
}

export function u64be (v: number): Uint8Array {
  const b = new Uint8Array(8)
  const dv = new DataView(b.buffer)
  dv.setUint32(0, Math.floor(v / 2 ** 32)); dv.setUint32(4, v >>> 0)
  return b
}

/**
 * u64be(b[off..off+8]) mod m, exact for 1 ≤ m ≤ 2^37 without BigInt:
 * every intermediate product stays below 2^53.
 */
export function u64Mod (b: Uint8Array, off: number, m: number): number {
  const hi = ((b[off] << 24) >>> 0) + ((b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3])
  const lo = ((b[off + 4] << 24) >>> 0) + ((b[off + 5] << 16) | (b[off + 6] << 8) | b[off + 7])
  let r = hi % m
  r = (r * 65536) % m
  r = (r * 65536) % m
  return (r + (lo % m)) % m
}

export function bytesEqual (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let d = 0
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i]
  return d === 0
}

export function isBytes (v: unknown, len?: number): v is Uint8Array {
  return v instanceof Uint8Array && (len === undefined || v.length === len)
}

/**
 * Returns a function to await between chunks of long work: it checks the
 * signal and gives the event loop a turn about every `everyMs` ms (a bare
 * setTimeout per chunk would cost ≥ 1 ms each in Node).
 */
export function cooperative (signal: AbortSignal | undefined, everyMs = 8): () => Promise<void> {
  let last = performance.now()
  return async () => {
    throwIfAborted(signal)
    const now = performance.now()
    if (now - last < everyMs) return
    await new Promise<void>((resolve) => setTimeout(resolve, 0))
    last = performance.now()
    throwIfAborted(signal)
  }
}
