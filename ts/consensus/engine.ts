/**
 * Tendermint BFT consensus as a deterministic state machine.
 *
 * Protocol: E. Buchman, J. Kwon, Z. Milosevic, "The latest gossip on BFT
 * consensus" (2018), Algorithm 1. Names follow the paper: heights and rounds,
 * steps propose / prevote / precommit, lockedValue / lockedRound,
 * validValue / validRound, timeoutPropose / timeoutPrevote /
 * timeoutPrecommit, and the upon-rules referenced by their line numbers
 * (22, 28, 34, 36, 44, 47, 49, 55, 57, 61, 65).
 *
 * `handle(event)` consumes one event (a message's bytes, a timeout, a block the
 * host built or validated, a sync result) and returns actions for the host
 * (sign-and-broadcast, schedule-timeout, build-block, validate-block,
 * persist, commit, request-sync). The engine does no I/O, reads no clock
 * (time arrives in events) and uses no randomness: signing happens in the
 * host (FALCON signing is randomised), which loops the signed message back
 * as a `receive` event. Identical event sequences give identical actions.
 */
import { DecodeError } from '../errors.ts'
import {
  Reader, Writer, blockHash, bytesEqual, readBlock, toHex, writeBlock,
  type Block, type CommitCertificate
} from '../ledger/index.ts'
import { buildCommitCertificate, type SignatureVerify } from './certificate.ts'
import { DEFAULT_TIMEOUTS, DOMAIN_PROPOSAL, DOMAIN_VOTE, MAX_FUTURE_ROUNDS, MAX_NEXT_HEIGHT_BUFFER, MAX_PROPOSALS_PER_ROUND } from './constants.ts'
import {
  decodeMessage, encodeMessage, proposalSignBytes, voteSignBytes,
  type ConsensusMessage, type Proposal, type ProposalBody, type Vote, type VoteBody, type VoteType
} from './messages.ts'
import type { UnsafeTestOptions, ValidatorSet } from './validators.ts'

export type Step = 'propose' | 'prevote' | 'precommit'
export type TimeoutKind = 'propose' | 'prevote' | 'precommit' | 'commit' | 'rebroadcast'

export interface Timeouts { propose: number, prevote: number, precommit: number, delta: number, commit: number, rebroadcast: number, sync: number }

export interface EngineConfig {
  chainId: string
  validators: ValidatorSet
  /** Our validator index, or -1 for a non-voting observer. */
  self: number
  verify: SignatureVerify
  timeouts?: Partial<Timeouts>
  /** Test-only protocol breakage; never set outside tests. */
  unsafe?: UnsafeTestOptions
}

export type EngineEvent =
  | { type: 'start', now: number }
  | { type: 'receive', bytes: Uint8Array, now: number }
  | { type: 'timeout', kind: TimeoutKind, height: number, round: number, now: number }
  | { type: 'block-built', height: number, round: number, block: Block, now: number }
  | { type: 'block-validated', hash: Uint8Array, valid: boolean, now: number }
  /** The ledger reached `height` by state sync (blocks or snapshot); consensus moves to height + 1. */
  | { type: 'synced', height: number, time: number, now: number }

export type EngineAction =
  /** Sign `body` (domain per type), send it to every peer and feed it back to this engine as `receive`. */
  | { type: 'sign-and-broadcast', body: ProposalBody | VoteBody, domain: string, signBytes: Uint8Array }
  /** Re-send already signed messages of ours. */
  | { type: 'broadcast', messages: Uint8Array[] }
  | { type: 'schedule-timeout', kind: TimeoutKind, height: number, round: number, after: number }
  /** Tendermint's getValue(): build a block for (height, round), answer with `block-built`. */
  | { type: 'build-block', height: number, round: number, time: number }
  /** Tendermint's valid(v): check the block, answer with `block-validated`. */
  | { type: 'validate-block', block: Block }
  /** Store the write-ahead record BEFORE performing any later action. */
  | { type: 'persist', wal: Uint8Array }
  /** A decision: store block + certificate atomically and apply it. */
  | { type: 'commit', block: Block, cert: CommitCertificate }
  /** We saw a validator at a higher height: fetch certified blocks from it starting at `fromHeight`. */
  | { type: 'request-sync', validator: number, fromHeight: number }

export interface EngineStats {
  malformed: number
  badSignatures: number
  equivocations: number
  ignored: number
}

interface SignedRecord { kind: 'proposal' | VoteType, round: number, value: Uint8Array | null, polRound: number, block: Block | null }

const NIL = 'nil'
/** Distinct votes kept per validator per (type, round): more is only ever Byzantine. */
const MAX_VOTES_PER_VALIDATOR = 3

/** Tendermint engine for one validator (or observer). */
export class TendermintEngine {
  readonly config: EngineConfig
  private readonly vs: ValidatorSet
  private readonly t: Timeouts

  // Algorithm 1 state variables.
  height: number
  round = -1
  step: Step = 'propose'
  lockedValue: Block | null = null
  lockedRound = -1
  validValue: Block | null = null
  validRound = -1

  // Message log of the current height.
  private proposals = new Map<number, Proposal[]>()
  private votes = new Map<string, Map<number, Vote[]>>()
  private blocks = new Map<string, Block>()
  private validity = new Map<string, boolean | 'pending'>()
  private once = new Set<string>()
  private signed: SignedRecord[] = []
  private nextHeightBuffer: Uint8Array[] = []
  private lastSyncRequest = -Infinity
  private lastTime: number
  private decided = false
  readonly stats: EngineStats = { malformed: 0, badSignatures: 0, equivocations: 0, ignored: 0 }
  /** Equivocations counted per validator (NodeId hex; bounded by the validator set), for evidence and metrics. */
  readonly equivocationsBy = new Map<string, number>()
  /** Decisions made by this engine (height -> block hash hex), for observers. */
  lastDecision: { height: number, hash: Uint8Array } | null = null

  /**
   * @param height the height to decide next (ledger height + 1)
   * @param lastTime time of the latest finalized block (proposals carry a later time)
   */
  constructor (config: EngineConfig, height: number, lastTime: number) {
    this.config = config
    this.vs = config.validators
    this.t = { ...DEFAULT_TIMEOUTS, ...config.timeouts }
    this.height = height
    this.lastTime = lastTime
  }

  /** Rebuilds an engine from its write-ahead record; a record for an older height than `height` is ignored. */
  static restore (config: EngineConfig, wal: Uint8Array | undefined, height: number, lastTime: number): TendermintEngine {
    const e = new TendermintEngine(config, height, lastTime)
    if (wal === undefined) return e
    let rec: ReturnType<typeof decodeWal>
    try { rec = decodeWal(wal) } catch { return e }
    if (rec.height !== height) return e
    e.round = rec.round; e.step = rec.step
    e.lockedValue = rec.lockedValue; e.lockedRound = rec.lockedRound
    e.validValue = rec.validValue; e.validRound = rec.validRound
    e.signed = rec.signed
    for (const b of [rec.lockedValue, rec.validValue, ...rec.signed.map((s) => s.block)]) {
      if (b !== null) { const k = toHex(hashOf(b)); e.blocks.set(k, b); e.validity.set(k, true) }
    }
    return e
  }

  get proposer (): number { return this.vs.proposer(this.height, Math.max(0, this.round)) }

  timeoutPropose (r: number): number { return this.t.propose + r * this.t.delta }
  timeoutPrevote (r: number): number { return this.t.prevote + r * this.t.delta }
  timeoutPrecommit (r: number): number { return this.t.precommit + r * this.t.delta }

  /** Consumes one event; returns the actions the host must perform, in order. */
  handle (ev: EngineEvent): EngineAction[] {
    const out: EngineAction[] = []
    switch (ev.type) {
      case 'start':
        if (this.round < 0) {
          this.startRound(0, ev.now, out)
          out.push({ type: 'schedule-timeout', kind: 'rebroadcast', height: this.height, round: 0, after: this.t.rebroadcast })
        } else this.resumeRound(ev.now, out)
        break
      case 'receive':
        this.onReceive(ev.bytes, ev.now, out)
        break
      case 'timeout':
        this.onTimeout(ev, out)
        break
      case 'block-built':
        this.onBlockBuilt(ev.height, ev.round, ev.block, out)
        break
      case 'block-validated': {
        const k = toHex(ev.hash)
        if (this.validity.get(k) === 'pending') this.validity.set(k, ev.valid)
        break
      }
      case 'synced':
        if (ev.height >= this.height) {
          this.lastTime = Math.max(this.lastTime, ev.time)
          this.enterHeight(ev.height + 1, ev.now, out, false)
        }
        break
    }
    this.runRules(ev.now, out)
    return out
  }

  // ---- message intake -------------------------------------------------

  private onReceive (bytes: Uint8Array, now: number, out: EngineAction[]): void {
    let m
    try { m = decodeMessage(bytes) } catch (err) {
      if ((err as Error).name === 'DecodeError' || err instanceof DecodeError) { this.stats.malformed++; return }
      this.stats.malformed++; return
    }
    if (m.type !== 'proposal' && m.type !== 'prevote' && m.type !== 'precommit') { this.stats.ignored++; return }
    if (m.validator >= this.vs.size) { this.stats.ignored++; return }
    if (m.height < this.height) { this.stats.ignored++; return }
    if (m.height > this.height) {
      if (!this.checkSignature(m)) return
      if (m.height === this.height + 1 && this.nextHeightBuffer.length < MAX_NEXT_HEIGHT_BUFFER) this.nextHeightBuffer.push(bytes)
      if (now - this.lastSyncRequest >= this.t.sync) {
        this.lastSyncRequest = now
        out.push({ type: 'request-sync', validator: m.validator, fromHeight: this.height })
      }
      return
    }
    if (m.round > Math.max(0, this.round) + MAX_FUTURE_ROUNDS) { this.stats.ignored++; return }
    this.accept(m, out)
  }

  private checkSignature (m: ConsensusMessage): boolean {
    const pk = this.vs.validators[m.validator].publicKey
    let ok: boolean
    if (m.type === 'proposal') {
      ok = this.config.verify(pk, DOMAIN_PROPOSAL, proposalSignBytes(this.config.chainId, m, hashOf(m.block)), m.signature)
    } else {
      ok = this.config.verify(pk, DOMAIN_VOTE, voteSignBytes(this.config.chainId, m), m.signature)
    }
    if (!ok) this.stats.badSignatures++
    return ok
  }

  private equivocated (validator: number): void {
    this.stats.equivocations++
    const v = this.vs.validators[validator]
    if (v === undefined) return
    const k = toHex(v.nodeId)
    this.equivocationsBy.set(k, (this.equivocationsBy.get(k) ?? 0) + 1)
  }

  /** Adds a current-height message to the log (after signature and role checks). */
  private accept (m: ConsensusMessage, out: EngineAction[]): void {
    if (m.type === 'proposal') {
      if (m.validator !== this.vs.proposer(m.height, m.round) || m.block.height !== m.height || m.polRound >= m.round) { this.stats.ignored++; return }
      const list = this.proposals.get(m.round) ?? []
      const h = hashOf(m.block)
      if (list.some((p) => bytesEqual(hashOf(p.block), h) && p.polRound === m.polRound)) return
      if (list.length >= MAX_PROPOSALS_PER_ROUND) { this.equivocated(m.validator); return }
      if (!this.checkSignature(m)) return
      if (list.length > 0) this.equivocated(m.validator)
      list.push(m)
      this.proposals.set(m.round, list)
      const k = toHex(h)
      if (!this.blocks.has(k)) this.blocks.set(k, m.block)
      if (!this.validity.has(k)) {
        this.validity.set(k, 'pending')
        out.push({ type: 'validate-block', block: m.block })
      }
      return
    }
    const key = `${m.type}/${m.round}`
    let byVal = this.votes.get(key)
    const prev = byVal?.get(m.validator) ?? []
    if (prev.some((p) => sameValue(p.value, m.value))) return
    // An equivocating validator's votes are kept per value (bounded): counting a Byzantine vote
    // in two tallies is safe (two 2f+1 quorums still share an honest validator), and dropping
    // all but the first would let equivocators split honest views and stall the protocol.
    if (prev.length >= MAX_VOTES_PER_VALIDATOR) { this.equivocated(m.validator); return }
    if (!this.checkSignature(m)) return
    if (prev.length > 0) this.equivocated(m.validator)
    if (byVal === undefined) { byVal = new Map(); this.votes.set(key, byVal) }
    byVal.set(m.validator, [...prev, m])
  }

  // ---- Algorithm 1 ----------------------------------------------------

  /** StartRound(round): lines 11-21. */
  private startRound (round: number, now: number, out: EngineAction[]): void {
    this.round = round
    this.step = 'propose'
    this.persist(out)
    if (this.vs.proposer(this.height, round) === this.config.self) {
      const own = this.signed.find((s) => s.kind === 'proposal' && s.round === round)
      if (own !== undefined && own.block !== null) {
        this.signProposal(own.block, own.polRound, out, false)
      } else if (this.validValue !== null) {
        this.signProposal(this.validValue, this.validRound, out, true)
      } else {
        out.push({ type: 'build-block', height: this.height, round, time: Math.max(now, this.lastTime + 1) })
      }
    }
    out.push({ type: 'schedule-timeout', kind: 'propose', height: this.height, round, after: this.timeoutPropose(round) })
  }

  /**
   * After a restart: re-arm timeoutPropose of the round we were in and re-send
   * what we signed. The prevote/precommit timers re-arm through lines 34/47
   * as peers' rebroadcasts arrive; leaving the round any other way could
   * strand the others below 2f+1 precommits (found by the simulator).
   */
  private resumeRound (now: number, out: EngineAction[]): void {
    const r = this.round
    out.push({ type: 'schedule-timeout', kind: 'propose', height: this.height, round: r, after: this.timeoutPropose(r) })
    this.rebroadcast(out)
    out.push({ type: 'schedule-timeout', kind: 'rebroadcast', height: this.height, round: 0, after: this.t.rebroadcast })
    if (this.step === 'propose' && this.vs.proposer(this.height, r) === this.config.self && !this.signed.some((s) => s.kind === 'proposal' && s.round === r)) {
      if (this.validValue !== null) this.signProposal(this.validValue, this.validRound, out, true)
      else out.push({ type: 'build-block', height: this.height, round: r, time: Math.max(now, this.lastTime + 1) })
    }
  }

  private onBlockBuilt (height: number, round: number, block: Block, out: EngineAction[]): void {
    // getValue() answered: only still useful if we are proposing in that round and did not propose yet.
    if (height !== this.height || round !== this.round || this.step !== 'propose') return
    if (this.vs.proposer(height, round) !== this.config.self) return
    if (this.signed.some((s) => s.kind === 'proposal' && s.round === round)) return
    const k = toHex(hashOf(block))
    this.blocks.set(k, block)
    this.validity.set(k, true)
    this.signProposal(block, -1, out, true)
  }

  private signProposal (block: Block, polRound: number, out: EngineAction[], record: boolean): void {
    if (record) {
      this.signed.push({ kind: 'proposal', round: this.round, value: hashOf(block), polRound, block })
      this.persist(out)
    }
    const body: ProposalBody = { type: 'proposal', height: this.height, round: this.round, polRound, block, validator: this.config.self }
    out.push({ type: 'sign-and-broadcast', body, domain: DOMAIN_PROPOSAL, signBytes: proposalSignBytes(this.config.chainId, body, hashOf(block)) })
  }

  /** Broadcasts our vote unless we already signed one for (type, round): never two different votes. */
  private castVote (type: VoteType, value: Block | null, out: EngineAction[]): void {
    if (this.config.self < 0) return
    if (this.signed.some((s) => s.kind === type && s.round === this.round)) return
    const v = value === null ? null : hashOf(value)
    this.signed.push({ kind: type, round: this.round, value: v, polRound: -1, block: null })
    this.persist(out)
    this.emitVote(type, this.round, v, out)
  }

  private emitVote (type: VoteType, round: number, value: Uint8Array | null, out: EngineAction[]): void {
    const body: VoteBody = { type, height: this.height, round, value, validator: this.config.self }
    out.push({ type: 'sign-and-broadcast', body, domain: DOMAIN_VOTE, signBytes: voteSignBytes(this.config.chainId, body) })
  }

  private onTimeout (ev: Extract<EngineEvent, { type: 'timeout' }>, out: EngineAction[]): void {
    if (ev.height !== this.height) return
    switch (ev.kind) {
      case 'propose': // line 57
        if (ev.round === this.round && this.step === 'propose') { this.castVote('prevote', null, out); this.step = 'prevote'; this.persist(out) }
        break
      case 'prevote': // line 61
        if (ev.round === this.round && this.step === 'prevote') { this.castVote('precommit', null, out); this.step = 'precommit'; this.persist(out) }
        break
      case 'precommit': // line 65
        if (ev.round === this.round) this.startRound(this.round + 1, ev.now, out)
        break
      case 'commit':
        if (this.round < 0) this.startRound(0, ev.now, out)
        break
      case 'rebroadcast':
        this.rebroadcast(out)
        out.push({ type: 'schedule-timeout', kind: 'rebroadcast', height: this.height, round: 0, after: this.t.rebroadcast })
        break
    }
  }

  /** Our own signed messages of this height, re-sent for lossy links (signatures re-made by the host for records without a copy), and relayed ones. */
  private rebroadcast (out: EngineAction[]): void {
    if (this.config.self < 0) return
    const msgs: Uint8Array[] = []
    for (const s of this.signed) {
      if (s.kind === 'proposal') {
        const p = (this.proposals.get(s.round) ?? []).find((x) => x.validator === this.config.self && s.value !== null && bytesEqual(hashOf(x.block), s.value))
        if (p !== undefined) msgs.push(encodeMessage(p))
        else if (s.block !== null) {
          const body: ProposalBody = { type: 'proposal', height: this.height, round: s.round, polRound: s.polRound, block: s.block, validator: this.config.self }
          out.push({ type: 'sign-and-broadcast', body, domain: DOMAIN_PROPOSAL, signBytes: proposalSignBytes(this.config.chainId, body, hashOf(s.block)) })
        }
      } else {
        const v = this.votes.get(`${s.kind}/${s.round}`)?.get(this.config.self)?.find((x) => sameValue(x.value, s.value))
        if (v !== undefined) msgs.push(encodeMessage(v))
        else this.emitVote(s.kind, s.round, s.value, out)
      }
    }
    // Gossip (the paper assumes a message one honest process received reaches all of them):
    // relay what others sent for the rounds that matter — the current and previous round and
    // the rounds of our lock and valid value (their prevotes are the proof-of-lock a proposal cites).
    const rounds = new Set([this.round, this.round - 1, this.lockedRound, this.validRound].filter((r) => r >= 0))
    for (const r of rounds) {
      for (const p of this.proposals.get(r) ?? []) if (p.validator !== this.config.self) msgs.push(encodeMessage(p))
      for (const t of ['prevote', 'precommit'] as const) {
        for (const vs of this.votes.get(`${t}/${r}`)?.values() ?? []) for (const v of vs) if (v.validator !== this.config.self) msgs.push(encodeMessage(v))
      }
    }
    if (msgs.length > 0) out.push({ type: 'broadcast', messages: msgs })
  }

  private isValid (b: Block): boolean | 'pending' | undefined { return this.validity.get(toHex(hashOf(b))) }

  /** Power of the votes of `type` in `round` for `value` (hex or 'nil'), or of all of them when value is undefined. */
  private power (type: VoteType, round: number, value?: string): number {
    const m = this.votes.get(`${type}/${round}`)
    if (m === undefined) return 0
    let p = 0
    for (const [validator, vs] of m) {
      if (value === undefined || vs.some((v) => (v.value === null ? NIL : toHex(v.value)) === value)) p += this.vs.validators[validator].power
    }
    return p
  }

  private firstProposal (round: number): Proposal | undefined { return this.proposals.get(round)?.[0] }

  private blockFor (round: number, hex: string): Block | undefined {
    const p = (this.proposals.get(round) ?? []).find((x) => toHex(hashOf(x.block)) === hex)
    return p?.block
  }

  private locksAllow (v: Block, polRound: number): boolean {
    if (this.config.unsafe?.ignoreLock === true) return true
    const sameAsLock = this.lockedValue !== null && bytesEqual(hashOf(this.lockedValue), hashOf(v))
    if (polRound < 0) return this.lockedRound === -1 || sameAsLock
    return this.lockedRound <= polRound || sameAsLock
  }

  /** Evaluates the upon-rules until none fires. */
  private runRules (now: number, out: EngineAction[]): void {
    for (let guard = 0; guard < 1000; guard++) {
      if (!this.applyOneRule(now, out)) return
    }
  }

  private applyOneRule (now: number, out: EngineAction[]): boolean {
    const q = this.vs.quorum
    const h = this.height
    const r = this.round

    // Line 49: decide on a proposal with 2f+1 precommits in any round.
    if (!this.decided) {
      for (const key of this.votes.keys()) {
        if (!key.startsWith('precommit/')) continue
        const pr = Number(key.slice('precommit/'.length))
        for (const hex of this.valuesOf('precommit', pr)) {
          if (hex === NIL || this.power('precommit', pr, hex) < q) continue
          const v = this.blockFor(pr, hex)
          if (v === undefined) continue
          const valid = this.isValid(v)
          if (valid !== true) continue
          this.decide(v, pr, now, out)
          return true
        }
      }
    }

    // Line 55: f+1 messages of a higher round (also ends the timeoutCommit wait, round -1).
    if (this.rule55(now, out)) return true
    if (r < 0) return false

    const prop = this.firstProposal(r)
    if (this.step === 'propose' && prop !== undefined) {
      const v = prop.block
      const valid = this.isValid(v)
      if (valid === 'pending' || valid === undefined) {
        // wait for valid(v)
      } else if (prop.polRound === -1) {
        // Line 22.
        this.castVote('prevote', valid && this.locksAllow(v, -1) ? v : null, out)
        this.step = 'prevote'; this.persist(out)
        return true
      } else if (prop.polRound < r && this.power('prevote', prop.polRound, toHex(hashOf(v))) >= q) {
        // Line 28.
        this.castVote('prevote', valid && this.locksAllow(v, prop.polRound) ? v : null, out)
        this.step = 'prevote'; this.persist(out)
        return true
      }
    }

    // Line 34: 2f+1 prevotes of any kind, step = prevote, first time.
    if (this.step === 'prevote' && this.power('prevote', r) >= q && this.first(`34/${r}`)) {
      out.push({ type: 'schedule-timeout', kind: 'prevote', height: h, round: r, after: this.timeoutPrevote(r) })
      return true
    }

    // Line 36: proposal + 2f+1 prevotes for it, valid, step ≥ prevote, first time.
    if (this.step !== 'propose' && !this.once.has(`36/${r}`)) {
      for (const p of this.proposals.get(r) ?? []) {
        const hex = toHex(hashOf(p.block))
        if (this.power('prevote', r, hex) >= q && this.isValid(p.block) === true) {
          this.once.add(`36/${r}`)
          if (this.step === 'prevote') {
            this.lockedValue = p.block; this.lockedRound = r
            this.castVote('precommit', p.block, out)
            this.step = 'precommit'
          }
          this.validValue = p.block; this.validRound = r
          this.persist(out)
          return true
        }
      }
    }

    // Line 44: 2f+1 prevote nil.
    if (this.step === 'prevote' && this.power('prevote', r, NIL) >= q) {
      this.castVote('precommit', null, out)
      this.step = 'precommit'; this.persist(out)
      return true
    }

    // Line 47: 2f+1 precommits of any kind, first time.
    if (this.power('precommit', r) >= q && this.first(`47/${r}`)) {
      out.push({ type: 'schedule-timeout', kind: 'precommit', height: h, round: r, after: this.timeoutPrecommit(r) })
      return true
    }
    return false
  }

  private rule55 (now: number, out: EngineAction[]): boolean {
    let best = -1
    const rounds = new Set<number>()
    for (const r of this.proposals.keys()) rounds.add(r)
    for (const key of this.votes.keys()) rounds.add(Number(key.slice(key.indexOf('/') + 1)))
    for (const rr of rounds) {
      if (rr <= this.round || rr <= best) continue
      const senders = new Set<number>()
      for (const p of this.proposals.get(rr) ?? []) senders.add(p.validator)
      for (const t of ['prevote', 'precommit'] as const) for (const i of this.votes.get(`${t}/${rr}`)?.keys() ?? []) senders.add(i)
      if (this.vs.powerOf(senders) >= this.vs.fPlusOne) best = rr
    }
    if (best < 0) return false
    this.startRound(best, now, out)
    return true
  }

  private valuesOf (type: VoteType, round: number): Set<string> {
    const s = new Set<string>()
    for (const vs of this.votes.get(`${type}/${round}`)?.values() ?? []) for (const v of vs) s.add(v.value === null ? NIL : toHex(v.value))
    return s
  }

  private first (flag: string): boolean {
    if (this.once.has(flag)) return false
    this.once.add(flag); return true
  }

  private decide (v: Block, round: number, now: number, out: EngineAction[]): void {
    const hash = hashOf(v)
    const precommits = [...this.votes.get(`precommit/${round}`)?.values() ?? []].flat()
    const cert = buildCommitCertificate(this.height, round, hash, precommits)
    this.decided = true
    this.lastDecision = { height: this.height, hash }
    out.push({ type: 'commit', block: v, cert })
    this.lastTime = v.time
    this.enterHeight(this.height + 1, now, out, true)
  }

  /** Lines 49-54 (after the decision) and sync: reset the per-height variables and wait timeoutCommit. */
  private enterHeight (height: number, now: number, out: EngineAction[], replay: boolean): void {
    const buffered = this.height + 1 === height ? this.nextHeightBuffer : []
    this.height = height
    this.round = -1
    this.step = 'propose'
    this.lockedValue = null; this.lockedRound = -1
    this.validValue = null; this.validRound = -1
    this.proposals = new Map(); this.votes = new Map(); this.blocks = new Map(); this.validity = new Map()
    this.once = new Set(); this.signed = []; this.nextHeightBuffer = []
    this.decided = false
    this.persist(out)
    out.push({ type: 'schedule-timeout', kind: 'commit', height, round: 0, after: replay ? this.t.commit : 0 })
    out.push({ type: 'schedule-timeout', kind: 'rebroadcast', height, round: 0, after: this.t.rebroadcast })
    for (const b of buffered) this.onReceive(b, now, out)
  }

  /** Called by the host when the ledger moved (block time of the latest block). */
  noteLastTime (time: number): void { this.lastTime = Math.max(this.lastTime, time) }

  private persist (out: EngineAction[]): void {
    out.push({ type: 'persist', wal: encodeWal(this) })
  }

  /** @internal for encodeWal */
  get signedRecords (): readonly SignedRecord[] { return this.signed }
}

const hashMemo = new WeakMap<Block, Uint8Array>()
/** Block hash memoised per block object (blocks are never mutated after decoding or building). */
function hashOf (b: Block): Uint8Array {
  let h = hashMemo.get(b)
  if (h === undefined) { h = blockHash(b); hashMemo.set(b, h) }
  return h
}

function sameValue (a: Uint8Array | null, b: Uint8Array | null): boolean {
  return a === null ? b === null : b !== null && bytesEqual(a, b)
}

const STEPS: Step[] = ['propose', 'prevote', 'precommit']
const KINDS = ['proposal', 'prevote', 'precommit'] as const
const MAX_WAL_RECORDS = 4096

/** Write-ahead record: height, round, step, locks and what we signed this height. */
export function encodeWal (e: TendermintEngine): Uint8Array {
  const w = new Writer(512)
  w.string('hypermesh/consensus-wal/v1', 32).u64(e.height).u32(e.round + 1).u8(STEPS.indexOf(e.step)).u32(e.lockedRound + 1).u32(e.validRound + 1)
  if (e.lockedValue === null) w.u8(0); else { w.u8(1); writeBlock(w, e.lockedValue) }
  if (e.validValue === null) w.u8(0); else { w.u8(1); writeBlock(w, e.validValue) }
  const recs = e.signedRecords
  w.uvarint(recs.length)
  for (const s of recs) {
    w.u8(KINDS.indexOf(s.kind)).u32(s.round).u32(s.polRound + 1)
    if (s.value === null) w.u8(0); else w.u8(1).fixed(s.value, 32)
    if (s.block === null) w.u8(0); else { w.u8(1); writeBlock(w, s.block) }
  }
  return w.finish()
}

export function decodeWal (bytes: Uint8Array): { height: number, round: number, step: Step, lockedRound: number, validRound: number, lockedValue: Block | null, validValue: Block | null, signed: SignedRecord[] } {
  const r = new Reader(bytes, 'consensus WAL')
  if (r.string(32) !== 'hypermesh/consensus-wal/v1') throw new DecodeError('consensus WAL: bad magic')
  const height = r.u64(); const round = r.u32() - 1
  const step = STEPS[r.u8()]
  if (step === undefined) throw new DecodeError('consensus WAL: bad step')
  const lockedRound = r.u32() - 1; const validRound = r.u32() - 1
  const lockedValue = r.bool() ? readBlock(r) : null
  const validValue = r.bool() ? readBlock(r) : null
  const n = r.count(MAX_WAL_RECORDS)
  const signed: SignedRecord[] = []
  for (let i = 0; i < n; i++) {
    const kind = KINDS[r.u8()]
    if (kind === undefined) throw new DecodeError('consensus WAL: bad record kind')
    const rr = r.u32(); const polRound = r.u32() - 1
    const value = r.bool() ? r.fixed(32) : null
    const block = r.bool() ? readBlock(r) : null
    signed.push({ kind, round: rr, polRound, value, block })
  }
  r.end()
  return { height, round, step, lockedRound, validRound, lockedValue, validValue, signed }
}
