/**
 * TxVerifier backed by ts/proofs: checks a transaction's ConsensusProof for
 * its operationHash with `checkConsensusProof`. The verdict is cached by tx
 * hash, so it must not depend on where the chain is: the proof's clock,
 * freshness and sequence are NOT checked here (the ledger re-checks them
 * deterministically from the returned facts on every use, see
 * Ledger.checkTx), and a failure on standing or plot — state a later block
 * may change — is thrown as ProofContextError, which the cache does not keep.
 */
import { checkConsensusProof } from '../proofs/bundle.ts'
import { decodeConsensusProof } from '../proofs/encoding.ts'
import type { PresetName, ProofParams } from '../proofs/params.ts'
import type { Kernel } from '../wasm/kernel.ts'
import { operationHash, type Transaction } from './types.ts'
import { ProofContextError, type LedgerView, type TxVerifier, type VerifiedTx } from './verifier.ts'

export interface ConsensusProofVerifierOptions {
  kernel: Kernel
  preset: PresetName | ProofParams
}

export function consensusProofVerifier (opts: ConsensusProofVerifierOptions): TxVerifier {
  return {
    verify (tx: Transaction, view: LedgerView): VerifiedTx | null {
      const req = view.requirementOf(tx.kind)
      if (req === undefined) throw new ProofContextError(`no requirement for kind ${tx.kind}`)
      let proof
      try { proof = decodeConsensusProof(tx.proof) } catch { return null }
      const ts = proof.time.timestampMicros
      const res = checkConsensusProof(proof, { opHash: operationHash(tx), kind: req.workKind as 0, permissions: req.permissions }, {
        // Freshness, sequence and clock depend on where the chain is: the
        // ledger re-checks them from the returned facts on every use, so the
        // cached verdict covers only what cannot change.
        chain: { isFresh: () => true },
        sequences: { lastSequence: () => undefined },
        registry: {
          standingOf: (id) => {
            const s = view.standingOf(id)
            return s === undefined ? undefined : { publicKey: s.publicKey, stake: BigInt(s.stake), authority: s.authority, permissions: s.permissions }
          },
          plotOf: (id, i) => view.plotOf(id, i),
          requirementFor: () => ({ minStake: BigInt(req.minStake), minAuthority: req.minAuthority })
        },
        nowMicros: () => ts
      }, { kernel: opts.kernel, preset: opts.preset })
      if (!res.ok) {
        // Standing and plot are ledger state that a later block may add: not a verdict to cache.
        if (res.reason === 'standing' || res.reason === 'plot') throw new ProofContextError(`proof check failed on ${res.reason}`)
        return null
      }
      return { anchor: proof.time.anchor, timestampMicros: proof.time.timestampMicros, sequence: proof.time.sequence, signer: proof.stake.nodeId }
    }
  }
}
