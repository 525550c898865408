/**
 * Ledger: blocks, transactions (asset operations + ConsensusProof), RFC 6962
 * transaction root, a deterministic state machine with pluggable handlers and
 * a stateRoot, the BlockStore interface (+ in-memory store), and a mempool
 * that verifies each transaction's proofs once.
 *
 * @example
 * ```ts
 * import { Ledger, MemoryBlockStore, Mempool, parseGenesis } from './ts/ledger/index.ts'
 * const ledger = await Ledger.open({ genesis: parseGenesis(json), store: new MemoryBlockStore(), verifier })
 * ledger.registerHandler('asset', ({ tx, state }) => state.set('asset/' + tx.sequence, tx.op))
 * const pool = new Mempool(ledger)
 * pool.add(tx)
 * const block = ledger.buildBlock({ round: 0, proposer, time: Date.now(), candidates: pool.select(100) })
 * ```
 * @module
 */
export * from './types.ts'
export * from './hash.ts'
export * from './constants.ts'
export * from './state.ts'
export * from './genesis.ts'
export * from './store.ts'
export * from './verifier.ts'
export * from './ledger.ts'
export * from './mempool.ts'
export { nodeIdOf } from './node-id.ts'
export { Reader, Writer } from './_codec.ts'
