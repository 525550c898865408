/**
 * GlobalAddress: 128 bits in the IPv6 unique-local range fd48:4d00::/32.
 *
 *   bytes 0–3   prefix fd 48 4d 00
 *   bytes 4–9   node: the first 48 bits of the owner's NodeId
 *   bytes 10–11 slot: 4-bit asset kind ‖ 12-bit slot index
 *   bytes 12–15 offset into the asset (big-endian u32)
 *
 * Text forms: IPv6 notation (any valid form is read; RFC 5952 canonical form
 * is written) and `hypermesh://<ipv6>` (brackets optional). Malformed input
 * is refused with an AddressError saying what is wrong.
 */
export const ADDRESS_PREFIX = Object.freeze([0xfd, 0x48, 0x4d, 0x00])
export const MAX_OFFSET = 0xffffffff
export const MAX_SLOT_INDEX = 0xfff

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

  /** Parses IPv6 text or `hypermesh://<ipv6>`. */
  static parse (text: string): GlobalAddress {
    if (typeof text !== 'string') throw new AddressError('an address must be a string')
    let t = text.trim()
    if (t.length > 80) throw new AddressError('address text too long')
    if (/^hypermesh:\/\//i.test(t)) {
      t = t.slice('hypermesh://'.length)
      if (t.startsWith('[')) {
        if (!t.endsWith(']')) throw new AddressError(`unbalanced brackets in '${text}'`)
        t = t.slice(1, -1)
      }
      if (t.endsWith('/')) t = t.slice(0, -1)
    }
    return GlobalAddress.fromBytes(parseIPv6(t))
  }

  get node (): Uint8Array { return this.bytes.slice(4, 10) }
  get kind (): number { return this.bytes[10] >> 4 }
  get index (): number { return ((this.bytes[10] & 0x0f) << 8) | this.bytes[11] }
  get offset (): number { return new DataView(this.bytes.buffer, this.bytes.byteOffset).getUint32(12) }

  /** The address of the asset's first byte (offset 0): the translation key. */
  base (): GlobalAddress { return this.withOffset(0) }

  withOffset (offset: number): GlobalAddress {
    return GlobalAddress.from({ node: this.node, kind: this.kind, index: this.index, offset })
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

  toUrl (): string { return `hypermesh://${this.toString()}` }
}

/** RFC 4291 text → 16 bytes (hex groups with at most one `::`; embedded IPv4 and zone ids are not global addresses). */
export function parseIPv6 (text: string): Uint8Array {
  const bad = (why: string): never => { throw new AddressError(`'${text.slice(0, 60)}' is not an IPv6 address: ${why}`) }
  if (text.length === 0) bad('empty')
  if (text.includes('%')) bad('zone ids are not allowed')
  if (text.includes('.')) bad('embedded IPv4 is not a HyperMesh address')
  if (!/^[0-9a-fA-F:]+$/.test(text)) bad('only hex digits and colons are allowed')
  const dbl = text.indexOf('::')
  if (dbl !== text.lastIndexOf('::')) bad('more than one ::')
  const groups = (s: string): string[] => s === '' ? [] : s.split(':')
  let head: string[]; let tail: string[]
  if (dbl >= 0) { head = groups(text.slice(0, dbl)); tail = groups(text.slice(dbl + 2)) } else { head = groups(text); tail = [] }
  const all = [...head, ...tail]
  if (all.some((g) => g.length === 0 || g.length > 4)) bad('each group is 1..4 hex digits')
  if (dbl < 0 && all.length !== 8) bad('8 groups are needed without ::')
  if (dbl >= 0 && all.length > 7) bad(':: must stand for at least one group')
  const words = [...head, ...new Array<string>(8 - all.length).fill('0'), ...tail].map((g) => parseInt(g, 16))
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
