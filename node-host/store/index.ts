/**
 * Node-host storage: the ledger's BlockStore on LevelDB.
 *
 * @example
 * ```ts
 * import { LevelBlockStore } from './node-host/store/index.ts'
 * const store = await LevelBlockStore.open('.hypermesh/chain')
 * const head = await store.latestHeight()
 * await store.close()
 * ```
 * @module
 */
export { LevelBlockStore, StoreCorruptError } from './level-block-store.ts'
export type { LevelBlockStoreOptions } from './level-block-store.ts'
