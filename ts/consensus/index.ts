/**
 * Consensus: Tendermint BFT (Buchman, Kwon, Milosevic 2018) as a
 * deterministic state machine, its wire messages, the genesis validator set,
 * commit certificates and state-sync helpers.
 *
 * @example
 * ```ts
 * import { TendermintEngine, ValidatorSet } from './ts/consensus/index.ts'
 * const engine = TendermintEngine.restore({ chainId, validators: ValidatorSet.fromGenesis(genesis), self, verify },
 *   await store.getConsensusState(), ledger.height + 1, ledger.lastBlock.time)
 * for (const action of engine.handle({ type: 'start', now: Date.now() })) host.perform(action)
 * // host.perform: sign-and-broadcast, schedule-timeout, build-block, validate-block, persist, commit, request-sync
 * ```
 * @module
 */
export * from './constants.ts'
export * from './messages.ts'
export * from './validators.ts'
export * from './certificate.ts'
export * from './engine.ts'
export * from './sync.ts'
