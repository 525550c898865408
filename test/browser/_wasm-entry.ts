// Browser entry for test/browser/wasm.spec.ts: the real loader and wrapper,
// bundled by Vite, computing a fixed set of kernel answers.
import { loadKernelModule, wasmBytes, type WasmVariant } from '../../ts/wasm/loader.ts'
import { createWasmKernel } from '../../ts/wasm/wasm-kernel.ts'
import type { Kernel } from '../../ts/wasm/kernel.ts'

export interface KernelAnswers {
  variant: string
  wasmSha256: string
  digests: string[]
  batch: string
  pow: number
  vdf: string
  labels: string
  root: string
  verify: boolean[]
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')

/** The answers one kernel gives on deterministic inputs (the same function runs in Node). */
export function kernelAnswers (k: Kernel, variant: string, wasm: Uint8Array): KernelAnswers {
  const bytes = (n: number, salt: number): Uint8Array => {
    const b = new Uint8Array(n)
    for (let i = 0; i < n; i++) b[i] = (i * 131 + salt * 7 + (i >>> 8)) & 0xff
    return b
  }
  const seed = k.sha256(bytes(5, 1))
  const leaves = k.plotLabels(seed, 64)
  const tree = k.merkleTree(leaves)
  const root = tree.subarray(tree.length - 32)
  const path = k.merklePath(tree, 64, 9)
  const leaf = leaves.subarray(9 * 32, 10 * 32)
  const badLeaf = leaf.slice(); badLeaf[0] ^= 1
  return {
    variant,
    wasmSha256: hex(k.sha256(wasm)),
    digests: [0, 3, 55, 56, 64, 1000, 100_000, 300_001].map((n) => hex(k.sha256(bytes(n, n)))),
    batch: hex(k.sha256Batch(bytes(64 * 9, 2), 64)),
    pow: k.powSearch(bytes(41, 3), 12, 0, 1 << 22),
    vdf: hex(k.vdfChain(seed, 2000, 4)),
    labels: hex(k.sha256(leaves)),
    root: hex(root),
    verify: [k.merkleVerify(leaf, 9, path, root), k.merkleVerify(badLeaf, 9, path, root), k.merkleVerify(leaf, 8, path, root)]
  }
}

/** Loads one build from the embedded bytes, as a browser host would, and answers. */
export async function browserAnswers (variant: WasmVariant): Promise<KernelAnswers> {
  const k = createWasmKernel(await loadKernelModule(variant))
  return kernelAnswers(k, k.name, wasmBytes(variant))
}
