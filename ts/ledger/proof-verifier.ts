/**
 * TxVerifier backed by ts/proofs: checks a transaction's ConsensusProof for
 * its operationHash with `checkConsensusProof`. The proof's own clock,
 * freshness and sequence checks are run against the ledger view too, but the
 * ledger re-checks those contextual facts deterministically on every use
 * (see Ledger.checkTx), so the cached result only stands for the crypto.
 */
import { checkConsensusProof } from '../proofs/bundle.ts'
import { decodeConsensusProof } from '../proofs/encoding.ts'
import type { PresetName, ProofParams } from '../proofs/params.ts'
import type { Kernel } from '../wasm/kernel.ts'
import { operationHash, type Transaction } from './types.ts'
import type { LedgerView, TxVerifier, VerifiedTx } from './verifier.ts'

export interface ConsensusProofVerifierOptions {
  kernel: Kernel
  preset: PresetName | ProofParams
}

export function consensusProofVerifier (opts: ConsensusProofVerifierOptions): TxVerifier {
  return {
    verify (tx: Transaction, view: LedgerView): VerifiedTx | null {
      const req = view.requirementOf(tx.kind)
      if (req === undefined) return null
      let proof
      try { proof = decodeConsensusProof(tx.proof) } catch { return null }
      const res = checkConsensusProof(proof, { opHash: operationHash(tx), kind: req.workKind as 0, permissions: req.permissions }, {
        chain: { isFresh: (h) => view.isRecentBlock(h) },
        sequences: { lastSequence: (id) => { const s = view.lastSequence(id); return s === 0 ? undefined : s } },
        registry: {
          standingOf: (id) => {
            const s = view.standingOf(id)
            return s === undefined ? undefined : { publicKey: s.publicKey, stake: BigInt(s.stake), authority: s.authority, permissions: s.permissions }
          },
          plotOf: (id, i) => view.plotOf(id, i),
          requirementFor: () => ({ minStake: BigInt(req.minStake), minAuthority: req.minAuthority })
        },
        // The clock window is checked against the chain's time, not this machine's clock.
        nowMicros: () => view.time * 1000
      }, { kernel: opts.kernel, preset: opts.preset })
      if (!res.ok) return null
      return { anchor: proof.time.anchor, timestampMicros: proof.time.timestampMicros, sequence: proof.time.sequence, signer: proof.stake.nodeId }
    }
  }
}
