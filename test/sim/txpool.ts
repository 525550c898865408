/** Real dev-preset ConsensusProofs for simulator transactions (made once per process). */
import { createConsensusProof } from '../../ts/proofs/bundle.ts'
import { encodeConsensusProof } from '../../ts/proofs/encoding.ts'
import { MemoryPlotStore } from '../../ts/proofs/plot.ts'
import { referenceKernel } from '../../ts/wasm/reference.ts'
import { consensusProofVerifier } from '../../ts/ledger/proof-verifier.ts'
import { nodeIdOf, operationHash, type Transaction, type TxVerifier } from '../../ts/ledger/index.ts'
import type { KeyPair } from './crypto.ts'

export function simVerifier (): TxVerifier {
  return consensusProofVerifier({ kernel: referenceKernel, preset: 'dev' })
}

export function buildPlot (nodeId: Uint8Array): MemoryPlotStore {
  return MemoryPlotStore.build(referenceKernel, nodeId, 0, 10)
}

export async function makePool (senders: KeyPair[], plots: MemoryPlotStore[], anchor: Uint8Array, perSender: number, kind: string, timeMs: number): Promise<{ txs: Transaction[], badTxs: Transaction[] }> {
  const txs: Transaction[] = []
  for (let s = 0; s < senders.length; s++) {
    const sender = nodeIdOf(senders[s].publicKey)
    for (let seq = 1; seq <= perSender; seq++) {
      const body = { kind, sender, sequence: seq, op: new TextEncoder().encode(`sim asset ${s}/${seq}`) }
      const proof = await createConsensusProof({ opHash: operationHash(body), kind: 1 }, {
        latest: anchor, identity: senders[s], plot: plots[s], position: { zone: 'sim', address: new Uint8Array([s]) }, sequence: seq,
        nowMicros: () => (timeMs + 10_000) * 1000
      }, { kernel: referenceKernel, preset: 'dev' })
      txs.push({ ...body, proof: encodeConsensusProof(proof) })
    }
  }
  // Tampered copies: one flipped byte in the proof's last part (the FALCON signature) -> verification fails.
  const badTxs = txs.slice(0, 4).map((tx) => {
    const proof = tx.proof.slice(); proof[proof.length - 5] ^= 0x40
    return { ...tx, proof }
  })
  return { txs, badTxs }
}
