/**
 * The replicated ledger: committed state + block store + deterministic
 * execution with pluggable transaction handlers. It implements the view
 * the proofs need (freshness window of finalized block hashes, per-node
 * sequence numbers, stake) as `LedgerView`.
 */
import { InvalidArgumentError } from '../errors.ts'
import { Reader } from './_codec.ts'
import { bytesEqual, toHex } from './hash.ts'
import { FRESHNESS_WINDOW, KEY_NODE, KEY_PLOT, KEY_RECENT, KEY_RECENT_BY_HEIGHT, KEY_SEQUENCE, MAX_CLOCK_SKEW_MS, SYSTEM_PREFIX } from './constants.ts'
import { LedgerState, StateOverlay, type StateAccess, type StateEntry, type StateReader } from './state.ts'
import { blockHash, computeTxRoot, txHash, type Block, type CommitCertificate, type NodeId, type Transaction } from './types.ts'
import { decodePlotEntry, decodeStanding, genesisBlock, genesisState, u64Bytes, type Genesis, type NodeStanding } from './genesis.ts'
import type { BlockStore, StateWrite } from './store.ts'
import { ProofCache, type LedgerView, type TxRequirement, type TxVerifier } from './verifier.ts'

/** A handler refused a transaction (business rule); the tx is not included. */
export class TxRejectedError extends Error {
  static override readonly name = 'TxRejectedError'
  override readonly name = 'TxRejectedError'
  constructor (message: string, options?: ErrorOptions) { super(message, options) }
}

export interface TxHandlerContext {
  /** Height of the block being executed. */
  height: number
  /** Block time (ms). */
  time: number
  tx: Transaction
  txHash: Uint8Array
  /** Writes are applied only if the handler returns without throwing. Keys under `sys/` are reserved. */
  state: StateAccess
}

export type TxHandler = (ctx: TxHandlerContext) => void

export interface HandlerOptions {
  /** ts/proofs WorkKind of this transaction kind (default 1, Modify). */
  workKind?: number
  /** Minimum sender stake for this kind (PoStake authority check). Default 1. */
  minStake?: number
  /** Minimum sender authority. Default 0. */
  minAuthority?: number
  /** Permission bits the sender needs. Default 0. */
  permissions?: number
}

export type BlockCheck = { ok: true } | { ok: false, reason: string }

export interface LedgerOptions {
  genesis: Genesis
  store: BlockStore
  /** Proof verifier, or a ProofCache to share between ledger and mempool. */
  verifier: TxVerifier | ProofCache
}

function readU64 (b: Uint8Array | undefined): number {
  if (b === undefined) return 0
  const r = new Reader(b, 'u64 state value'); const v = r.u64(); r.end(); return v
}

function standingIn (state: StateReader, id: NodeId): NodeStanding | undefined {
  const b = state.get(KEY_NODE + toHex(id))
  if (b === undefined) return undefined
  try { return decodeStanding(b) } catch { return undefined }
}

/** View over a state (committed or overlay) for the block at `height` whose parent is `parentHash`. */
export function viewOf (state: StateReader, height: number, parentHash: Uint8Array, time: number, requirementOf: (kind: string) => TxRequirement | undefined = () => undefined): LedgerView {
  return {
    height,
    time,
    isRecentBlock: (hash) => bytesEqual(hash, parentHash) || state.get(KEY_RECENT + toHex(hash)) !== undefined,
    lastSequence: (id) => readU64(state.get(KEY_SEQUENCE + toHex(id))),
    stakeOf: (id) => standingIn(state, id)?.stake ?? 0,
    standingOf: (id) => standingIn(state, id),
    plotOf: (id, index) => {
      const b = state.get(`${KEY_PLOT}${toHex(id)}/${index}`)
      if (b === undefined) return undefined
      try { return decodePlotEntry(b) } catch { return undefined }
    },
    requirementOf
  }
}

class GuardedState implements StateAccess {
  private readonly inner: StateOverlay
  constructor (inner: StateOverlay) { this.inner = inner }
  get (key: string): Uint8Array | undefined { return this.inner.get(key) }
  set (key: string, value: Uint8Array): void {
    if (key.startsWith(SYSTEM_PREFIX)) throw new TxRejectedError(`handler may not write reserved key ${key}`)
    this.inner.set(key, value)
  }

  delete (key: string): void {
    if (key.startsWith(SYSTEM_PREFIX)) throw new TxRejectedError(`handler may not delete reserved key ${key}`)
    this.inner.delete(key)
  }
}

interface Execution { overlay: StateOverlay, stateRoot: Uint8Array, included: Transaction[], rejected: Array<{ tx: Transaction, reason: string }> }

export class Ledger {
  readonly genesis: Genesis
  readonly store: BlockStore
  readonly proofs: ProofCache
  private readonly handlers = new Map<string, { fn: TxHandler, req: TxRequirement }>()
  private readonly requirementOf = (kind: string): TxRequirement | undefined => this.handlers.get(kind)?.req
  private state: LedgerState
  private last: Block
  private lastHashValue: Uint8Array
  /** Executions of validated-but-not-committed blocks, by block hash. */
  private readonly pending = new Map<string, StateOverlay>()

  private constructor (opts: LedgerOptions, state: LedgerState, last: Block) {
    this.genesis = opts.genesis
    this.store = opts.store
    this.proofs = opts.verifier instanceof ProofCache ? opts.verifier : new ProofCache(opts.verifier)
    this.state = state
    this.last = last
    this.lastHashValue = blockHash(last)
  }

  /** Opens the ledger from its store; an empty store is initialised with block 0 and the genesis state. */
  static async open (opts: LedgerOptions): Promise<Ledger> {
    const latest = await opts.store.latestHeight()
    if (latest < 0) {
      const b0 = genesisBlock(opts.genesis)
      const st = genesisState(opts.genesis)
      await opts.store.installSnapshot(b0, undefined, st.entries())
      return new Ledger(opts, st, b0)
    }
    const top = await opts.store.getByHeight(latest)
    if (top === undefined) throw new InvalidArgumentError(`store is missing its latest block ${latest}`)
    const st = LedgerState.fromEntries(await opts.store.stateSnapshot())
    if (!bytesEqual(st.root(), top.block.stateRoot)) throw new InvalidArgumentError(`store state root does not match block ${latest}`)
    return new Ledger(opts, st, top.block)
  }

  /** Registers the handler for a transaction kind (assets, balances, names ...). */
  registerHandler (kind: string, handler: TxHandler, opts: HandlerOptions = {}): void {
    if (typeof kind !== 'string' || kind.length === 0 || kind.length > 32) throw new InvalidArgumentError('handler kind must be 1..32 characters')
    if (this.handlers.has(kind)) throw new InvalidArgumentError(`handler for ${kind} already registered`)
    const workKind = opts.workKind ?? 1
    if (!Number.isInteger(workKind) || workKind < 0 || workKind > 5) throw new InvalidArgumentError('workKind must be a ts/proofs WorkKind (0..5)')
    this.handlers.set(kind, { fn: handler, req: { workKind, minStake: opts.minStake ?? 1, minAuthority: opts.minAuthority ?? 0, permissions: opts.permissions ?? 0 } })
  }

  get height (): number { return this.last.height }
  get lastBlock (): Block { return this.last }
  get lastHash (): Uint8Array { return this.lastHashValue }
  get stateRoot (): Uint8Array { return this.state.root() }
  get stateReader (): StateReader { return this.state }

  /** The view transactions of the next block are checked against. */
  view (): LedgerView { return viewOf(this.state, this.last.height + 1, this.lastHashValue, this.last.time, this.requirementOf) }

  /** Context-independent + contextual admission check of one transaction against `view`. */
  checkTx (tx: Transaction, view: LedgerView): string | null {
    const h = this.handlers.get(tx.kind)
    if (h === undefined) return `no handler for kind ${tx.kind}`
    if (tx.sequence <= view.lastSequence(tx.sender)) return 'stale sequence'
    const st = view.standingOf(tx.sender)
    if (st === undefined || st.stake < h.req.minStake || st.authority < h.req.minAuthority || ((st.permissions & h.req.permissions) >>> 0) !== (h.req.permissions >>> 0)) return 'insufficient standing'
    const v = this.proofs.check(tx, view)
    if (v === null) return 'invalid proof'
    // Context re-checked on every use (the cache only saves the crypto): deterministic from the chain.
    if (!bytesEqual(v.signer, tx.sender) || v.sequence !== tx.sequence) return 'proof is for another sender or sequence'
    if (!view.isRecentBlock(v.anchor)) return 'proof anchor not in freshness window'
    if (Math.abs(v.timestampMicros / 1000 - view.time) > MAX_CLOCK_SKEW_MS) return 'proof timestamp outside the clock window'
    return null
  }

  private execute (block: Pick<Block, 'height' | 'time'>, txs: readonly Transaction[], strict: boolean): Execution {
    const overlay = new StateOverlay(this.state)
    // Freshness window: record the parent's hash, forget the one that left the window.
    const parentHeight = block.height - 1
    overlay.set(KEY_RECENT + toHex(this.lastHashValue), u64Bytes(parentHeight))
    overlay.set(KEY_RECENT_BY_HEIGHT + String(parentHeight).padStart(16, '0'), this.lastHashValue)
    const old = parentHeight - FRESHNESS_WINDOW
    if (old >= 0) {
      const k = KEY_RECENT_BY_HEIGHT + String(old).padStart(16, '0')
      const oldHash = this.state.get(k)
      if (oldHash !== undefined) { overlay.delete(KEY_RECENT + toHex(oldHash)); overlay.delete(k) }
    }
    const view = viewOf(this.state, block.height, this.lastHashValue, this.last.time, this.requirementOf)
    const included: Transaction[] = []
    const rejected: Array<{ tx: Transaction, reason: string }> = []
    const seqView = viewOf(overlay, block.height, this.lastHashValue, this.last.time, this.requirementOf)
    for (const tx of txs) {
      // Proof and stake/freshness against the pre-block view; sequence against txs before it in this block.
      let reason = this.checkTx(tx, view)
      if (reason === null && tx.sequence <= seqView.lastSequence(tx.sender)) reason = 'stale sequence'
      if (reason === null) {
        const child = overlay.child()
        try {
          this.handlers.get(tx.kind)?.fn({ height: block.height, time: block.time, tx, txHash: txHash(tx), state: new GuardedState(child) })
          child.set(KEY_SEQUENCE + toHex(tx.sender), u64Bytes(tx.sequence))
          overlay.merge(child)
          included.push(tx)
          continue
        } catch (err) {
          reason = `handler rejected: ${(err as Error).message}`
        }
      }
      rejected.push({ tx, reason })
      if (strict) break
    }
    return { overlay, stateRoot: overlay.root(), included, rejected }
  }

  /**
   * Executes `tx` alone on top of the current state and keeps nothing: null
   * when the next block could include it, else the reason it would be
   * dropped (admission or handler). Lets an API answer "refused" at once
   * instead of waiting for a block that will never carry the transaction.
   */
  dryRun (tx: Transaction): string | null {
    const ex = this.execute({ height: this.last.height + 1, time: this.last.time + 1 }, [tx], true)
    return ex.rejected.length > 0 ? ex.rejected[0].reason : null
  }

  /**
   * Builds the next block from candidate transactions (in order), dropping
   * those that fail; the stateRoot is the state after the included ones.
   */
  buildBlock (args: { round: number, proposer: NodeId, time: number, candidates: readonly Transaction[] }): Block {
    const height = this.last.height + 1
    const time = Math.max(args.time, this.last.time + 1)
    const ex = this.execute({ height, time }, args.candidates, false)
    const block: Block = {
      height, parent: this.lastHashValue, round: args.round, proposer: args.proposer, time,
      txRoot: computeTxRoot(ex.included), stateRoot: ex.stateRoot, txs: ex.included
    }
    this.pending.set(toHex(blockHash(block)), ex.overlay)
    return block
  }

  /** Tendermint's valid(v): the block extends our chain and every tx verifies and executes to its stateRoot. */
  validateBlock (block: Block): BlockCheck {
    if (block.height !== this.last.height + 1) return { ok: false, reason: `height ${block.height} is not ${this.last.height + 1}` }
    if (!bytesEqual(block.parent, this.lastHashValue)) return { ok: false, reason: 'parent is not our latest block' }
    if (!(block.time > this.last.time)) return { ok: false, reason: 'time does not advance' }
    if (!bytesEqual(computeTxRoot(block.txs), block.txRoot)) return { ok: false, reason: 'txRoot mismatch' }
    const key = toHex(blockHash(block))
    if (this.pending.has(key)) return { ok: true }
    const seen = new Set<string>()
    for (const tx of block.txs) {
      const h = toHex(txHash(tx))
      if (seen.has(h)) return { ok: false, reason: 'duplicate transaction' }
      seen.add(h)
    }
    const ex = this.execute(block, block.txs, true)
    if (ex.rejected.length > 0) return { ok: false, reason: `tx rejected: ${ex.rejected[0].reason}` }
    if (!bytesEqual(ex.stateRoot, block.stateRoot)) return { ok: false, reason: 'stateRoot mismatch' }
    this.pending.set(key, ex.overlay)
    if (this.pending.size > 64) this.pending.delete(this.pending.keys().next().value as string)
    return { ok: true }
  }

  /** Commits a decided block (validating it first if needed) with its certificate, persisting atomically. */
  async commit (block: Block, cert: CommitCertificate): Promise<void> {
    const writes = this.prepareCommit(block, cert)
    await this.store.put(block, cert, writes)
    this.finishCommit(block, writes)
  }

  /** First half of commit (sync): validate and compute the writes. */
  prepareCommit (block: Block, cert: CommitCertificate): StateWrite[] {
    const hash = blockHash(block)
    if (!bytesEqual(cert.blockHash, hash) || cert.height !== block.height) throw new InvalidArgumentError('certificate is not for this block')
    const check = this.validateBlock(block)
    if (!check.ok) throw new InvalidArgumentError(`cannot commit invalid block ${block.height}: ${check.reason}`)
    const overlay = this.pending.get(toHex(hash)) as StateOverlay
    return overlay.writeList()
  }

  /** Second half of commit, after the store write succeeded. */
  finishCommit (block: Block, writes: readonly StateWrite[]): void {
    this.state.apply(writes)
    this.last = block
    this.lastHashValue = blockHash(block)
    this.pending.clear()
  }

  /** The committed state's entries (for snapshot sync). */
  snapshotEntries (): StateEntry[] { return this.state.entries() }

  /**
   * Replaces the ledger's state with a snapshot at `block.height`, after
   * checking the entries hash to the block's stateRoot and the certificate
   * names the block (the caller has verified the certificate's signatures).
   */
  async installSnapshot (block: Block, cert: CommitCertificate, entries: readonly StateEntry[]): Promise<void> {
    const state = this.checkSnapshot(block, cert, entries)
    await this.store.installSnapshot(block, cert, entries)
    this.adoptSnapshot(block, state)
  }

  /** First half of installSnapshot (sync): the checks; returns the state to adopt. */
  checkSnapshot (block: Block, cert: CommitCertificate, entries: readonly StateEntry[]): LedgerState {
    if (block.height <= this.last.height) throw new InvalidArgumentError('snapshot is not ahead of our ledger')
    if (!bytesEqual(cert.blockHash, blockHash(block)) || cert.height !== block.height) throw new InvalidArgumentError('certificate is not for the snapshot block')
    if (!bytesEqual(computeTxRoot(block.txs), block.txRoot)) throw new InvalidArgumentError('snapshot block txRoot mismatch')
    const state = LedgerState.fromEntries(entries)
    if (!bytesEqual(state.root(), block.stateRoot)) throw new InvalidArgumentError('snapshot entries do not match the certified stateRoot')
    return state
  }

  /** Second half of installSnapshot, after the store holds the snapshot. */
  adoptSnapshot (block: Block, state: LedgerState): void {
    this.state = state
    this.last = block
    this.lastHashValue = blockHash(block)
    this.pending.clear()
  }
}
