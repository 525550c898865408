/**
 * Strict, host-independent text codecs the C2SP formats need: standard
 * base64 (RFC 4648 §4, padded, canonical only) and lowercase hex.
 * @module
 */
import { DecodeError } from '../../errors.ts'

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const B64_INDEX = new Int16Array(128).fill(-1)
for (let i = 0; i < 64; i++) B64_INDEX[B64.charCodeAt(i)] = i

export function base64Encode (data: Uint8Array): string {
  let out = ''
  let i = 0
  for (; i + 2 < data.length; i += 3) {
    const n = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2]
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63]
  }
  const rest = data.length - i
  if (rest === 1) {
    const n = data[i] << 16
    out += B64[n >> 18] + B64[(n >> 12) & 63] + '=='
  } else if (rest === 2) {
    const n = (data[i] << 16) | (data[i + 1] << 8)
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + '='
  }
  return out
}

/**
 * Decodes canonical padded base64 of at most `maxBytes` decoded bytes.
 * Rejects (DecodeError) whitespace, the URL alphabet, missing padding and
 * non-zero trailing bits, so every byte string has exactly one accepted text.
 */
export function base64Decode (text: string, maxBytes: number, what = 'base64'): Uint8Array {
  if (text.length % 4 !== 0) throw new DecodeError(`${what}: length ${text.length} is not a multiple of 4`)
  if (text.length / 4 * 3 > maxBytes + 2) throw new DecodeError(`${what}: longer than ${maxBytes} bytes`)
  let pad = 0
  if (text.endsWith('==')) pad = 2
  else if (text.endsWith('=')) pad = 1
  const n = text.length / 4 * 3 - pad
  if (n > maxBytes) throw new DecodeError(`${what}: longer than ${maxBytes} bytes`)
  const out = new Uint8Array(n)
  let o = 0
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length
    const v = [0, 0, 0, 0]
    for (let j = 0; j < 4; j++) {
      const c = text.charCodeAt(i + j)
      if (last && j >= 4 - pad) {
        if (c !== 61) throw new DecodeError(`${what}: bad padding`)
        continue
      }
      const d = c < 128 ? B64_INDEX[c] : -1
      if (d < 0) throw new DecodeError(`${what}: invalid character at ${i + j}`)
      v[j] = d
    }
    const word = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3]
    out[o++] = word >> 16
    if (o < n) out[o++] = (word >> 8) & 255
    if (o < n) out[o++] = word & 255
    if (last && pad > 0 && (word & (pad === 2 ? 0xffff : 0xff)) !== 0) throw new DecodeError(`${what}: non-canonical trailing bits`)
  }
  return out
}

const HEX = '0123456789abcdef'

export function hexEncode (data: Uint8Array): string {
  let s = ''
  for (const b of data) s += HEX[b >> 4] + HEX[b & 15]
  return s
}

/** Lowercase hex only (the form signed-note vkeys use). */
export function hexDecode (text: string, what = 'hex'): Uint8Array {
  if (text.length % 2 !== 0 || !/^[0-9a-f]*$/.test(text)) throw new DecodeError(`${what}: not lowercase hex`)
  const out = new Uint8Array(text.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16)
  return out
}

export function bytesEqual (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let d = 0
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i]
  return d === 0
}

export function concatBytes (...parts: Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}

export const utf8Encoder = new TextEncoder()
/** Fatal decoder: invalid UTF-8 throws instead of becoming U+FFFD. */
export const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
