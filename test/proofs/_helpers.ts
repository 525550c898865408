/** Shared helpers for the proofs tests: deterministic bytes and a seeded PRNG. */
import { createHash } from 'node:crypto'

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** SHA-256 of UTF-8 strings / bytes via node:crypto (independent of the kernel). */
export function H (...parts: Array<Uint8Array | string>): Uint8Array {
  const h = createHash('sha256')
  for (const p of parts) h.update(typeof p === 'string' ? Buffer.from(p) : p)
  return new Uint8Array(h.digest())
}

/** Deterministic PRNG (xorshift128+ seeded by a number); uniform floats in [0, 1). */
export function prng (seed: number): { next: () => number, int: (n: number) => number, bytes: (n: number) => Uint8Array } {
  let s0 = BigInt(seed) * 0x9e3779b97f4a7c15n & 0xffffffffffffffffn | 1n
  let s1 = (BigInt(seed) ^ 0xdeadbeefcafebaben) & 0xffffffffffffffffn
  const mask = 0xffffffffffffffffn
  const next = (): number => {
    let x = s0; const y = s1
    s0 = y; x ^= (x << 23n) & mask; x ^= x >> 17n; x ^= y ^ (y >> 26n); s1 = x
    return Number(((s0 + s1) & mask) >> 11n) / 2 ** 53
  }
  return {
    next,
    int: (n) => Math.floor(next() * n),
    bytes: (n) => { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256); return b }
  }
}

/**
 * Two-sided binomial check: is `observed` successes out of `n` within
 * `z` standard deviations of the expectation under probability `p`?
 */
export function withinBinomial (observed: number, n: number, p: number, z = 4): { ok: boolean, lo: number, hi: number } {
  const mean = n * p
  const sd = Math.sqrt(n * p * (1 - p))
  const lo = mean - z * sd; const hi = mean + z * sd
  return { ok: observed >= lo && observed <= hi, lo, hi }
}

/** C(n, k) as a float. */
export function binom (n: number, k: number): number {
  if (k < 0 || k > n) return 0
  let r = 1
  for (let i = 1; i <= k; i++) r = r * (n - k + i) / i
  return r
}

/**
 * The kernel the proofs tests run on: HYPERMESH_KERNEL=native|simd|scalar|ts
 * forces one (issue 10: the suite runs with each in turn); by default the
 * fastest that loads (node-host/proofs/kernel.ts).
 */
export async function testKernel (): Promise<import('../../ts/wasm/kernel.ts').Kernel> {
  const forced = process.env.HYPERMESH_KERNEL
  if (forced === 'simd' || forced === 'scalar') {
    const { createWasmKernel } = await import('../../ts/wasm/wasm-kernel.ts')
    const { instantiateKernelModule } = await import('../../ts/wasm/loader.ts')
    return createWasmKernel(instantiateKernelModule(forced))
  }
  const { proofsKernel } = await import('../../node-host/proofs/kernel.ts')
  return await proofsKernel()
}
