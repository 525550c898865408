/**
 * Assets (ARCHITECTURE.md "Assets"): kinds, states, privacy levels, AssetId
 * text form, canonical records and operations, and the registry as ledger
 * transaction handlers (`registerAssets`).
 *
 * @example
 * ```ts
 * import { registerAssets, encodeRegister, ASSET_KINDS, PRIVACY_LEVELS, ASSET_TX } from './ts/assets/index.ts'
 * registerAssets(ledger)
 * const op = encodeRegister({ kind: ASSET_KINDS.Memory, capacity: 1n << 30n, privacy: PRIVACY_LEVELS.P2P, allow: [], description: '1 GiB RAM' })
 * // submit { kind: ASSET_TX.register, sender, sequence, op, proof } with its ConsensusProof
 * ```
 * @module
 */
export * from './assets.ts'
export * from './registry.ts'
