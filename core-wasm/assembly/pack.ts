// pack: fixed-layout record packing (columns <-> little-endian rows) and
// checksummed frames: [u32 LE payload length][u32 LE crc32c(payload)][payload].
// CRC32C (Castagnoli, reflected polynomial 0x82F63B78) by slicing-by-16;
// WASM has no carry-less multiply, so the SIMD build uses the same code
// (slicing-by-16 measured ~1.6-2x slicing-by-8 here).
// The host (ts/wasm/pack.ts) owns every buffer; only the CRC tables are
// static data, filled on first use.

const CRC_POLY: u32 = 0x82f63b78
/** 16 tables of 256 u32: T[t][n] at CRC_T + (t << 10) + (n << 2). */
const CRC_T: usize = memory.data(16 * 256 * 4, 64)
let crcReady: bool = false

function crcInit (): void {
  for (let n: u32 = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >>> 1) ^ CRC_POLY : c >>> 1
    store<u32>(CRC_T + (<usize>n << 2), c)
  }
  for (let n: u32 = 0; n < 256; n++) {
    let c = load<u32>(CRC_T + (<usize>n << 2))
    for (let t: usize = 1; t < 16; t++) {
      c = load<u32>(CRC_T + ((<usize>c & 0xff) << 2)) ^ (c >>> 8)
      store<u32>(CRC_T + (t << 10) + (<usize>n << 2), c)
    }
  }
  crcReady = true
}

// @ts-ignore: decorator
@inline function tab (t: usize, i: u32): u32 {
  return load<u32>(CRC_T + (t << 10) + (<usize>(i & 0xff) << 2))
}

/**
 * Continues a CRC32C: `crc` is the checksum of the bytes so far (0 to
 * start), the result covers them followed by `len` bytes at `ptr`.
 */
export function crc32c_update (crc: u32, ptr: usize, len: usize): u32 {
  if (!crcReady) crcInit()
  let c = ~crc
  while (len >= 16) {
    const a = load<u32>(ptr) ^ c
    const b = load<u32>(ptr, 4)
    const d = load<u32>(ptr, 8)
    const e = load<u32>(ptr, 12)
    c = tab(15, a) ^ tab(14, a >>> 8) ^ tab(13, a >>> 16) ^ tab(12, a >>> 24) ^
      tab(11, b) ^ tab(10, b >>> 8) ^ tab(9, b >>> 16) ^ tab(8, b >>> 24) ^
      tab(7, d) ^ tab(6, d >>> 8) ^ tab(5, d >>> 16) ^ tab(4, d >>> 24) ^
      tab(3, e) ^ tab(2, e >>> 8) ^ tab(1, e >>> 16) ^ tab(0, e >>> 24)
    ptr += 16
    len -= 16
  }
  while (len >= 8) {
    const lo = load<u32>(ptr) ^ c
    const hi = load<u32>(ptr, 4)
    c = tab(7, lo) ^ tab(6, lo >>> 8) ^ tab(5, lo >>> 16) ^ tab(4, lo >>> 24) ^
      tab(3, hi) ^ tab(2, hi >>> 8) ^ tab(1, hi >>> 16) ^ tab(0, hi >>> 24)
    ptr += 8
    len -= 8
  }
  while (len > 0) {
    c = tab(0, c ^ <u32>load<u8>(ptr)) ^ (c >>> 8)
    ptr++
    len--
  }
  return ~c
}

/**
 * Packs `count` records from columns into rows. `widths` holds `nfields`
 * u8 field widths (1, 2, 4 or 8); `cols` holds `nfields` u32 pointers to
 * the columns (each `count` little-endian values of its width). Rows are the
 * fields back to back, `stride` = sum of widths bytes each, at `out`.
 * Returns the bytes written, or 0 for an invalid width.
 */
export function pack_rows (widths: usize, nfields: u32, cols: usize, count: u32, out: usize): u32 {
  const stride = layoutStride(widths, nfields)
  if (stride == 0) return 0
  // blocks of rows keep the output block in cache across the field passes
  for (let base: u32 = 0; base < count; base += 1024) {
    const end = min<u32>(count, base + 1024)
    let off: usize = 0
    for (let f: u32 = 0; f < nfields; f++) {
      const w = <usize>load<u8>(widths + f)
      const col = <usize>load<u32>(cols + (<usize>f << 2))
      let o = out + <usize>base * stride + off
      if (w == 8) {
        for (let r = base; r < end; r++) { store<u64>(o, load<u64>(col + (<usize>r << 3))); o += stride }
      } else if (w == 4) {
        for (let r = base; r < end; r++) { store<u32>(o, load<u32>(col + (<usize>r << 2))); o += stride }
      } else if (w == 2) {
        for (let r = base; r < end; r++) { store<u16>(o, load<u16>(col + (<usize>r << 1))); o += stride }
      } else {
        for (let r = base; r < end; r++) { store<u8>(o, load<u8>(col + <usize>r)); o += stride }
      }
      off += w
    }
  }
  return <u32>stride * count
}

/** The inverse of pack_rows: splits `count` rows at `rows` into the columns at `cols`. */
export function pack_unrows (widths: usize, nfields: u32, rows: usize, count: u32, cols: usize): u32 {
  const stride = layoutStride(widths, nfields)
  if (stride == 0) return 0
  for (let base: u32 = 0; base < count; base += 1024) {
    const end = min<u32>(count, base + 1024)
    let off: usize = 0
    for (let f: u32 = 0; f < nfields; f++) {
      const w = <usize>load<u8>(widths + f)
      const col = <usize>load<u32>(cols + (<usize>f << 2))
      let i = rows + <usize>base * stride + off
      if (w == 8) {
        for (let r = base; r < end; r++) { store<u64>(col + (<usize>r << 3), load<u64>(i)); i += stride }
      } else if (w == 4) {
        for (let r = base; r < end; r++) { store<u32>(col + (<usize>r << 2), load<u32>(i)); i += stride }
      } else if (w == 2) {
        for (let r = base; r < end; r++) { store<u16>(col + (<usize>r << 1), load<u16>(i)); i += stride }
      } else {
        for (let r = base; r < end; r++) { store<u8>(col + <usize>r, load<u8>(i)); i += stride }
      }
      off += w
    }
  }
  return <u32>stride * count
}

function layoutStride (widths: usize, nfields: u32): usize {
  let stride: usize = 0
  for (let f: u32 = 0; f < nfields; f++) {
    const w = <usize>load<u8>(widths + f)
    if (w != 1 && w != 2 && w != 4 && w != 8) return 0
    stride += w
  }
  return stride
}

/**
 * Writes the frame header for the `len` payload bytes at `out + 8` (the
 * host puts the payload there) and returns the frame length.
 */
export function pack_frame_seal (out: usize, len: u32): u32 {
  store<u32>(out, len)
  store<u32>(out, crc32c_update(0, out + 8, len), 4)
  return len + 8
}

/** More bytes are needed for a complete frame. */
const PACK_NEED_MORE: i32 = 0
/** The header's length exceeds the bound. */
const PACK_ERR_TOO_LARGE: i32 = -1
/** The payload's CRC32C differs from the header's. */
const PACK_ERR_CHECKSUM: i32 = -2

/**
 * Checks the frame at the start of `avail` bytes at `ptr`: returns its total
 * length (8 + payload) when it is complete and its checksum matches,
 * PACK_NEED_MORE (0) when it is cut short, or a negative error code. The
 * length bound is checked before anything else (maxPayload ≤ 2^31 - 9).
 */
export function pack_frame_check (ptr: usize, avail: u32, maxPayload: u32): i32 {
  if (avail < 8) return PACK_NEED_MORE
  const len = load<u32>(ptr)
  if (len > maxPayload) return PACK_ERR_TOO_LARGE
  if (avail - 8 < len) return PACK_NEED_MORE
  if (crc32c_update(0, ptr + 8, len) != load<u32>(ptr, 4)) return PACK_ERR_CHECKSUM
  return <i32>(len + 8)
}
