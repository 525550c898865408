/**
 * Global addresses (fd48:4d00::/32, text and `hypermesh://` forms) and the
 * translator from an address to {peer, asset, offset, permissions} on the
 * core-wasm 128-bit table.
 *
 * @example
 * ```ts
 * import { GlobalAddress, Translator, MEM_OPS } from './ts/nat/index.ts'
 * const a = GlobalAddress.parse('hypermesh://fd48:4d00:1a2b:3c4d:5e6f:2000:0:40')
 * const t = new Translator(natTable)
 * t.set({ address: a, peer, assetId, size: 1 << 20, permissions: MEM_OPS.read, expiresAt: Date.now() + 60_000 })
 * t.translate(a.add(8)) // { peer, assetId, offset: 72, size, permissions }
 * ```
 * @module
 */
export * from './address.ts'
export * from './translator.ts'
export * from './capability.ts'
export * from './access.ts'
export * from './constants.ts'
