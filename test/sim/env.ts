/**
 * Process-wide simulator environment: validator keys, one genesis per n,
 * and a pool of transactions with real dev-preset ConsensusProofs made once
 * per process and reused by every seed.
 */
import {
  Ledger, ProofCache, b64encode, blockHash, genesisBlock, nodeIdOf, parseGenesis, plotStateEntry, toHex,
  type Genesis, type Transaction, type TxVerifier
} from '../../ts/ledger/index.ts'
import { SimCrypto, simKeyPair, type KeyPair } from './crypto.ts'
import type { SimEnv } from './simulator.ts'

export const SIM_GENESIS_TIME = 1_767_225_600_000
export const TX_KIND = 'sim.asset'
/** Transaction senders (not validators) with stake and a registered plot. */
export const SENDERS = 2
export const TXS_PER_SENDER = 12

export interface EnvOptions {
  maxN?: number
  /** Make real ConsensusProofs (needs ts/proofs + ts/identity). Default true. */
  proofs?: boolean
  txsPerSender?: number
  /** Key source (default: deterministic FALCON keygen). */
  keyPair?: (i: number) => KeyPair
}

interface Pool { txs: Transaction[], badTxs: Transaction[] }

export async function createSimEnv (opts: EnvOptions = {}): Promise<SimEnv & { pools: Map<number, Pool> }> {
  const maxN = opts.maxN ?? 10
  const keyPair = opts.keyPair ?? simKeyPair
  const keys = Array.from({ length: maxN }, (_, i) => keyPair(i))
  const senders = Array.from({ length: SENDERS }, (_, i) => keyPair(100 + i))
  const withProofs = opts.proofs !== false
  const perSender = opts.txsPerSender ?? TXS_PER_SENDER
  const crypto = new SimCrypto()

  let verifier: TxVerifier = { verify: () => null }
  let plots: Array<{ info: { log2Size: number, root: Uint8Array } }> = []
  let proofsMod: typeof import('./txpool.ts') | undefined
  if (withProofs) {
    proofsMod = await import('./txpool.ts')
    verifier = proofsMod.simVerifier()
    plots = senders.map((k) => proofsMod!.buildPlot(nodeIdOf(k.publicKey)))
  }
  const proofs = new ProofCache(verifier, 1 << 16)
  const geneses = new Map<number, Genesis>()
  const pools = new Map<number, Pool>()

  const genesisFor = (n: number): Genesis => {
    let g = geneses.get(n)
    if (g === undefined) {
      g = parseGenesis({
        chainId: `hypermesh-sim-${n}`,
        genesisTime: SIM_GENESIS_TIME,
        proofPreset: 'dev',
        validators: keys.slice(0, n).map((k) => ({ publicKey: b64encode(k.publicKey), power: 1 })),
        allocations: senders.map((k) => ({ publicKey: b64encode(k.publicKey), stake: 1000 })),
        state: plots.map((p, i) => {
          const [key, value] = plotStateEntry(nodeIdOf(senders[i].publicKey), 0, p.info)
          return { key, value: b64encode(value) }
        })
      })
      geneses.set(n, g)
    }
    return g
  }

  // Pools per n (the proofs anchor to block 0, whose hash depends on the validator set).
  const env: SimEnv & { pools: Map<number, Pool> } = {
    crypto,
    keys,
    genesisFor,
    get txs () { return currentPool.txs },
    get badTxs () { return currentPool.badTxs },
    proofs,
    setupLedger: (ledger: Ledger) => ledger.registerHandler(TX_KIND, ({ tx, txHash, state }) => {
      state.set(`sim/asset/${toHex(txHash)}`, tx.op)
    }, { workKind: 1, minStake: 1 }),
    pools
  }
  let currentPool: Pool = { txs: [], badTxs: [] }
  const select = async (n: number): Promise<void> => {
    let p = pools.get(n)
    if (p === undefined) {
      p = { txs: [], badTxs: [] }
      if (proofsMod !== undefined) {
        const anchor = blockHash(genesisBlock(genesisFor(n)))
        p = await proofsMod.makePool(senders, plots as never, anchor, perSender, TX_KIND, SIM_GENESIS_TIME)
      }
      pools.set(n, p)
    }
    currentPool = p
  }
  ;(env as unknown as { selectN: (n: number) => Promise<void> }).selectN = select
  return env
}

/** Prepares the pool for `n` (call before runSimulation with that n). */
export async function prepareN (env: SimEnv, n: number): Promise<void> {
  await (env as unknown as { selectN: (n: number) => Promise<void> }).selectN(n)
}
