// A tiny WASM module assembler for the VM tests: hand-written function bodies
// (raw opcodes) in a valid module, so each test controls exactly what runs.
const I32 = 0x7f

function uleb (v: number): number[] {
  const out: number[] = []
  do {
    let b = v & 0x7f
    v = Math.floor(v / 128)
    if (v !== 0) b |= 0x80
    out.push(b)
  } while (v !== 0)
  return out
}

function vec (items: number[][]): number[] { return [...uleb(items.length), ...items.flat()] }
function name (s: string): number[] { const b = [...new TextEncoder().encode(s)]; return [...uleb(b.length), ...b] }
function section (id: number, body: number[]): number[] { return [id, ...uleb(body.length), ...body] }

export interface Func { params: number, results: number, locals?: number, code: number[], export?: string }

export interface ModuleSpec {
  funcs: Func[]
  memory?: { min: number, max?: number }
  exportMemory?: boolean
  start?: number
  importAbort?: boolean
}

/** i32-only functions: `params` i32 params, `results` (0 or 1) i32 results. Bodies get the final `end` added. */
export function buildModule (spec: ModuleSpec): Uint8Array {
  const sigs: string[] = []
  const typeOf = (p: number, r: number): number => {
    const k = `${p}:${r}`
    let i = sigs.indexOf(k)
    if (i < 0) { sigs.push(k); i = sigs.length - 1 }
    return i
  }
  const abortType = spec.importAbort === true ? typeOf(4, 0) : -1
  const fTypes = spec.funcs.map((f) => typeOf(f.params, f.results))
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]
  out.push(...section(1, vec(sigs.map((k) => {
    const [p, r] = k.split(':').map(Number)
    return [0x60, ...vec(Array.from({ length: p }, () => [I32])), ...vec(Array.from({ length: r }, () => [I32]))]
  }))))
  const nImports = spec.importAbort === true ? 1 : 0
  if (spec.importAbort === true) out.push(...section(2, vec([[...name('env'), ...name('abort'), 0x00, ...uleb(abortType)]])))
  out.push(...section(3, vec(fTypes.map((t) => uleb(t)))))
  if (spec.memory !== undefined) {
    const m = spec.memory
    out.push(...section(5, vec([m.max === undefined ? [0x00, ...uleb(m.min)] : [0x01, ...uleb(m.min), ...uleb(m.max)]])))
  }
  const exports: number[][] = []
  if (spec.exportMemory !== false && spec.memory !== undefined) exports.push([...name('memory'), 0x02, 0x00])
  spec.funcs.forEach((f, i) => { if (f.export !== undefined) exports.push([...name(f.export), 0x00, ...uleb(i + nImports)]) })
  out.push(...section(7, vec(exports)))
  if (spec.start !== undefined) out.push(...section(8, uleb(spec.start + nImports)))
  out.push(...section(10, vec(spec.funcs.map((f) => {
    const locals = f.locals === undefined || f.locals === 0 ? vec([]) : vec([[...uleb(f.locals), I32]])
    const body = [...locals, ...f.code, 0x0b]
    return [...uleb(body.length), ...body]
  }))))
  return new Uint8Array(out)
}

/** i32.const v (signed LEB128). */
export function i32c (v: number): number[] {
  const out: number[] = [0x41]
  let x = BigInt(v)
  for (;;) {
    const b = Number(x & 0x7fn)
    x >>= 7n
    if ((x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0)) { out.push(b); return out }
    out.push(b | 0x80)
  }
}

/** A job module: alloc returns 1024, output returns `outPtr`, run is `run`. */
export function jobModule (run: number[], opts: { outPtr?: number, memory?: { min: number, max?: number }, start?: number[], runLocals?: number } = {}): Uint8Array {
  const funcs: Func[] = [
    { params: 1, results: 1, code: i32c(1024), export: 'alloc' },
    { params: 2, results: 1, code: run, export: 'run', locals: opts.runLocals },
    { params: 0, results: 1, code: i32c(opts.outPtr ?? 0), export: 'output' }
  ]
  if (opts.start !== undefined) funcs.push({ params: 0, results: 0, code: opts.start })
  return buildModule({ funcs, memory: opts.memory ?? { min: 1 }, start: opts.start !== undefined ? 3 : undefined })
}

export const OP = {
  unreachable: 0x00, block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, brIf: 0x0d, drop: 0x1a,
  localGet: 0x20, localSet: 0x21, i32Load8u: 0x2d, i32Store8: 0x3a, memorySize: 0x3f, memoryGrow: 0x40,
  i32Eqz: 0x45, i32Ne: 0x47, i32LtU: 0x49, i32Add: 0x6a, i32Sub: 0x6b, i32DivU: 0x6e, void: 0x40
} as const
