/**
 * C2SP tlog-tiles: tile paths, hash tiles, entry bundles, and verification
 * of a tile against a checkpoint.
 *
 * Paths are relative to the log prefix: `tile/<L>/<N>[.p/<W>]` and
 * `tile/entries/<N>[.p/<W>]`, N written as zero-padded 3-digit groups, all
 * but the last prefixed with `x` (1234067 → x001/x234/067).
 * @module
 */
import { DecodeError, InvalidArgumentError } from '../../errors.ts'
import { HASH_SIZE, hashChildren, hashLeaf } from './hash.ts'
import { rootFromLeafHashes, verifyConsistency } from './merkle.ts'
import { MAX_ENTRY_BYTES, TILE_HEIGHT, TILE_WIDTH } from './constants.ts'

/** A hash tile (level 0..63) or an entry bundle (`'entries'`). Full tiles have width 256. */
export interface TilePath {
  level: number | 'entries'
  index: number
  width: number
}

const MAX_LEVEL = 63

function checkTile (t: TilePath): void {
  if (!(t.level === 'entries' || (Number.isInteger(t.level) && t.level >= 0 && t.level <= MAX_LEVEL))) throw new InvalidArgumentError('tile level must be 0..63 or "entries"')
  if (!Number.isSafeInteger(t.index) || t.index < 0) throw new InvalidArgumentError('tile index must be a non-negative safe integer')
  if (!Number.isInteger(t.width) || t.width < 1 || t.width > TILE_WIDTH) throw new InvalidArgumentError('tile width must be 1..256')
}

/** N as 3-digit groups, all but the last prefixed with x. */
export function encodeTileIndex (n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('tile index must be a non-negative safe integer')
  const groups: string[] = []
  do { groups.unshift(String(n % 1000).padStart(3, '0')); n = Math.floor(n / 1000) } while (n > 0)
  return groups.map((g, i) => i < groups.length - 1 ? 'x' + g : g).join('/')
}

export function encodeTilePath (t: TilePath): string {
  checkTile(t)
  return `tile/${t.level}/${encodeTileIndex(t.index)}${t.width < TILE_WIDTH ? `.p/${t.width}` : ''}`
}

/** Parses a tile or entry bundle path (no leading slash); only the canonical encoding is accepted. */
export function parseTilePath (path: string): TilePath {
  if (typeof path !== 'string' || path.length > 80) throw new DecodeError('tile path too long')
  const m = /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/){0,5}[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(path)
  if (m === null) throw new DecodeError('not a tile path')
  const level: TilePath['level'] = m[1] === 'entries' ? 'entries' : Number(m[1])
  if (level !== 'entries' && level > MAX_LEVEL) throw new DecodeError('tile level above 63')
  const index = Number(m[2].replaceAll('x', '').replaceAll('/', ''))
  if (!Number.isSafeInteger(index)) throw new DecodeError('tile index beyond 2^53')
  const width = m[3] === undefined ? TILE_WIDTH : Number(m[3])
  if (m[3] !== undefined && width >= TILE_WIDTH) throw new DecodeError('partial tile width must be 1..255')
  const t: TilePath = { level, index, width }
  if (encodeTilePath(t) !== path) throw new DecodeError('non-canonical tile path')
  return t
}

/** First leaf covered by a tile: index · 256^(L+1) (entry bundles: level 0). */
export function tileStartLeaf (t: TilePath): number {
  const l = t.level === 'entries' ? 0 : t.level
  return t.index * 2 ** (TILE_HEIGHT * (l + 1))
}

/** One past the last leaf covered by a tile of its width. */
export function tileEndLeaf (t: TilePath): number {
  const l = t.level === 'entries' ? 0 : t.level
  return tileStartLeaf(t) + t.width * 2 ** (TILE_HEIGHT * l)
}

/** Entries as an entry bundle: each as big-endian uint16 length ‖ bytes. */
export function encodeEntryBundle (entries: readonly Uint8Array[]): Uint8Array {
  if (entries.length > TILE_WIDTH) throw new InvalidArgumentError('an entry bundle holds at most 256 entries')
  let n = 0
  for (const e of entries) {
    if (!(e instanceof Uint8Array) || e.length > MAX_ENTRY_BYTES) throw new InvalidArgumentError(`entries must be Uint8Arrays of at most ${MAX_ENTRY_BYTES} bytes`)
    n += 2 + e.length
  }
  const out = new Uint8Array(n)
  let o = 0
  for (const e of entries) {
    out[o] = e.length >> 8; out[o + 1] = e.length & 255
    out.set(e, o + 2)
    o += 2 + e.length
  }
  return out
}

/**
 * Decodes an entry bundle into views of `bytes`. Bounded before allocating:
 * at most `maxEntries` (default 256) entries, each length checked against
 * the bytes left; trailing bytes or a truncated entry throw DecodeError.
 */
export function decodeEntryBundle (bytes: Uint8Array, maxEntries: number = TILE_WIDTH): Uint8Array[] {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('bundle must be a Uint8Array')
  if (bytes.length > TILE_WIDTH * (2 + MAX_ENTRY_BYTES)) throw new DecodeError('entry bundle larger than 256 maximal entries')
  const out: Uint8Array[] = []
  let o = 0
  while (o < bytes.length) {
    if (out.length >= maxEntries) throw new DecodeError(`entry bundle has more than ${maxEntries} entries`)
    if (o + 2 > bytes.length) throw new DecodeError('entry bundle truncated in a length prefix')
    const len = (bytes[o] << 8) | bytes[o + 1]
    if (o + 2 + len > bytes.length) throw new DecodeError('entry bundle truncated in an entry')
    out.push(bytes.subarray(o + 2, o + 2 + len))
    o += 2 + len
  }
  return out
}

/** Splits a hash tile into its 32-byte hashes (views); DecodeError unless it is exactly `width` hashes. */
export function decodeHashTile (bytes: Uint8Array, width: number): Uint8Array[] {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('tile must be a Uint8Array')
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) throw new InvalidArgumentError('tile width must be 1..256')
  if (bytes.length !== width * HASH_SIZE) throw new DecodeError(`hash tile of width ${width} must be ${width * HASH_SIZE} bytes, got ${bytes.length}`)
  const out: Uint8Array[] = []
  for (let i = 0; i < width; i++) out.push(bytes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE))
  return out
}

/**
 * What proves a tile against a checkpoint of a larger or equal tree:
 * `left` — the perfect subtrees left of the tile (one per set bit of its
 * start leaf, lowest first), which with the tile give MTH(D[0:end]);
 * `consistency` — the RFC 6962 consistency proof from `end` to the
 * checkpoint size (empty when they are equal).
 */
export interface TileProof {
  left: Uint8Array[]
  consistency: Uint8Array[]
}

function popCountAbove (x: number): number {
  let c = 0
  while (x > 0) { c += x % 2; x = Math.floor(x / 2) }
  return c
}

/**
 * True iff the hash tile `bytes` at `tile` belongs to the tree of the
 * checkpoint (size, rootHash). Never throws on bad data (false), only on a
 * malformed `tile` argument.
 */
export function verifyHashTile (tile: TilePath, bytes: Uint8Array, checkpoint: { size: number, rootHash: Uint8Array }, proof: TileProof): boolean {
  checkTile(tile)
  if (tile.level === 'entries') throw new InvalidArgumentError('use verifyEntryBundle for entry bundles')
  let hashes: Uint8Array[]
  try { hashes = decodeHashTile(bytes, tile.width) } catch { return false }
  return verifyTileHashes(tile, hashes, checkpoint, proof)
}

/** True iff the entry bundle hashes to a level-0 tile that verifies against the checkpoint. */
export function verifyEntryBundle (tile: TilePath, bytes: Uint8Array, checkpoint: { size: number, rootHash: Uint8Array }, proof: TileProof): boolean {
  checkTile(tile)
  if (tile.level !== 'entries') throw new InvalidArgumentError('not an entry bundle path')
  let entries: Uint8Array[]
  try { entries = decodeEntryBundle(bytes) } catch { return false }
  if (entries.length !== tile.width) return false
  return verifyTileHashes({ level: 0, index: tile.index, width: tile.width }, entries.map((e) => hashLeaf(e)), checkpoint, proof)
}

function verifyTileHashes (tile: TilePath, hashes: Uint8Array[], cp: { size: number, rootHash: Uint8Array }, proof: TileProof): boolean {
  if (!Number.isSafeInteger(cp.size) || cp.size < 0 || !(cp.rootHash instanceof Uint8Array) || cp.rootHash.length !== HASH_SIZE) return false
  if (!Array.isArray(proof.left) || !Array.isArray(proof.consistency)) return false
  const start = tileStartLeaf(tile)
  const end = tileEndLeaf(tile)
  if (!Number.isSafeInteger(end) || end > cp.size) return false
  if (proof.left.length !== popCountAbove(start)) return false
  for (const h of proof.left) if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) return false
  // MTH(D[start:end]) over the tile's perfect subtrees, then the left siblings.
  let acc = rootFromLeafHashes(hashes)
  for (const h of proof.left) acc = hashChildren(h, acc)
  return verifyConsistency(end, cp.size, acc, cp.rootHash, proof.consistency)
}
