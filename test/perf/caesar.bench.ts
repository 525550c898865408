/**
 * Caesar benchmark, each figure beside a baseline measured in the same run:
 *  - transfers/s through the `caesar.transfer` handler (decode, settle both
 *    accounts with lazy demurrage, debit/credit, fee, supply; writes through
 *    a StateOverlay applied to a LedgerState, as the ledger does) beside the
 *    bare state write rate (one 24-byte value through the same overlay+apply);
 *  - transfers/s applied by Ledger.buildBlock with full ConsensusProof
 *    verification (dev preset: PoSpace, FALCON-1024 PoStake, PoWork, PoTime;
 *    fresh proof cache per block) beside the bare FALCON-1024 verify rate;
 *  - balance reads/s with lazy demurrage beside a plain Map read.
 */
import type { BenchOptions, BenchRow } from './_harness.ts'
import { median, rateRow } from './_harness.ts'
import {
  Caesar, CAESAR_WORK_KINDS, KIND_TRANSFER, TransferOpCoder, caesarGenesisState, caesarGenesisStateJson, defaultCaesarConfig, registerCaesar
} from '../../ts/caesar/index.ts'
import {
  Ledger, LedgerState, MemoryBlockStore, StateOverlay, b64encode, blockHash, genesisBlock, nodeIdOf, operationHash, parseGenesis, plotStateEntry, sha256, toHex,
  type Transaction
} from '../../ts/ledger/index.ts'
import { consensusProofVerifier } from '../../ts/ledger/proof-verifier.ts'
import { createConsensusProof } from '../../ts/proofs/bundle.ts'
import { encodeConsensusProof } from '../../ts/proofs/encoding.ts'
import { MemoryPlotStore } from '../../ts/proofs/plot.ts'
import { referenceKernel } from '../../ts/wasm/reference.ts'
import { DOMAINS, sign, verify } from '../../ts/identity/index.ts'
import { testKeyPair } from '../fixtures/keys.ts'

const T0 = 1_767_225_600_000
const HOUR = 3_600_000

async function alternate (a: () => unknown, b: () => unknown, opsA: number, opsB: number, rounds: number, ms: number): Promise<[number, number]> {
  const rate = async (f: () => unknown, ops: number): Promise<number> => {
    let n = 0; const t0 = performance.now(); let t = t0
    while (t - t0 < ms) { const r = f(); if (r instanceof Promise) await r; n++; t = performance.now() }
    return (n * ops) / ((t - t0) / 1000)
  }
  await rate(a, opsA); await rate(b, opsB)
  const ra: number[] = []; const rb: number[] = []
  for (let i = 0; i < rounds; i++) { ra.push(await rate(a, opsA)); rb.push(await rate(b, opsB)) }
  return [median(ra), median(rb)]
}

export async function run (opts: BenchOptions): Promise<BenchRow[]> {
  const rounds = opts.quick ? 3 : 7
  const ms = opts.quick ? 200 : 500
  const rows: BenchRow[] = []

  // 1. Handler rate vs bare state write.
  const A = new Uint8Array(32).fill(1); const B = new Uint8Array(32).fill(2)
  const config = defaultCaesarConfig({ genesisBalances: [{ account: A, amount: 1n << 60n }, { account: B, amount: 1n << 60n }] })
  const state = LedgerState.fromEntries(caesarGenesisState(config))
  for (let i = 0; i < 1000; i++) state.apply([[`caesar/acct/${toHex(sha256(new Uint8Array([i & 255, i >> 8])))}`, new Uint8Array(24)]])
  const caesar = new Caesar(config, { genesisTime: T0, genesisHash: new Uint8Array(32) })
  const transfer = caesar.handlers()[KIND_TRANSFER]
  const ops = [TransferOpCoder.encode({ to: B, amount: 12_345n, fee: 100n }), TransferOpCoder.encode({ to: A, amount: 12_345n, fee: 100n })]
  let n = 0
  const doTransfer = (): void => {
    const i = n++
    const tx: Transaction = { kind: KIND_TRANSFER, sender: i % 2 === 0 ? A : B, sequence: i + 1, op: ops[i % 2], proof: new Uint8Array(0) }
    const child = new StateOverlay(state)
    // A new epoch every 8 transfers: most transfers settle real decay.
    transfer({ height: 1, time: T0 + (i >> 3) * HOUR, tx, txHash: new Uint8Array(32), state: child })
    state.apply(child.writeList())
  }
  const value = new Uint8Array(24); let m = 0
  const bareWrite = (): void => {
    const child = new StateOverlay(state)
    value[0] = m++ & 255
    child.set('bench/key', value)
    state.apply(child.writeList())
  }
  const [tRate, wRate] = await alternate(doTransfer, bareWrite, 1, 1, rounds, ms)
  opts.log(`caesar transfer handler ${tRate.toFixed(0)}/s, bare state write ${wRate.toFixed(0)}/s`)
  rows.push(rateRow('caesar transfers through the handler (settle both with demurrage, fee, supply)', tRate, 'transfers/s', 'bare state write (overlay set + apply, 24 B)', wRate, 'no proof verification; 1002 accounts in state; a new epoch every 8 transfers'))

  // 2. Through Ledger.buildBlock with full ConsensusProof verification, vs bare FALCON-1024 verify.
  const alice = testKeyPair(0); const bob = testKeyPair(1); const validator = testKeyPair(6)
  const aliceId = nodeIdOf(alice.publicKey); const bobId = nodeIdOf(bob.publicKey)
  const plot = MemoryPlotStore.build(referenceKernel, aliceId, 0, 10)
  const lconfig = defaultCaesarConfig({ genesisBalances: [{ account: aliceId, amount: 1n << 60n }] })
  const genesis = parseGenesis({
    chainId: 'caesar-bench', genesisTime: T0, proofPreset: 'dev',
    validators: [{ publicKey: b64encode(validator.publicKey), power: 1 }],
    allocations: [{ publicKey: b64encode(alice.publicKey), stake: 1000 }],
    state: [(() => { const [key, v] = plotStateEntry(aliceId, 0, plot.info); return { key, value: b64encode(v) } })(), ...caesarGenesisStateJson(lconfig)]
  })
  const anchor = blockHash(genesisBlock(genesis))
  const N = opts.quick ? 8 : 24
  const txs: Transaction[] = []
  const t0 = performance.now()
  for (let seq = 1; seq <= N; seq++) {
    const body = { kind: KIND_TRANSFER, sender: aliceId, sequence: seq, op: TransferOpCoder.encode({ to: bobId, amount: 1000n + BigInt(seq), fee: 100n }) }
    const proof = await createConsensusProof({ opHash: operationHash(body), kind: CAESAR_WORK_KINDS[KIND_TRANSFER] as 1 }, {
      latest: anchor, identity: alice, plot, position: { zone: 'bench', address: new Uint8Array([1]) }, sequence: seq, nowMicros: () => T0 * 1000
    }, { kernel: referenceKernel, preset: 'dev' })
    txs.push({ ...body, proof: encodeConsensusProof(proof) })
  }
  opts.log(`made ${N} proved transfers in ${(performance.now() - t0).toFixed(0)} ms`)
  const proposer = nodeIdOf(validator.publicKey)
  const applyBlock = async (): Promise<void> => {
    const ledger = await Ledger.open({ genesis, store: new MemoryBlockStore(), verifier: consensusProofVerifier({ kernel: referenceKernel, preset: 'dev' }) })
    registerCaesar(ledger)
    const b = ledger.buildBlock({ round: 0, proposer, time: T0 + 1000, candidates: txs })
    if (b.txs.length !== N) throw new Error(`only ${b.txs.length} of ${N} transfers applied`)
  }
  const msg = new Uint8Array(32).fill(7)
  const sig = sign(alice.secretKey, DOMAINS.Transaction, msg)
  const bareVerify = (): void => { if (!verify(alice.publicKey, DOMAINS.Transaction, msg, sig)) throw new Error('verify failed') }
  const [lRate, vRate] = await alternate(applyBlock, bareVerify, N, 1, rounds, Math.max(ms, 600))
  opts.log(`ledger-applied transfers ${lRate.toFixed(0)}/s, bare FALCON-1024 verify ${vRate.toFixed(0)}/s`)
  rows.push(rateRow('caesar transfers applied by Ledger.buildBlock with full ConsensusProof verification (dev preset)', lRate, 'transfers/s', 'bare FALCON-1024 verify (@noble/post-quantum)', vRate, `blocks of ${N}; includes Ledger.open per block (fresh proof cache)`))

  // 3. Balance reads with lazy demurrage vs a plain Map read.
  const ids = Array.from({ length: 256 }, (_, i) => sha256(new Uint8Array([i, 9])))
  const rstate = LedgerState.fromEntries(caesarGenesisState(defaultCaesarConfig({
    genesisBalances: ids.map((account, i) => ({ account, amount: (1n << 50n) + BigInt(i) })).sort((a, b) => Buffer.compare(a.account, b.account))
  })))
  const map = new Map(ids.map((id) => [toHex(id), 1n << 50n]))
  const hexes = ids.map(toHex)
  let r = 0; let s = 0
  const readBalance = (): bigint => { const i = r++; return caesar.balanceOf(rstate, ids[i & 255], 1 + (i % 50_000)) }
  const readMap = (): bigint | undefined => map.get(hexes[s++ & 255])
  const [bRate, mRate] = await alternate(readBalance, readMap, 1, 1, rounds, ms)
  opts.log(`balance reads ${bRate.toFixed(0)}/s, Map reads ${mRate.toFixed(0)}/s`)
  rows.push(rateRow('caesar balance reads with lazy demurrage (state get + decode + exact present value)', bRate, 'reads/s', 'plain Map read (hex key)', mRate, 'spans of 1..50,000 epochs'))
  return rows
}
