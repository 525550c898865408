/**
 * Data kernel figures: NAT table batch lookups, record packing and CRC32C,
 * each beside baselines measured in the same run (JS Map<string> keyed by
 * hex, the TS reference table, a plain JS DataView packing loop, a JS
 * byte-wise CRC table). The machine is shared, so the contenders of one
 * figure run interleaved: every round runs each of them for a short slice,
 * the first round (warm-up, also of the WASM entry points) is discarded,
 * and each figure is the median over rounds.
 */
import { median, rateRow, type BenchOptions, type BenchRow } from './_harness.ts'
import { instantiateKernelModule } from '../../ts/wasm/loader.ts'
import { NatTable, ReferenceNatTable } from '../../ts/wasm/nat.ts'
import { createWasmPacker, referencePacker, recordLayout, type Column } from '../../ts/wasm/pack.ts'

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
function hexKey (b: Uint8Array, at: number): string {
  let s = ''
  for (let i = at; i < at + 16; i++) s += HEX[b[i]]
  return s
}

function xorshift (seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x }
}

const CRC_T0 = new Uint32Array(256).map((_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1
  return c >>> 0
})
/** The textbook byte-at-a-time table CRC32C. */
function crc32cBytewise (data: Uint8Array): number {
  let c = ~0
  for (let i = 0; i < data.length; i++) c = CRC_T0[(c ^ data[i]) & 0xff] ^ (c >>> 8)
  return ~c >>> 0
}

/** Median rate (ops/s) of each contender over interleaved rounds; round 0 is warm-up. */
function interleaved (fns: Record<string, [fn: () => unknown, opsPerCall: number]>, rounds: number, ms: number, log: (l: string) => void): Record<string, number> {
  const samples: Record<string, number[]> = {}
  for (const k of Object.keys(fns)) samples[k] = []
  for (let r = 0; r <= rounds; r++) {
    for (const [k, [fn, ops]] of Object.entries(fns)) {
      let calls = 0
      const t0 = performance.now()
      let t = t0
      while (t - t0 < ms) { fn(); calls++; t = performance.now() }
      if (r > 0) samples[k].push((calls * ops) / ((t - t0) / 1000))
    }
  }
  const out: Record<string, number> = {}
  for (const [k, xs] of Object.entries(samples)) {
    out[k] = median(xs)
    log(`${k}: ${(out[k] / 1e6).toFixed(3)} M/s`)
  }
  return out
}

export async function run (opts: BenchOptions): Promise<BenchRow[]> {
  const rounds = opts.quick ? 5 : 11
  const ms = opts.quick ? 40 : 120
  const rows: BenchRow[] = []
  const scalarMod = instantiateKernelModule('scalar')
  const simdMod = instantiateKernelModule('simd')

  // --- NAT: 2^17 entries, batches of 4096 present keys in random order
  const ENTRIES = opts.quick ? 1 << 16 : 1 << 17
  const BATCH = 4096
  const next = xorshift(0x5eed)
  const keys = new Uint8Array(ENTRIES * 16)
  const kdv = new DataView(keys.buffer)
  for (let i = 0; i < ENTRIES; i++) {
    kdv.setUint32(i * 16, 0xfd484d00) // GlobalAddress prefix
    kdv.setUint32(i * 16 + 4, next()); kdv.setUint32(i * 16 + 8, next()); kdv.setUint32(i * 16 + 12, next())
  }
  const values = BigUint64Array.from({ length: ENTRIES }, (_, i) => BigInt(i) * 0x10001n)
  const tScalar = new NatTable(scalarMod, { initialEntries: ENTRIES })
  const tSimd = new NatTable(simdMod, { initialEntries: ENTRIES })
  const tRef = new ReferenceNatTable({ initialEntries: ENTRIES })
  for (const t of [tScalar, tSimd, tRef]) t.insertBatch(keys, values)
  const map = new Map<string, bigint>()
  for (let i = 0; i < ENTRIES; i++) map.set(hexKey(keys, i * 16), values[i])
  const query = new Uint8Array(BATCH * 16)
  const queryHex: string[] = []
  for (let j = 0; j < BATCH; j++) {
    const i = next() % ENTRIES
    query.set(keys.subarray(i * 16, i * 16 + 16), j * 16)
    queryHex.push(hexKey(keys, i * 16))
  }
  const out = { values: new BigUint64Array(BATCH), found: new Uint8Array(BATCH) }
  const mapOut = new BigUint64Array(BATCH)
  let sink = 0n
  const nat = interleaved({
    'nat Map<string,bigint> (hex of key bytes)': [() => { for (let j = 0; j < BATCH; j++) mapOut[j] = map.get(hexKey(query, j * 16)) ?? 0n }, BATCH],
    'nat Map<string,bigint> (hex precomputed)': [() => { for (let j = 0; j < BATCH; j++) mapOut[j] = map.get(queryHex[j]) ?? 0n }, BATCH],
    'nat TS reference getBatch': [() => tRef.getBatch(query, out), BATCH],
    'nat WASM scalar getBatch': [() => tScalar.getBatch(query, out), BATCH],
    'nat WASM SIMD getBatch': [() => tSimd.getBatch(query, out), BATCH]
  }, rounds, ms, opts.log)
  const mapRate = nat['nat Map<string,bigint> (hex of key bytes)']
  const mapPreRate = nat['nat Map<string,bigint> (hex precomputed)']
  const refRate = nat['nat TS reference getBatch']
  const scalarRate = nat['nat WASM scalar getBatch']
  const simdRate = nat['nat WASM SIMD getBatch']
  sink += out.values[0] + mapOut[0]
  const note = `${ENTRIES} entries, batches of ${BATCH} random present keys, includes copying keys in and values out`
  rows.push(rateRow('nat batch lookup, WASM SIMD build', simdRate, 'lookup/s', 'JS Map<string> keyed by hex', mapRate, note))
  rows.push(rateRow('nat batch lookup, WASM scalar build', scalarRate, 'lookup/s', 'JS Map<string> keyed by hex', mapRate, note))
  rows.push(rateRow('nat batch lookup, WASM SIMD build', simdRate, 'lookup/s', 'JS Map<string>, hex strings precomputed', mapPreRate, 'baseline does no key conversion'))
  rows.push(rateRow('nat batch lookup, WASM SIMD build', simdRate, 'lookup/s', 'TS reference table (Uint32Array)', refRate))
  for (const t of [tScalar, tSimd, tRef]) t.dispose()

  // --- pack: layout [8,4,4,2,1,1] (20-byte rows), 32768 records (640 KiB)
  const layout = recordLayout([8, 4, 4, 2, 1, 1])
  const COUNT = 32768
  const bytes = COUNT * layout.stride
  const cols: Column[] = [
    BigUint64Array.from({ length: COUNT }, () => (BigInt(next()) << 32n) | BigInt(next())),
    Uint32Array.from({ length: COUNT }, () => next()),
    Uint32Array.from({ length: COUNT }, () => next()),
    Uint16Array.from({ length: COUNT }, () => next() & 0xffff),
    Uint8Array.from({ length: COUNT }, () => next() & 0xff),
    Uint8Array.from({ length: COUNT }, () => next() & 0xff)
  ]
  const c0 = cols[0] as BigUint64Array; const c1 = cols[1] as Uint32Array; const c2 = cols[2] as Uint32Array
  const c3 = cols[3] as Uint16Array; const c4 = cols[4] as Uint8Array; const c5 = cols[5] as Uint8Array
  const jsOut = new Uint8Array(bytes)
  const jdv = new DataView(jsOut.buffer)
  // the plain JS loop: one DataView write per field, row by row, into a preallocated buffer
  const dvLoop = (): void => {
    for (let r = 0, o = 0; r < COUNT; r++, o += 20) {
      jdv.setBigUint64(o, c0[r], true); jdv.setUint32(o + 8, c1[r], true); jdv.setUint32(o + 12, c2[r], true)
      jdv.setUint16(o + 16, c3[r], true); jdv.setUint8(o + 18, c4[r]); jdv.setUint8(o + 19, c5[r])
    }
  }
  // the same without the BigInt field access (the u64 as two u32): the fastest plain-JS variant
  const c0lo = new Uint32Array(c0.buffer)
  const dv32Loop = (): void => {
    for (let r = 0, o = 0; r < COUNT; r++, o += 20) {
      jdv.setUint32(o, c0lo[2 * r], true); jdv.setUint32(o + 4, c0lo[2 * r + 1], true)
      jdv.setUint32(o + 8, c1[r], true); jdv.setUint32(o + 12, c2[r], true)
      jdv.setUint16(o + 16, c3[r], true); jdv.setUint8(o + 18, c4[r]); jdv.setUint8(o + 19, c5[r])
    }
  }
  const simdPacker = createWasmPacker(simdMod)
  const wasmOut = new Uint8Array(bytes) // preallocated like the DataView loop's
  const refOut = new Uint8Array(bytes)
  const scalarPacker = createWasmPacker(scalarMod)
  // kernel only: columns already in WASM memory (as a caller keeping its columns there would have them)
  const heap = simdMod.heap
  const colBytes = layout.widths.map((w) => COUNT * w)
  const region = heap.alloc(64 + 64 + colBytes.reduce((a, b) => a + b, 0) + bytes)
  {
    const u8 = heap.u8(); const dv = heap.dv()
    let p = region + 128
    layout.widths.forEach((w, f) => {
      u8[region + f] = w
      dv.setUint32(region + 64 + f * 4, p, true)
      u8.set(new Uint8Array(cols[f].buffer, cols[f].byteOffset, colBytes[f]), p)
      p += colBytes[f]
    })
  }
  const outP = region + 128 + colBytes.reduce((a, b) => a + b, 0)
  const packRows = simdMod.exports.pack_rows
  const pk = interleaved({
    'pack JS DataView loop (bytes)': [dvLoop, bytes],
    'pack JS DataView loop, u64 as two u32 (bytes)': [dv32Loop, bytes],
    'pack TS reference (bytes)': [() => referencePacker.packRecords(layout, cols, refOut), bytes],
    'pack WASM SIMD build packRecords incl. copies (bytes)': [() => simdPacker.packRecords(layout, cols, wasmOut), bytes],
    'pack WASM scalar build packRecords incl. copies (bytes)': [() => scalarPacker.packRecords(layout, cols, wasmOut), bytes],
    'pack WASM kernel, data resident (bytes)': [() => packRows(region, 6, region + 64, COUNT, outP), bytes]
  }, rounds, ms, opts.log)
  const dvRate = pk['pack JS DataView loop (bytes)']
  const dv32Rate = pk['pack JS DataView loop, u64 as two u32 (bytes)']
  const refPackRate = pk['pack TS reference (bytes)']
  const e2eRate = pk['pack WASM SIMD build packRecords incl. copies (bytes)']
  const e2eScalar = pk['pack WASM scalar build packRecords incl. copies (bytes)']
  const kernelRate = pk['pack WASM kernel, data resident (bytes)']
  const check = referencePacker.packRecords(layout, cols)
  if (!Buffer.from(heap.u8().subarray(outP, outP + bytes)).equals(check) || !Buffer.from(jsOut).equals(check) || !Buffer.from(wasmOut).equals(check)) throw new Error('pack bench: outputs differ')
  heap.release(region)
  const gb = (x: number): number => x / 1e9
  const pnote = `${COUNT} records of [8,4,4,2,1,1] (${bytes} bytes)`
  rows.push(rateRow('pack records, WASM kernel (data in WASM memory)', gb(kernelRate), 'GB/s', 'plain JS DataView loop', gb(dvRate), pnote))
  rows.push(rateRow('pack records, WASM SIMD build packRecords (incl. copies)', gb(e2eRate), 'GB/s', 'plain JS DataView loop', gb(dvRate), pnote))
  rows.push(rateRow('pack records, WASM scalar build packRecords (incl. copies)', gb(e2eScalar), 'GB/s', 'plain JS DataView loop', gb(dvRate), pnote))
  rows.push(rateRow('pack records, WASM kernel (data in WASM memory)', gb(kernelRate), 'GB/s', 'JS DataView loop, u64 as two u32', gb(dv32Rate), pnote))
  rows.push(rateRow('pack records, WASM SIMD build packRecords (incl. copies)', gb(e2eRate), 'GB/s', 'TS reference packer', gb(refPackRate), pnote))

  // --- CRC32C over 256 KiB
  const data = Uint8Array.from({ length: 256 * 1024 }, () => next() & 0xff)
  let crcSink = 0
  const crc = interleaved({
    'crc32c JS byte-wise table (bytes)': [() => { crcSink ^= crc32cBytewise(data) }, data.length],
    'crc32c TS slicing-by-8 (bytes)': [() => { crcSink ^= referencePacker.crc32c(data) }, data.length],
    'crc32c WASM (bytes)': [() => { crcSink ^= simdPacker.crc32c(data) }, data.length]
  }, rounds, ms, opts.log)
  const byteRate = crc['crc32c JS byte-wise table (bytes)']
  const refCrc = crc['crc32c TS slicing-by-8 (bytes)']
  const wasmCrc = crc['crc32c WASM (bytes)']
  rows.push(rateRow('crc32c, WASM slicing-by-16', gb(wasmCrc), 'GB/s', 'JS byte-wise table', gb(byteRate), '256 KiB, includes the copy into WASM memory'))
  rows.push(rateRow('crc32c, WASM slicing-by-16', gb(wasmCrc), 'GB/s', 'TS slicing-by-8 (reference)', gb(refCrc)))
  if (crcSink === 0x12345678 && sink === 1n) opts.log('(sink)')
  return rows
}
