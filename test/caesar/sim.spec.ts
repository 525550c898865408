import { describe, expect, it } from 'vitest'
import {
  CAESAR_WORK_KINDS, KIND_BURN, KIND_TRANSFER, BurnOpCoder, TransferOpCoder, auditCaesar, caesarGenesisStateJson, caesarStateHash, defaultCaesarConfig, registerCaesar
} from '../../ts/caesar/index.ts'
import {
  ProofCache, b64encode, blockHash, genesisBlock, nodeIdOf, operationHash, parseGenesis, plotStateEntry, toHex,
  type Genesis, type LedgerState, type Transaction
} from '../../ts/ledger/index.ts'
import { consensusProofVerifier } from '../../ts/ledger/proof-verifier.ts'
import { createConsensusProof } from '../../ts/proofs/bundle.ts'
import { encodeConsensusProof } from '../../ts/proofs/encoding.ts'
import { MemoryPlotStore } from '../../ts/proofs/plot.ts'
import { referenceKernel } from '../../ts/wasm/reference.ts'
import { testKeyPair } from '../fixtures/keys.ts'
import { SimCrypto } from '../sim/crypto.ts'
import { runSimulation, type SimEnv } from '../sim/simulator.ts'
import { sortedBalances } from './_setup.ts'

// The consensus simulator (real Tendermint engines, ledgers, mempools, stores; Byzantine
// validators, partitions, crashes, state sync) carrying Caesar transfers and burns with
// real ConsensusProofs. Every replica audits conservation after every block it commits.
const T0 = 1_767_225_600_000
const N = 4
const validators = [6, 7, 8, 9].map((i) => testKeyPair(i))
const senders = [testKeyPair(0), testKeyPair(1)]
const sids = senders.map((k) => nodeIdOf(k.publicKey))
const sink = new Uint8Array(32).fill(0xee)
const plots = sids.map((id) => MemoryPlotStore.build(referenceKernel, id, 0, 10))
const config = defaultCaesarConfig({ genesisBalances: sortedBalances([[sids[0], 10n ** 9n], [sids[1], 3000n]]) })
const genesis: Genesis = parseGenesis({
  chainId: 'caesar-sim', genesisTime: T0, proofPreset: 'dev',
  validators: validators.map((k) => ({ publicKey: b64encode(k.publicKey), power: 1 })),
  allocations: senders.map((k) => ({ publicKey: b64encode(k.publicKey), stake: 1000 })),
  state: [
    ...sids.map((id, i) => { const [key, value] = plotStateEntry(id, 0, plots[i].info); return { key, value: b64encode(value) } }),
    ...caesarGenesisStateJson(config)
  ]
})

async function makeTxs (): Promise<Transaction[]> {
  const anchor = blockHash(genesisBlock(genesis))
  const out: Transaction[] = []
  for (let s = 0; s < 2; s++) {
    for (let seq = 1; seq <= 6; seq++) {
      // Sender 1 starts with 3000 µc: some of its transfers overdraw and must be dropped everywhere.
      const op = seq === 6
        ? BurnOpCoder.encode({ amount: 500n })
        : TransferOpCoder.encode({ to: seq % 2 === 0 ? sink : sids[1 - s], amount: s === 0 ? 1_000_000n * BigInt(seq) : 900n, fee: 100n })
      const kind = seq === 6 ? KIND_BURN : KIND_TRANSFER
      const body = { kind, sender: sids[s], sequence: seq, op }
      const proof = await createConsensusProof({ opHash: operationHash(body), kind: CAESAR_WORK_KINDS[kind] as 1 }, {
        latest: anchor, identity: senders[s], plot: plots[s], position: { zone: 'sim', address: new Uint8Array([s]) }, sequence: seq, nowMicros: () => (T0 + 10_000) * 1000
      }, { kernel: referenceKernel, preset: 'dev' })
      out.push({ ...body, proof: encodeConsensusProof(proof) })
    }
  }
  return out
}

describe('caesar in the consensus simulator', () => {
  it('conservation holds after every committed block on every replica, and replicas agree on the Caesar hash per height', async () => {
    const txs = await makeTxs()
    for (const seed of [1, 2, 3]) {
      const byHeight = new Map<number, Set<string>>()
      let audits = 0
      let maxFees = 0n
      const failures: string[] = []
      const env: SimEnv = {
        crypto: new SimCrypto(),
        keys: validators,
        genesisFor: () => genesis,
        txs,
        badTxs: [],
        proofs: new ProofCache(consensusProofVerifier({ kernel: referenceKernel, preset: 'dev' })),
        setupLedger: (ledger) => {
          registerCaesar(ledger)
          const finish = ledger.finishCommit.bind(ledger)
          ledger.finishCommit = (block, writes) => {
            finish(block, writes)
            const state = ledger.stateReader as LedgerState
            const a = auditCaesar(state)
            audits++
            if (a.feePool > maxFees) maxFees = a.feePool
            if (!a.holds) failures.push(`seed ${seed} height ${block.height}: ${JSON.stringify(a, (_, v) => typeof v === 'bigint' ? String(v) : v)}`)
            let set = byHeight.get(block.height)
            if (set === undefined) { set = new Set(); byHeight.set(block.height, set) }
            set.add(toHex(caesarStateHash(state)))
          }
        }
      }
      const r = await runSimulation(env, { seed, n: N })
      expect(r.violations).toEqual([])
      expect(failures).toEqual([])
      expect(audits).toBeGreaterThan(N)
      for (const [h, set] of byHeight) expect(set.size, `height ${h}`).toBe(1)
      expect(r.txsFinalized).toBeGreaterThan(0)
      expect(maxFees >= 100n * BigInt(Math.min(r.txsFinalized, 1))).toBe(true) // finalized Caesar txs paid fees
    }
  }, 300_000)
})
