/**
 * The validator set (from genesis): powers, quorum thresholds and the
 * rotating proposer.
 */
import { InvalidArgumentError } from '../errors.ts'
import { toHex, type Genesis, type NodeId } from '../ledger/index.ts'

export interface Validator {
  index: number
  publicKey: Uint8Array
  nodeId: NodeId
  power: number
}

/** Test-only switches that break the protocol on purpose (the simulator must catch them). */
export interface UnsafeTestOptions {
  /** Use 2f instead of 2f+1 as the quorum. */
  quorumTwoF?: boolean
  /** Ignore lockedValue/lockedRound when prevoting. */
  ignoreLock?: boolean
}

export class ValidatorSet {
  readonly validators: readonly Validator[]
  readonly totalPower: number
  /** Power strictly above 2/3 of the total (2f+1 for n = 3f+1 equal powers). */
  readonly quorum: number
  /** Power strictly above 1/3 of the total (f+1): at least one honest validator. */
  readonly fPlusOne: number
  private readonly byNodeId = new Map<string, number>()

  constructor (validators: ReadonlyArray<{ publicKey: Uint8Array, nodeId: NodeId, power: number }>, unsafe: UnsafeTestOptions = {}) {
    if (validators.length === 0) throw new InvalidArgumentError('validator set is empty')
    this.validators = Object.freeze(validators.map((v, index) => Object.freeze({ index, publicKey: v.publicKey, nodeId: v.nodeId, power: v.power })))
    let total = 0
    for (const v of validators) {
      if (!Number.isSafeInteger(v.power) || v.power <= 0) throw new InvalidArgumentError('validator power must be a positive integer')
      total += v.power
    }
    this.totalPower = total
    this.quorum = unsafe.quorumTwoF === true ? Math.max(1, 2 * Math.floor((total - 1) / 3)) : Math.floor((2 * total) / 3) + 1
    this.fPlusOne = Math.floor(total / 3) + 1
    this.validators.forEach((v) => this.byNodeId.set(toHex(v.nodeId), v.index))
  }

  static fromGenesis (g: Genesis, unsafe: UnsafeTestOptions = {}): ValidatorSet { return new ValidatorSet(g.validators, unsafe) }

  get size (): number { return this.validators.length }
  indexOf (nodeId: NodeId): number { return this.byNodeId.get(toHex(nodeId)) ?? -1 }

  /**
   * Deterministic rotating proposer: slot (height + round) mod totalPower
   * falls in validator i's cumulative power range, so each validator leads in
   * proportion to its power and consecutive rounds rotate.
   */
  proposer (height: number, round: number): number {
    let slot = (height + round) % this.totalPower
    for (const v of this.validators) {
      if (slot < v.power) return v.index
      slot -= v.power
    }
    return 0
  }

  /** Sum of the powers of a set of validator indices (unknown indices count 0). */
  powerOf (indices: Iterable<number>): number {
    let p = 0
    for (const i of indices) p += this.validators[i]?.power ?? 0
    return p
  }
}
