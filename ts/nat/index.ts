/**
 * Global addresses (fd48:4d00::/32, text and `hypermesh://` forms), the
 * translator from an address to {peer, asset, region, offset, permissions}
 * on the core-wasm 128-bit table (a cache over the ledger), the permission
 * table for Memory assets, and owner-signed capability tokens. docs/assets.md
 * describes them.
 *
 * @example
 * ```ts
 * import { GlobalAddress, Translator } from './ts/nat/index.ts'
 * const t = new Translator(new NatTable(await loadKernelModule('simd')), {
 *   source: { state: () => ledger.stateReader, self: nodeId, hasStake: (id) => ledger.view().stakeOf(id) >= 1 }
 * })
 * const a = GlobalAddress.parse('hypermesh://fd48:4d00:1a2b:3c4d:5e6f:2000:0:40')
 * t.translate(a.add(8)) // { peer, assetId, region, offset: 72, size, permissions } or undefined
 * onEachCommittedBlock((block) => t.onCommittedBlock(block))
 * ```
 * @module
 */
export * from './address.ts'
export * from './translator.ts'
export * from './capability.ts'
export * from './access.ts'
export * from './constants.ts'
