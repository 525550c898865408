// Kernel selection: the fastest kernel that loads and passes the self-test,
// HYPERMESH_KERNEL forcing, and fallback (with the reason logged) when the
// native addon is unavailable.
import { describe, it, expect, afterEach } from 'vitest'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import { selectKernel, selfTest, KERNEL_NAMES } from '../../node-host/kernel/select.ts'
import { loadNativeKernel } from '../../node-host/kernel/native-kernel.ts'
import { referenceKernel } from '../../ts/wasm/reference.ts'
import type { Kernel } from '../../ts/wasm/kernel.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const saved = { kernel: process.env.HYPERMESH_KERNEL, path: process.env.HYPERMESH_NATIVE_PATH }
afterEach(() => {
  for (const [k, v] of [['HYPERMESH_KERNEL', saved.kernel], ['HYPERMESH_NATIVE_PATH', saved.path]] as const) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
})

describe('selectKernel', () => {
  it('picks native first when the addon is built, and says so', () => {
    delete process.env.HYPERMESH_KERNEL
    const lines: string[] = []
    const s = selectKernel({ log: (l) => lines.push(l) })
    expect(s.kernel.name).toBe('native')
    expect(s.tried).toEqual([{ name: 'native', ok: true }])
    expect(s.reason).toMatch(/^kernel native \((SHA-NI|portable C)/)
    expect(lines).toEqual([s.reason])
  })

  it('falls back to WASM SIMD when the addon is missing, logging why', () => {
    delete process.env.HYPERMESH_KERNEL
    process.env.HYPERMESH_NATIVE_PATH = '/nonexistent/hypermesh_native.node'
    const lines: string[] = []
    const s = selectKernel({ log: (l) => lines.push(l) })
    expect(s.kernel.name).toBe('simd')
    expect(s.tried[0]).toMatchObject({ name: 'native', ok: false })
    expect(s.tried[0].error).toContain('/nonexistent/hypermesh_native.node')
    expect(s.tried[1]).toEqual({ name: 'simd', ok: true })
    expect(lines[0]).toMatch(/kernel native unavailable: native addon not found/)
    expect(s.reason).toMatch(/WASM SIMD: fallback after native: native addon not found/)
  })

  it('honours HYPERMESH_KERNEL and the force option for every name', () => {
    for (const name of KERNEL_NAMES) {
      process.env.HYPERMESH_KERNEL = name
      const s = selectKernel()
      expect(s.kernel.name).toBe(name)
      expect(s.reason).toContain('forced by HYPERMESH_KERNEL')
      delete process.env.HYPERMESH_KERNEL
      expect(selectKernel({ force: name }).kernel.name).toBe(name)
    }
  })

  it('a forced kernel that cannot load is an error, not a silent fallback', () => {
    process.env.HYPERMESH_NATIVE_PATH = '/nonexistent/x.node'
    process.env.HYPERMESH_KERNEL = 'native'
    expect(() => selectKernel()).toThrow(expect.objectContaining({ name: 'KernelUnavailableError', message: expect.stringMatching(/forced kernel native is unavailable/) }))
    process.env.HYPERMESH_KERNEL = 'wasm'
    expect(() => selectKernel()).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
  })

  it('the self-test passes every real kernel and rejects a kernel with one wrong answer', () => {
    for (const name of KERNEL_NAMES) expect(() => { selfTest(selectKernel({ force: name }).kernel) }).not.toThrow()
    const good = loadNativeKernel()
    const broken = (patch: Partial<Kernel>): Kernel => ({ ...good, ...patch })
    const flipLast = (b: Uint8Array): Uint8Array => { const c = Uint8Array.from(b); c[c.length - 1] ^= 1; return c }
    expect(() => { selfTest(broken({ sha256: (d) => d.length === 1000 ? flipLast(good.sha256(d)) : good.sha256(d) })) }).toThrow(/sha256 of 1000 bytes/)
    expect(() => { selfTest(broken({ powSearch: (p, b, s, c) => { const n = good.powSearch(p, b, s, c); return n < 0 ? n : n + 1 } })) }).toThrow(/powSearch/)
    expect(() => { selfTest(broken({ vdfChain: (s, n, k) => flipLast(good.vdfChain(s, n, k)) })) }).toThrow(/vdfChain/)
    expect(() => { selfTest(broken({ plotLabels: (s, n) => flipLast(good.plotLabels(s, n)) })) }).toThrow(/plotLabels/)
    expect(() => { selfTest(broken({ merkleTree: (l) => flipLast(good.merkleTree(l)) })) }).toThrow(/merkleTree/)
    expect(() => { selfTest(broken({ merkleVerify: () => true })) }).toThrow(/wrong index/)
    expect(() => { selfTest(referenceKernel) }).not.toThrow()
  })

  it('in a fresh process with the addon unavailable, the host selects WASM and reports why', () => {
    const code = `import('./node-host/kernel/select.ts').then((m) => { const s = m.selectKernel(); process.stdout.write(JSON.stringify({ name: s.kernel.name, reason: s.reason })) })`
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
      cwd: root, encoding: 'utf8', timeout: 30_000,
      env: { ...process.env, HYPERMESH_NATIVE_PATH: '/nonexistent/hypermesh_native.node', HYPERMESH_KERNEL: '' }
    })
    expect(r.status, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as { name: string, reason: string }
    expect(out.name).toBe('simd')
    expect(out.reason).toMatch(/fallback after native/)
  })
})
