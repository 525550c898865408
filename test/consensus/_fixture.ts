/** Shared fixture for the consensus unit tests: 4 FALCON-1024 validators, a genesis, signed message makers. */
import {
  Ledger, MemoryBlockStore, b64encode, blockHash, computeTxRoot, parseGenesis, type Block, type Genesis
} from '../../ts/ledger/index.ts'
import {
  DOMAIN_PROPOSAL, DOMAIN_VOTE, TendermintEngine, ValidatorSet, encodeMessage, proposalSignBytes, voteSignBytes,
  type EngineAction, type EngineConfig, type VoteType
} from '../../ts/consensus/index.ts'
import { SimCrypto, simKeyPair, type KeyPair } from '../sim/crypto.ts'

export interface Fixture {
  keys: KeyPair[]
  genesis: Genesis
  vs: ValidatorSet
  crypto: SimCrypto
  chainId: string
}

let cached: Fixture | undefined
export function fixture (): Fixture {
  if (cached !== undefined) return cached
  const keys = [0, 1, 2, 3].map(simKeyPair)
  const genesis = parseGenesis({
    chainId: 'hypermesh-test',
    genesisTime: 1_767_225_600_000,
    proofPreset: 'dev',
    validators: keys.map((k) => ({ publicKey: b64encode(k.publicKey), power: 1 }))
  })
  cached = { keys, genesis, vs: ValidatorSet.fromGenesis(genesis), crypto: new SimCrypto(), chainId: genesis.chainId }
  return cached
}

/** A block at `height` (contents arbitrary but well-formed; validity is what the test says it is). */
export function makeBlock (height: number, tag: number): Block {
  return {
    height, parent: new Uint8Array(32).fill(height), round: 0, proposer: new Uint8Array(32), time: 1_767_225_600_000 + tag,
    txRoot: computeTxRoot([]), stateRoot: new Uint8Array(32).fill(tag), txs: []
  }
}

export function proposalBytes (fx: Fixture, validator: number, height: number, round: number, block: Block, polRound = -1): Uint8Array {
  const body = { type: 'proposal' as const, height, round, polRound, block, validator }
  const signature = fx.crypto.sign(fx.keys[validator], DOMAIN_PROPOSAL, proposalSignBytes(fx.chainId, body, blockHash(block)))
  return encodeMessage({ ...body, signature })
}

export function voteBytes (fx: Fixture, validator: number, type: VoteType, height: number, round: number, value: Block | Uint8Array | null): Uint8Array {
  const v = value === null ? null : value instanceof Uint8Array ? value : blockHash(value)
  const body = { type, height, round, value: v, validator }
  const signature = fx.crypto.sign(fx.keys[validator], DOMAIN_VOTE, voteSignBytes(fx.chainId, body))
  return encodeMessage({ ...body, signature })
}

/**
 * Drives one engine like a host would, except that the test decides block
 * validity (`valid` set of block hashes) and nothing is sent anywhere: the
 * engine's own signed messages are looped back.
 */
export class Driver {
  readonly engine: TendermintEngine
  readonly fx: Fixture
  readonly log: EngineAction[] = []
  now = 1_767_225_600_000
  validity: (b: Block) => boolean = () => true
  built: Block | undefined

  constructor (fx: Fixture, self: number, opts: Partial<EngineConfig> = {}, height = 1) {
    this.fx = fx
    this.engine = new TendermintEngine({ chainId: fx.chainId, validators: fx.vs, self, verify: fx.crypto.verify, ...opts }, height, 1_767_225_600_000)
  }

  private run (ev: Parameters<TendermintEngine['handle']>[0]): EngineAction[] {
    const out: EngineAction[] = []
    const queue = [ev]
    while (queue.length > 0) {
      const acts = this.engine.handle(queue.shift() as typeof ev)
      for (const a of acts) {
        out.push(a); this.log.push(a)
        if (a.type === 'sign-and-broadcast') {
          const sig = this.fx.crypto.sign(this.fx.keys[this.engine.config.self], a.domain, a.signBytes)
          queue.push({ type: 'receive', bytes: encodeMessage({ ...a.body, signature: sig } as never), now: this.now })
        } else if (a.type === 'validate-block') {
          queue.push({ type: 'block-validated', hash: blockHash(a.block), valid: this.validity(a.block), now: this.now })
        } else if (a.type === 'build-block') {
          const b = this.built ?? makeBlock(a.height, 99)
          queue.push({ type: 'block-built', height: a.height, round: a.round, block: b, now: this.now })
        }
      }
    }
    return out
  }

  start (): EngineAction[] { return this.run({ type: 'start', now: this.now }) }
  receive (bytes: Uint8Array): EngineAction[] { return this.run({ type: 'receive', bytes, now: this.now }) }
  timeout (kind: 'propose' | 'prevote' | 'precommit' | 'commit', round: number, height = this.engine.height): EngineAction[] {
    return this.run({ type: 'timeout', kind, height, round, now: this.now })
  }
}

export function votesCast (actions: EngineAction[], type: VoteType): Array<{ round: number, value: Uint8Array | null }> {
  return actions.flatMap((a) => a.type === 'sign-and-broadcast' && a.body.type === type ? [{ round: a.body.round, value: a.body.value }] : [])
}

export async function openLedger (fx: Fixture): Promise<Ledger> {
  return await Ledger.open({ genesis: fx.genesis, store: new MemoryBlockStore(), verifier: { verify: () => null } })
}
