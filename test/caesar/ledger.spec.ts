import { describe, expect, it } from 'vitest'
import {
  BurnOpCoder, CaesarConfigError, KIND_BURN, KIND_MINT, KIND_TRANSFER, MintOpCoder, ReceiptKind, TransferOpCoder, auditCaesar,
  caesarGenesisStateJson, caesarStateHash, defaultCaesarConfig, registerCaesar, signReceipt, CAESAR_WORK_KINDS, type CaesarConfig
} from '../../ts/caesar/index.ts'
import {
  Ledger, MemoryBlockStore, ProofCache, b64encode, computeTxRoot, blockHash, genesisBlock, nodeIdOf, operationHash, parseGenesis, plotStateEntry, toHex,
  type Block, type Genesis, type Transaction
} from '../../ts/ledger/index.ts'
import { consensusProofVerifier } from '../../ts/ledger/proof-verifier.ts'
import { createConsensusProof } from '../../ts/proofs/bundle.ts'
import { encodeConsensusProof } from '../../ts/proofs/encoding.ts'
import { MemoryPlotStore } from '../../ts/proofs/plot.ts'
import { referenceKernel } from '../../ts/wasm/reference.ts'
import { testKeyPair } from '../fixtures/keys.ts'
import { sortedBalances } from './_setup.ts'

// Real transactions: dev-preset ConsensusProofs (PoSpace, FALCON PoStake, PoWork, PoTime) verified by ts/proofs.
const T0 = 1_767_225_600_000
const alice = testKeyPair(0); const provider = testKeyPair(3); const reader = testKeyPair(2); const validator = testKeyPair(6)
const [A, P, R] = [alice, provider, reader].map((k) => nodeIdOf(k.publicKey))
const plots = new Map([[toHex(A), MemoryPlotStore.build(referenceKernel, A, 0, 10)], [toHex(P), MemoryPlotStore.build(referenceKernel, P, 0, 10)]])
const config: CaesarConfig = defaultCaesarConfig({ genesisBalances: sortedBalances([[A, 10n ** 12n]]) })

function genesisWith (caesar: CaesarConfig | undefined): Genesis {
  return parseGenesis({
    chainId: 'caesar-test',
    genesisTime: T0,
    proofPreset: 'dev',
    validators: [{ publicKey: b64encode(validator.publicKey), power: 1 }],
    allocations: [alice, provider, reader].map((k) => ({ publicKey: b64encode(k.publicKey), stake: 1000 })),
    state: [
      ...[A, P].map((id) => { const [key, value] = plotStateEntry(id, 0, plots.get(toHex(id))!.info); return { key, value: b64encode(value) } }),
      ...(caesar === undefined ? [] : caesarGenesisStateJson(caesar))
    ]
  })
}
const genesis = genesisWith(config)
const proofs = new ProofCache(consensusProofVerifier({ kernel: referenceKernel, preset: 'dev' }))

async function tx (who: typeof alice, kind: string, sequence: number, op: Uint8Array, anchor: Uint8Array, timeMs: number): Promise<Transaction> {
  const sender = nodeIdOf(who.publicKey)
  const body = { kind, sender, sequence, op }
  const proof = await createConsensusProof({ opHash: operationHash(body), kind: CAESAR_WORK_KINDS[kind] as 1 }, {
    latest: anchor, identity: who, plot: plots.get(toHex(sender))!, position: { zone: 'test', address: new Uint8Array([1]) }, sequence, nowMicros: () => timeMs * 1000
  }, { kernel: referenceKernel, preset: 'dev' })
  return { ...body, proof: encodeConsensusProof(proof) }
}

const cert = (b: Block) => ({ height: b.height, round: 0, blockHash: blockHash(b), signatures: [] })

describe('caesar on a real Ledger (MemoryBlockStore, real ConsensusProofs)', () => {
  it('registerCaesar needs the config in the genesis state, and an explicit config must equal it', async () => {
    const bare = await Ledger.open({ genesis: genesisWith(undefined), store: new MemoryBlockStore(), verifier: proofs })
    expect(() => registerCaesar(bare)).toThrow(CaesarConfigError)
    const ledger = await Ledger.open({ genesis, store: new MemoryBlockStore(), verifier: proofs })
    expect(() => registerCaesar(ledger, { ...config, transferFee: 101n })).toThrow(/differs/)
    const c = registerCaesar(ledger, config)
    expect(c.config).toEqual(config)
  })

  it('transfers and a receipt mint go through blocks; overdraft, replay and a forged op are dropped; replicas agree', async () => {
    const l1 = await Ledger.open({ genesis, store: new MemoryBlockStore(), verifier: proofs })
    const l2 = await Ledger.open({ genesis, store: new MemoryBlockStore(), verifier: proofs })
    const caesar = registerCaesar(l1); registerCaesar(l2)
    const anchor = blockHash(genesisBlock(genesis))
    const time = T0 + 2 * 3_600_000 + 5 // epoch 2
    const receipt = signReceipt(reader.secretKey, { chain: genesis.hash, kind: ReceiptKind.RelayBytes, bytes: 1n << 30n, epoch: 0, provider: P, consumer: R, nonce: 9n })
    const mint = MintOpCoder.encode({ type: 'receipt', value: receipt })
    const good = await tx(alice, KIND_TRANSFER, 1, TransferOpCoder.encode({ to: R, amount: 250_000n, fee: 100n }), anchor, T0)
    const overdraft = await tx(alice, KIND_TRANSFER, 2, TransferOpCoder.encode({ to: R, amount: 10n ** 12n, fee: 100n }), anchor, T0)
    const forged = { ...(await tx(alice, KIND_TRANSFER, 5, TransferOpCoder.encode({ to: R, amount: 1n, fee: 100n }), anchor, T0)), op: TransferOpCoder.encode({ to: P, amount: 999n, fee: 100n }) }
    const minted = await tx(provider, KIND_MINT, 1, mint, anchor, T0)
    const replay = await tx(provider, KIND_MINT, 2, mint, anchor, T0)
    const burn = await tx(alice, KIND_BURN, 4, BurnOpCoder.encode({ amount: 1_000n }), anchor, T0)

    const block = l1.buildBlock({ round: 0, proposer: nodeIdOf(validator.publicKey), time, candidates: [good, overdraft, forged, minted, replay, burn] })
    expect(block.txs.map((t) => `${t.kind}#${t.sequence}`)).toEqual(['caesar.transfer#1', 'caesar.mint#1', 'caesar.burn#4'])
    await l1.commit(block, cert(block))
    expect(l2.validateBlock(block)).toEqual({ ok: true })
    await l2.commit(block, cert(block))

    expect(caesar.epochOf(block.time)).toBe(2)
    const pa = caesar.table.presentValue(10n ** 12n, 2)
    expect(caesar.balanceOf(l1.stateReader, A, 2)).toBe(pa - 250_100n - 1_000n)
    expect(caesar.balanceOf(l1.stateReader, R, 2)).toBe(250_000n)
    expect(caesar.balanceOf(l1.stateReader, P, 2)).toBe((1n << 30n) / 4096n)
    const audit = auditCaesar(l1.snapshotEntries())
    expect(audit).toMatchObject({ holds: true, feePool: 100n, burned: 1_000n, demurragePool: 10n ** 12n - pa, minted: 10n ** 12n + (1n << 18n) })
    expect(toHex(caesarStateHash(l1.snapshotEntries()))).toBe(toHex(caesarStateHash(l2.snapshotEntries())))
    expect(toHex(l1.stateRoot)).toBe(toHex(l2.stateRoot))

    // A block that smuggles the replayed mint in is invalid on a replica.
    const replay2 = await tx(provider, KIND_MINT, 3, mint, blockHash(block), block.time)
    const bad: Block = { ...block, height: 2, parent: blockHash(block), time: time + 1, txs: [replay2], txRoot: computeTxRoot([replay2]) }
    const verdict = l2.validateBlock(bad)
    expect(verdict.ok, JSON.stringify(verdict)).toBe(false)
    expect(JSON.stringify(verdict)).toMatch(/replay: receipt already used/)
    // The forged transfer failed on its ConsensusProof (the op is bound by the sender's PoStake signature).
    expect(l2.checkTx(forged, l2.view())).toBe('invalid proof')
  }, 60_000)
})
