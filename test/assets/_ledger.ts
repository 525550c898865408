/**
 * A real ledger for service tests: senders (test keys 0..n-1, three with
 * stake 100 unless `stakes` says otherwise) with registered plots, transactions carrying real dev-preset ConsensusProofs
 * (TypeScript reference kernel), blocks built, validated and committed.
 */
import {
  Ledger, MemoryBlockStore, ProofCache, b64encode, blockHash, computeTxRoot, parseGenesis, plotStateEntry, type Block, type Transaction
} from '../../ts/ledger/index.ts'
import { consensusProofVerifier } from '../../ts/ledger/proof-verifier.ts'
import { createConsensusProof } from '../../ts/proofs/bundle.ts'
import { encodeConsensusProof } from '../../ts/proofs/encoding.ts'
import { MemoryPlotStore } from '../../ts/proofs/plot.ts'
import { referenceKernel } from '../../ts/wasm/reference.ts'
import { nodeIdOf, type KeyPair } from '../../ts/identity/index.ts'
import { operationHash } from '../../ts/ledger/index.ts'
import { testKeyPair } from '../fixtures/keys.ts'

export const T0 = 1_767_225_600_000

export interface TestChain {
  ledger: Ledger
  keys: KeyPair[]
  ids: Uint8Array[]
  /** A transaction of `kind` from sender `i` with a real ConsensusProof. */
  tx: (i: number, kind: string, op: Uint8Array) => Promise<Transaction>
  /** Builds a block of `txs` (dropping failing ones) and commits it; returns the included ones. */
  commit: (txs: Transaction[]) => Promise<Block>
  /** Why the ledger refuses `tx` as the only transaction of the next block (null when it would be included). */
  refusal: (tx: Transaction) => string | null
}

export async function testChain (setup: (ledger: Ledger) => void, opts: { stakes?: number[] } = {}): Promise<TestChain> {
  const stakes = opts.stakes ?? [100, 100, 100]
  const keys = stakes.map((_, i) => testKeyPair(i))
  const ids = keys.map((k) => nodeIdOf(k.publicKey))
  const plots = ids.map((id) => MemoryPlotStore.build(referenceKernel, id, 0, 10))
  const genesis = parseGenesis({
    chainId: 'assets-test', genesisTime: T0, proofPreset: 'dev',
    validators: [{ publicKey: b64encode(keys[0].publicKey), power: 1 }],
    allocations: keys.map((k, i) => ({ publicKey: b64encode(k.publicKey), stake: stakes[i] })),
    state: plots.map((p, i) => { const [key, value] = plotStateEntry(ids[i], 0, p.info); return { key, value: b64encode(value) } })
  })
  const ledger = await Ledger.open({ genesis, store: new MemoryBlockStore(), verifier: new ProofCache(consensusProofVerifier({ kernel: referenceKernel, preset: 'dev' })) })
  setup(ledger)
  const seq = keys.map(() => 0)
  let time = T0
  return {
    ledger, keys, ids,
    async tx (i, kind, op) {
      const body = { kind, sender: ids[i], sequence: ++seq[i], op }
      const proof = await createConsensusProof({ opHash: operationHash(body), kind: ledger.view().requirementOf(kind)?.workKind as 0 ?? 1 }, {
        latest: ledger.lastHash, identity: keys[i], plot: plots[i], position: { zone: 'test', address: new Uint8Array([i]) }, sequence: body.sequence,
        nowMicros: () => (time + 500) * 1000
      }, { kernel: referenceKernel, preset: 'dev' })
      return { ...body, proof: encodeConsensusProof(proof) }
    },
    async commit (txs) {
      time += 1000
      const block = ledger.buildBlock({ round: 0, proposer: ids[0], time, candidates: txs })
      await ledger.commit(block, { height: block.height, round: 0, blockHash: blockHash(block), signatures: [] })
      return block
    },
    refusal (tx) {
      const b: Block = { ...ledger.lastBlock, height: ledger.height + 1, parent: ledger.lastHash, time: time + 1000, txs: [tx], txRoot: computeTxRoot([tx]) }
      const r = ledger.validateBlock(b)
      if (r.ok) return null
      return r.reason === 'stateRoot mismatch' ? null : r.reason
    }
  }
}
