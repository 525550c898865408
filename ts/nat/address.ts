/**
 * GlobalAddress: 128 bits in the IPv6 unique-local range fd48:4d00::/32.
 *
 *   bytes 0–3   prefix fd 48 4d 00
 *   bytes 4–9   node: the first 48 bits of the owner's NodeId
 *   bytes 10–11 slot: 4-bit asset kind ‖ 12-bit slot index
 *   bytes 12–15 offset into the asset (big-endian u32)
 *
 * Text forms: IPv6 notation (any valid RFC 4291 form is read, including `::`
 * and a trailing dotted IPv4 part; RFC 5952 canonical form is written) and
 * `hypermesh://<ipv6>[/path]` (brackets optional). Malformed input is
 * refused with an AddressError saying what is wrong.
 */
export const ADDRESS_PREFIX = Object.freeze([0xfd, 0x48, 0x4d, 0x00])
export const MAX_OFFSET = 0xffffffff
export const MAX_SLOT_INDEX = 0xfff
/** Longest text `GlobalAddress.parse` reads (a URL with a path). */
export const MAX_URL_TEXT = 2048
const SCHEME = 'hypermesh://'

/** Malformed or out-of-range global address (text, bytes or parts). */
export class AddressError extends Error {
  static override readonly name = 'AddressError'
  override readonly name = 'AddressError'
  constructor (message: string, options?: ErrorOptions) { super(message, options) }
}

export interface GlobalAddressParts {
  /** First 6 bytes of the owner's NodeId. */
  node: Uint8Array
  /** Asset kind (ts/assets ASSET_KINDS value, 0..15). */
  kind: number
  /** Slot index of the asset among the owner's assets of that kind (0..4095). */
  index: number
  offset: number
}

/** A 128-bit global address (immutable). */
export class GlobalAddress {
  readonly bytes: Uint8Array

  private constructor (bytes: Uint8Array) { this.bytes = bytes }

  static fromBytes (b: Uint8Array): GlobalAddress {
    if (!(b instanceof Uint8Array) || b.length !== 16) throw new AddressError('a global address is 16 bytes')
    for (let i = 0; i < 4; i++) if (b[i] !== ADDRESS_PREFIX[i]) throw new AddressError('not in the HyperMesh range fd48:4d00::/32')
    return new GlobalAddress(Uint8Array.from(b))
  }

  static from (p: GlobalAddressParts): GlobalAddress {
    if (!(p.node instanceof Uint8Array) || p.node.length < 6) throw new AddressError('node must be at least the first 6 bytes of a NodeId')
    if (!Number.isInteger(p.kind) || p.kind < 0 || p.kind > 15) throw new AddressError('kind must be 0..15')
    if (!Number.isInteger(p.index) || p.index < 0 || p.index > MAX_SLOT_INDEX) throw new AddressError(`slot index must be 0..${MAX_SLOT_INDEX}`)
    if (!Number.isInteger(p.offset) || p.offset < 0 || p.offset > MAX_OFFSET) throw new AddressError(`offset must be 0..${MAX_OFFSET}`)
    const b = new Uint8Array(16)
    b.set(ADDRESS_PREFIX, 0)
    b.set(p.node.subarray(0, 6), 4)
    const slot = (p.kind << 12) | p.index
    b[10] = slot >> 8; b[11] = slot & 0xff
    new DataView(b.buffer).setUint32(12, p.offset)
    return new GlobalAddress(b)
  }

  /**
   * Parses IPv6 text or `hypermesh://<ipv6>[/path]` (brackets around the
   * address optional; the path, if any, is checked and ignored here — see
   * `GlobalAddress.parseUrl`). Throws AddressError saying what is wrong.
   */
  static parse (text: string): GlobalAddress {
    return GlobalAddress.parseUrl(text).address
  }

  /**
   * Parses either text form and also returns the URL path (`''` when there
   * is none, else starting with `/`). The path is for the application (a
   * sub-resource, a length); it is limited to RFC 3986 path characters with
   * valid percent-escapes, and a query or fragment is refused.
   */
  static parseUrl (text: string): { address: GlobalAddress, path: string } {
    if (typeof text !== 'string') throw new AddressError('an address must be a string')
    if (text.length > MAX_URL_TEXT) throw new AddressError(`address text longer than ${MAX_URL_TEXT} characters`)
    let t = text.trim()
    let path = ''
    if (/^hypermesh:\/\//i.test(t)) {
      t = t.slice(SCHEME.length)
      let host: string
      if (t.startsWith('[')) {
        const close = t.indexOf(']')
        if (close < 0) throw new AddressError(`unbalanced brackets in '${text.slice(0, 80)}'`)
        host = t.slice(1, close)
        path = t.slice(close + 1)
      } else {
        const slash = t.indexOf('/')
        host = slash < 0 ? t : t.slice(0, slash)
        path = slash < 0 ? '' : t.slice(slash)
      }
      if (path !== '' && !path.startsWith('/')) throw new AddressError(`'${text.slice(0, 80)}': after the address comes nothing or a /path (ports and userinfo are not part of a HyperMesh URL)`)
      if (/[?#]/.test(path)) throw new AddressError(`'${text.slice(0, 80)}': a HyperMesh URL has no query or fragment`)
      if (!/^(?:\/(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})*)*$/.test(path)) throw new AddressError(`'${text.slice(0, 80)}': the path holds characters a URL path may not (escape them as %XX)`)
      t = host
    } else if (t.includes('://')) {
      throw new AddressError(`'${text.slice(0, 80)}': the only URL scheme of a global address is hypermesh://`)
    }
    return { address: GlobalAddress.fromBytes(parseIPv6(t)), path }
  }

  get node (): Uint8Array { return this.bytes.slice(4, 10) }
  get kind (): number { return this.bytes[10] >> 4 }
  get index (): number { return ((this.bytes[10] & 0x0f) << 8) | this.bytes[11] }
  get offset (): number { const b = this.bytes; return ((b[12] << 24) >>> 0) + ((b[13] << 16) | (b[14] << 8) | b[15]) }

  /** The address of the asset's first byte (offset 0): the translation key. */
  base (): GlobalAddress { const b = this.bytes.slice(); b.fill(0, 12); return new GlobalAddress(b) }

  withOffset (offset: number): GlobalAddress {
    if (!Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) throw new AddressError(`offset must be 0..${MAX_OFFSET}`)
    const b = this.bytes.slice()
    b[12] = offset >>> 24; b[13] = (offset >>> 16) & 0xff; b[14] = (offset >>> 8) & 0xff; b[15] = offset & 0xff
    return new GlobalAddress(b)
  }

  /** This address plus `n` bytes; refuses to leave the asset's 32-bit offset space. */
  add (n: number): GlobalAddress {
    if (!Number.isSafeInteger(n)) throw new AddressError('offset delta must be an integer')
    const o = this.offset + n
    if (o < 0 || o > MAX_OFFSET) throw new AddressError(`offset ${o} leaves the asset's address space (0..${MAX_OFFSET})`)
    return this.withOffset(o)
  }

  equals (o: GlobalAddress): boolean { return this.bytes.every((x, i) => x === o.bytes[i]) }

  /** RFC 5952 canonical IPv6 text. */
  toString (): string { return formatIPv6(this.bytes) }

  /** `hypermesh://<canonical ipv6>` plus an optional path (checked as parseUrl checks it). */
  toUrl (path = ''): string {
    const url = `${SCHEME}${this.toString()}${path}`
    if (path !== '' && GlobalAddress.parseUrl(url).path !== path) throw new AddressError('path must be empty or a /path')
    return url
  }
}

/** Longest valid IPv6 text (8 groups with an embedded IPv4 address). */
export const MAX_IPV6_TEXT = 45

/**
 * RFC 4291 §2.2 text → 16 bytes: hex groups with at most one `::`, and the
 * form with a dotted-quad IPv4 address in the last 32 bits
 * (`fd48:4d00::1.2.3.4`; decimal octets without leading zeros, as
 * `node:net` reads them). Zone ids (`%eth0`) are refused: they scope
 * link-local addresses and mean nothing for a global address.
 */
export function parseIPv6 (text: string): Uint8Array {
  const bad = (why: string): never => { throw new AddressError(`'${String(text).slice(0, 60)}' is not an IPv6 address: ${why}`) }
  if (typeof text !== 'string') bad('not a string')
  if (text.length === 0) bad('empty')
  if (text.length > MAX_IPV6_TEXT) bad(`longer than ${MAX_IPV6_TEXT} characters`)
  if (text.includes('%')) bad('zone ids are not allowed in a global address')
  if (!/^[0-9a-fA-F:.]+$/.test(text)) bad('only hex digits, colons and a trailing dotted IPv4 part are allowed')
  let hexPart = text
  let v4: number[] = []
  if (text.includes('.')) {
    const colon = text.lastIndexOf(':')
    if (colon < 0) bad('an IPv4 part must follow IPv6 groups')
    const quad = text.slice(colon + 1).split('.')
    if (quad.length !== 4 || quad.some((q) => !/^(0|[1-9][0-9]{0,2})$/.test(q) || Number(q) > 255)) bad('the IPv4 part must be four decimal octets 0..255')
    v4 = quad.map(Number)
    hexPart = text.slice(0, colon + 1)
    // "x:x:x:x:x:x:" before the IPv4 part ends with a single colon that belongs to the IPv4 groups
    if (!hexPart.endsWith('::')) hexPart = hexPart.slice(0, -1)
    if (hexPart === '') bad('an IPv4 part must follow IPv6 groups')
  }
  const need = v4.length > 0 ? 6 : 8
  const dbl = hexPart.indexOf('::')
  if (dbl !== hexPart.lastIndexOf('::')) bad('more than one ::')
  const groups = (s: string): string[] => s === '' ? [] : s.split(':')
  let head: string[]; let tail: string[]
  if (dbl >= 0) { head = groups(hexPart.slice(0, dbl)); tail = groups(hexPart.slice(dbl + 2)) } else { head = groups(hexPart); tail = [] }
  const all = [...head, ...tail]
  if (all.some((g) => g.length === 0 || g.length > 4 || g.includes('.'))) bad('each group is 1..4 hex digits')
  if (dbl < 0 && all.length !== need) bad(`${need} groups are needed without ::`)
  if (dbl >= 0 && all.length > need - 1) bad(':: must stand for at least one group')
  const words = [...head, ...new Array<string>(need - all.length).fill('0'), ...tail].map((g) => parseInt(g, 16))
  if (v4.length > 0) words.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3])
  const out = new Uint8Array(16)
  words.forEach((w, i) => { out[2 * i] = w >> 8; out[2 * i + 1] = w & 0xff })
  return out
}

/** 16 bytes → RFC 5952 text: lower case, no leading zeros, the longest run (≥ 2) of zero groups as ::, leftmost on ties. */
export function formatIPv6 (b: Uint8Array): string {
  if (!(b instanceof Uint8Array) || b.length !== 16) throw new AddressError('an IPv6 address is 16 bytes')
  const w = Array.from({ length: 8 }, (_, i) => (b[2 * i] << 8) | b[2 * i + 1])
  let bestStart = -1; let bestLen = 0
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) { i++; continue }
    let j = i
    while (j < 8 && w[j] === 0) j++
    if (j - i > bestLen) { bestStart = i; bestLen = j - i }
    i = j
  }
  if (bestLen < 2) return w.map((x) => x.toString(16)).join(':')
  const left = w.slice(0, bestStart).map((x) => x.toString(16)).join(':')
  const right = w.slice(bestStart + bestLen).map((x) => x.toString(16)).join(':')
  return `${left}::${right}`
}
