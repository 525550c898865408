/**
 * Rewrites a job's WASM module so that its limits hold inside the module
 * itself, in any engine, deterministically:
 *
 * - fuel: a mutable i64 global (`__hm_fuel`, exported) starts at
 *   `limits.fuel`. Code is cut into straight-line segments (a new one starts
 *   at function entry and after loop, if, else, end, br, br_if, br_table,
 *   return and calls); each segment first subtracts its instruction count
 *   and traps if the counter went negative. Bulk memory operations
 *   (memory.fill/copy/init) also pay one fuel per 64 bytes. So fuel used =
 *   WASM instructions executed, counted per segment entered.
 * - memory: the module must define exactly one memory (not import it); its
 *   initial size must fit the limit, its maximum is lowered to the limit,
 *   and every memory.grow first checks size + delta ≤ limit pages, else sets
 *   `__hm_oom` and traps (so the host reports JobMemoryError, not a generic trap).
 * - table.grow, threads, exceptions, GC and anything the rewriter does not
 *   know are refused (JobModuleError), as are imports other than `env.abort`.
 * - a start function is exported as `__hm_start` instead (the runner calls
 *   it right after instantiation, with the limits already readable).
 */
import { BinReader, BinWriter, readSections, sectionOrder, type Section } from './_wasm-binary.ts'
import { JobMemoryError, JobModuleError } from './errors.ts'
import { BULK_BYTES_PER_FUEL_LOG2, FUEL_EXPORT, MAX_TABLE_ELEMENTS, OOM_EXPORT, START_EXPORT, WASM_PAGE_BYTES } from './constants.ts'

export interface MeterOptions {
  /** Initial fuel (the job's `limits.fuel`). */
  fuel: bigint
  /** Memory limit in bytes; rounded down to whole pages. */
  memoryBytes: number
}

export interface MeteredModule {
  /** The rewritten module. */
  bytes: Uint8Array
  /** Memory limit in pages. */
  memoryPages: number
  /** Whether the module imports `env.abort` (AssemblyScript). */
  importsAbort: boolean
}

/** Exports every job module must have. */
export const REQUIRED_EXPORTS = { memory: 2, alloc: 0, run: 0, output: 0 } as const

const VALTYPES = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f])

// Opcodes that end a straight-line segment (the next instruction starts a new one).
const SEGMENT_END = new Set([0x03, 0x04, 0x05, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13])

interface Globals { fuel: number, oom: number, tmp: number }

/** Rewrites `module` for `opts`; throws JobModuleError (bad module) or JobMemoryError (initial memory over the limit). */
export function meterModule (module: Uint8Array, opts: MeterOptions): MeteredModule {
  const memoryPages = Math.floor(opts.memoryBytes / WASM_PAGE_BYTES)
  const sections = readSections(module)
  const byId = new Map<number, Section>()
  for (const s of sections) if (s.id !== 0) byId.set(s.id, s)

  const importsAbort = checkImports(byId.get(2))
  checkTables(byId.get(4))
  const mem = byId.get(5)
  if (mem === undefined) throw new JobModuleError('the job module defines no memory (it must define and export one)')
  const newMem = rewriteMemory(mem.body, memoryPages)

  const definedGlobals = byId.get(6) === undefined ? 0 : new BinReader(byId.get(6)!.body).u32()
  const g: Globals = { fuel: definedGlobals, oom: definedGlobals + 1, tmp: definedGlobals + 2 }
  const newGlobals = rewriteGlobals(byId.get(6)?.body, opts.fuel)
  const exp = byId.get(7)
  if (exp === undefined) throw new JobModuleError('the job module has no exports')
  // The start function becomes an export the runner calls after instantiation,
  // so that running out of fuel or memory in it is reported as such.
  const start = byId.get(8)
  const startFunc = start === undefined ? undefined : readStart(start.body)
  byId.delete(8)
  const newExports = rewriteExports(exp.body, g, startFunc)
  const code = byId.get(10)
  const newCode = code === undefined ? undefined : rewriteCode(code.body, g, memoryPages)

  const replaced = new Map<number, Uint8Array>([[5, newMem], [6, newGlobals], [7, newExports]])
  if (newCode !== undefined) replaced.set(10, newCode)
  const ids = new Set<number>([...byId.keys(), 6])
  const ordered = [...ids].sort((a, b) => sectionOrder(a) - sectionOrder(b))
  const w = new BinWriter()
  w.bytes(module.subarray(0, 8))
  for (const id of ordered) {
    const body = replaced.get(id) ?? byId.get(id)!.body
    w.byte(id)
    w.u32(body.length)
    w.bytes(body)
  }
  for (const s of sections) {
    if (s.id !== 0) continue
    w.byte(0)
    w.u32(s.body.length)
    w.bytes(s.body)
  }
  return { bytes: w.finish().slice(), memoryPages, importsAbort }
}

function checkImports (sec: Section | undefined): boolean {
  if (sec === undefined) return false
  const r = new BinReader(sec.body)
  const n = r.count(3)
  let abort = false
  for (let i = 0; i < n; i++) {
    const mod = r.name()
    const field = r.name()
    const kind = r.byte()
    if (kind === 0 && mod === 'env' && field === 'abort' && !abort) {
      r.u32()
      abort = true
      continue
    }
    throw new JobModuleError(`the job module imports ${mod}.${field} (kind ${kind}); jobs may import only env.abort`)
  }
  if (r.pos !== r.end) throw r.fail('trailing bytes in the import section')
  return abort
}

function readLimits (r: BinReader): { min: number, max: number | undefined } {
  const flags = r.byte()
  if (flags !== 0 && flags !== 1) throw new JobModuleError(`limits flag 0x${flags.toString(16)} (shared or 64-bit) is not supported in jobs`)
  const min = r.u32()
  const max = flags === 1 ? r.u32() : undefined
  return { min, max }
}

function checkTables (sec: Section | undefined): void {
  if (sec === undefined) return
  const r = new BinReader(sec.body)
  const n = r.count(3)
  for (let i = 0; i < n; i++) {
    const t = r.byte()
    if (t !== 0x70 && t !== 0x6f) throw new JobModuleError(`table element type 0x${t.toString(16)} is not supported in jobs`)
    const { min } = readLimits(r)
    if (min > MAX_TABLE_ELEMENTS) throw new JobModuleError(`table of ${min} elements exceeds ${MAX_TABLE_ELEMENTS}`)
  }
}

function rewriteMemory (body: Uint8Array, limitPages: number): Uint8Array {
  const r = new BinReader(body)
  const n = r.u32()
  if (n !== 1) throw new JobModuleError(`the job module defines ${n} memories; exactly one is required`)
  const { min, max } = readLimits(r)
  if (r.pos !== r.end) throw r.fail('trailing bytes in the memory section')
  if (min > limitPages) throw new JobMemoryError(`the module's initial memory (${min} pages) exceeds the limit (${limitPages} pages)`)
  const w = new BinWriter()
  w.u32(1)
  w.byte(1)
  w.u32(min)
  w.u32(Math.min(max ?? limitPages, limitPages))
  return w.finish()
}

function rewriteGlobals (body: Uint8Array | undefined, fuel: bigint): Uint8Array {
  const w = new BinWriter()
  let rest: Uint8Array = new Uint8Array(0)
  let n = 0
  if (body !== undefined) {
    const r = new BinReader(body)
    n = r.u32()
    rest = body.subarray(r.pos)
  }
  w.u32(n + 3)
  w.bytes(rest)
  w.byte(0x7e); w.byte(1); w.byte(0x42); w.s64(fuel); w.byte(0x0b) // fuel: mut i64 = fuel
  w.byte(0x7f); w.byte(1); w.byte(0x41); w.byte(0); w.byte(0x0b) // oom: mut i32 = 0
  w.byte(0x7f); w.byte(1); w.byte(0x41); w.byte(0); w.byte(0x0b) // tmp: mut i32 = 0
  return w.finish()
}

function readStart (body: Uint8Array): number {
  const r = new BinReader(body)
  const f = r.u32()
  if (r.pos !== r.end) throw r.fail('trailing bytes in the start section')
  return f
}

function rewriteExports (body: Uint8Array, g: Globals, startFunc: number | undefined): Uint8Array {
  const r = new BinReader(body)
  const n = r.count(3)
  const found = new Map<string, number>()
  for (let i = 0; i < n; i++) {
    const name = r.name()
    const kind = r.byte()
    r.u32()
    if (name.startsWith('__hm_')) throw new JobModuleError(`export name ${name} is reserved`)
    found.set(name, kind)
  }
  if (r.pos !== r.end) throw r.fail('trailing bytes in the export section')
  for (const [name, kind] of Object.entries(REQUIRED_EXPORTS)) {
    if (found.get(name) !== kind) throw new JobModuleError(`the job module must export ${kind === 2 ? 'its memory' : 'a function'} named "${name}" (see docs/vm.md, job ABI)`)
  }
  const entries = new BinReader(body)
  entries.u32()
  const w = new BinWriter()
  w.u32(n + (startFunc === undefined ? 2 : 3))
  w.bytes(body.subarray(entries.pos))
  w.name(FUEL_EXPORT); w.byte(3); w.u32(g.fuel)
  w.name(OOM_EXPORT); w.byte(3); w.u32(g.oom)
  if (startFunc !== undefined) { w.name(START_EXPORT); w.byte(0); w.u32(startFunc) }
  return w.finish()
}

function rewriteCode (body: Uint8Array, g: Globals, limitPages: number): Uint8Array {
  const r = new BinReader(body)
  const n = r.count(2)
  const w = new BinWriter()
  w.u32(n)
  for (let i = 0; i < n; i++) {
    const size = r.u32()
    const end = r.pos + size
    if (size < 2 || end > r.end) throw r.fail(`function body ${i} size ${size}`)
    const fr = new BinReader(body, r.pos, end)
    const fw = new BinWriter()
    const localsStart = fr.pos
    const decls = fr.count(2)
    for (let d = 0; d < decls; d++) {
      fr.u32()
      const t = fr.byte()
      if (!VALTYPES.has(t)) throw fr.fail(`local type 0x${t.toString(16)} is not supported in jobs`)
    }
    fw.bytes(body.subarray(localsStart, fr.pos))
    rewriteExpr(fr, fw, g, limitPages)
    if (fr.pos !== end) throw fr.fail(`function ${i} has bytes after its final end`)
    w.vec(fw)
    r.pos = end
  }
  if (r.pos !== r.end) throw r.fail('trailing bytes in the code section')
  return w.finish()
}

function emitCharge (w: BinWriter, g: Globals, n: number): void {
  w.byte(0x23); w.u32(g.fuel)
  w.byte(0x42); w.s64(BigInt(n))
  w.byte(0x7d) // i64.sub
  w.byte(0x24); w.u32(g.fuel)
  emitFuelCheck(w, g)
}

function emitFuelCheck (w: BinWriter, g: Globals): void {
  w.byte(0x23); w.u32(g.fuel)
  w.byte(0x42); w.byte(0x00)
  w.byte(0x53) // i64.lt_s
  w.byte(0x04); w.byte(0x40); w.byte(0x00); w.byte(0x0b) // if unreachable end
}

function emitGrowGuard (w: BinWriter, g: Globals, limitPages: number): void {
  w.byte(0x24); w.u32(g.tmp)
  w.byte(0x23); w.u32(g.tmp)
  w.byte(0xad) // i64.extend_i32_u
  w.byte(0x3f); w.byte(0x00) // memory.size
  w.byte(0xad)
  w.byte(0x7c) // i64.add
  w.byte(0x42); w.s64(BigInt(limitPages))
  w.byte(0x56) // i64.gt_u
  w.byte(0x04); w.byte(0x40)
  w.byte(0x41); w.byte(0x01); w.byte(0x24); w.u32(g.oom)
  w.byte(0x00)
  w.byte(0x0b)
  w.byte(0x23); w.u32(g.tmp)
}

function emitBulkCharge (w: BinWriter, g: Globals): void {
  w.byte(0x24); w.u32(g.tmp)
  w.byte(0x23); w.u32(g.fuel)
  w.byte(0x23); w.u32(g.tmp)
  w.byte(0xad)
  w.byte(0x42); w.s64(BigInt(BULK_BYTES_PER_FUEL_LOG2))
  w.byte(0x88) // i64.shr_u
  w.byte(0x7d)
  w.byte(0x24); w.u32(g.fuel)
  emitFuelCheck(w, g)
  w.byte(0x23); w.u32(g.tmp)
}

function memarg (r: BinReader): void {
  const align = r.u32()
  if (align >= 64) throw r.fail('multi-memory is not supported in jobs')
  r.skipU64()
}

/** Copies one function's instructions from `r` to `w`, metering them. */
function rewriteExpr (r: BinReader, w: BinWriter, g: Globals, limitPages: number): void {
  let seg = new BinWriter()
  let count = 0
  let depth = 1
  const flush = (): void => {
    if (count > 0) emitCharge(w, g, count)
    w.bytes(seg.finish())
    seg = new BinWriter()
    count = 0
  }
  while (depth > 0) {
    const start = r.pos
    const op = r.byte()
    count++
    let special = false
    switch (op) {
      case 0x00: case 0x01: case 0x0f: case 0x1a: case 0x1b: case 0xd1:
        break
      case 0x02: case 0x03: case 0x04: {
        depth++
        const b = r.pos < r.end ? r.b[r.pos] : -1
        if (b === 0x40 || VALTYPES.has(b)) r.byte()
        else r.skipLeb(5)
        break
      }
      case 0x05: break
      case 0x0b: depth--; break
      case 0x0c: case 0x0d: case 0x10: case 0x12: case 0x20: case 0x21: case 0x22: case 0x23: case 0x24:
      case 0x25: case 0x26: case 0xd2:
        r.u32()
        break
      case 0x0e: {
        const n = r.count(1)
        for (let i = 0; i <= n; i++) r.u32()
        break
      }
      case 0x11: case 0x13: r.u32(); r.u32(); break
      case 0x1c: {
        const n = r.count(1)
        for (let i = 0; i < n; i++) if (!VALTYPES.has(r.byte())) throw r.fail('select type')
        break
      }
      case 0x3f: if (r.byte() !== 0) throw r.fail('multi-memory is not supported in jobs'); break
      case 0x40:
        if (r.byte() !== 0) throw r.fail('multi-memory is not supported in jobs')
        emitGrowGuard(seg, g, limitPages)
        seg.byte(0x40); seg.byte(0x00)
        special = true
        break
      case 0x41: r.skipLeb(5); break
      case 0x42: r.skipLeb(10); break
      case 0x43: r.take(4); break
      case 0x44: r.take(8); break
      case 0xd0: { const t = r.byte(); if (t !== 0x70 && t !== 0x6f) throw r.fail('ref.null type'); break }
      case 0xfc: special = prefixFC(r, seg, g, start)
        break
      case 0xfd: prefixFD(r); break
      default:
        if (op >= 0x28 && op <= 0x3e) { memarg(r); break }
        if (op >= 0x45 && op <= 0xc4) break
        throw new JobModuleError(`invalid or unsupported WASM opcode 0x${op.toString(16)} at byte ${start} (jobs support MVP, sign-extension, saturating conversions, bulk memory, reference types, SIMD and tail calls)`)
    }
    if (!special) seg.bytes(r.b.subarray(start, r.pos))
    if (SEGMENT_END.has(op)) flush()
  }
  flush()
}

/** 0xFC-prefixed instructions; returns true when it wrote the (guarded) instruction itself. */
function prefixFC (r: BinReader, seg: BinWriter, g: Globals, start: number): boolean {
  const sub = r.u32()
  if (sub <= 7) return false
  switch (sub) {
    case 8: r.u32(); if (r.byte() !== 0) throw r.fail('multi-memory'); break // memory.init
    case 9: case 13: case 16: case 17: r.u32(); return false // data.drop, elem.drop, table.size, table.fill
    case 10: if (r.byte() !== 0 || r.byte() !== 0) throw r.fail('multi-memory'); break // memory.copy
    case 11: if (r.byte() !== 0) throw r.fail('multi-memory'); break // memory.fill
    case 12: case 14: r.u32(); r.u32(); return false // table.init, table.copy
    case 15: throw new JobModuleError('table.grow is not allowed in jobs')
    default: throw r.fail(`unknown 0xfc instruction ${sub}`)
  }
  emitBulkCharge(seg, g)
  seg.bytes(r.b.subarray(start, r.pos))
  return true
}

function prefixFD (r: BinReader): void {
  const sub = r.u32()
  if (sub <= 11 || sub === 92 || sub === 93) { memarg(r); return }
  if (sub === 12 || sub === 13) { r.take(16); return }
  if (sub >= 21 && sub <= 34) { r.byte(); return }
  if (sub >= 84 && sub <= 91) { memarg(r); r.byte(); return }
  if (sub <= 0x113) return
  throw r.fail(`unknown SIMD instruction ${sub}`)
}
