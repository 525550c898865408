import { describe, expect, it } from 'vitest'
import { blockHash, bytesEqual, toHex } from '../../ts/ledger/index.ts'
import { TendermintEngine, verifyCommitCertificate } from '../../ts/consensus/index.ts'
import { Driver, fixture, makeBlock, proposalBytes, voteBytes, votesCast } from './_fixture.ts'

// Height 1: proposer(1, r) = (1 + r) mod 4 -> round 0: v1, round 1: v2, round 2: v3, round 3: v0.
const hex = (v: Uint8Array | null): string => v === null ? 'nil' : Buffer.from(v).toString('hex')

describe('Tendermint upon-rules (Buchman, Kwon, Milosevic 2018)', () => {
  const fx = fixture()
  const A = makeBlock(1, 1)
  const B = makeBlock(1, 2)

  /** Engine v0 locked on A in round 0 (lines 22 + 36), then moved to round 1 by timeoutPrecommit (lines 47, 65). */
  function lockedOnA (): Driver {
    const d = new Driver(fx, 0)
    d.start()
    d.receive(proposalBytes(fx, 1, 1, 0, A))
    d.receive(voteBytes(fx, 1, 'prevote', 1, 0, A))
    const acts = d.receive(voteBytes(fx, 2, 'prevote', 1, 0, A))
    expect(votesCast(acts, 'precommit').map((v) => hex(v.value))).toEqual([hex(blockHash(A))])
    expect(d.engine.lockedRound).toBe(0)
    expect(bytesEqual(blockHash(d.engine.lockedValue!), blockHash(A))).toBe(true)
    expect(d.engine.validRound).toBe(0)
    d.receive(voteBytes(fx, 1, 'precommit', 1, 0, null))
    const a47 = d.receive(voteBytes(fx, 2, 'precommit', 1, 0, null))
    expect(a47.some((a) => a.type === 'schedule-timeout' && a.kind === 'precommit' && a.round === 0)).toBe(true)
    d.timeout('precommit', 0)
    expect(d.engine.round).toBe(1)
    return d
  }

  it('line 22: prevotes id(v) for a valid proposal and nil for an invalid one', () => {
    const d = new Driver(fx, 0)
    d.start()
    expect(votesCast(d.receive(proposalBytes(fx, 1, 1, 0, A)), 'prevote')).toEqual([{ round: 0, value: blockHash(A) }])
    expect(d.engine.step).toBe('prevote')

    const bad = new Driver(fx, 0)
    bad.validity = () => false
    bad.start()
    expect(votesCast(bad.receive(proposalBytes(fx, 1, 1, 0, A)), 'prevote')).toEqual([{ round: 0, value: null }])
  })

  it('line 22 with a lock: prevote nil for another value, id(v) for the locked value', () => {
    const d = lockedOnA()
    // round 1, proposer v2 proposes B with validRound -1: locked on A -> nil
    expect(votesCast(d.receive(proposalBytes(fx, 2, 1, 1, B)), 'prevote')).toEqual([{ round: 1, value: null }])
    const e = lockedOnA()
    expect(votesCast(e.receive(proposalBytes(fx, 2, 1, 1, A)), 'prevote')).toEqual([{ round: 1, value: blockHash(A) }])
  })

  it('line 28: a proposal carrying a POL from a round ≥ lockedRound is prevoted even when locked on another value', () => {
    const d = lockedOnA()
    // 2f+1 prevotes for B in round 1 (v1, v2, v3): a proof-of-lock for B at round 1.
    for (const v of [1, 2, 3]) d.receive(voteBytes(fx, v, 'prevote', 1, 1, B))
    // round 2: proposer v3 re-proposes B with validRound 1; f+1 round-2 messages take us there (line 55).
    d.receive(proposalBytes(fx, 3, 1, 2, B, 1))
    const acts = d.receive(voteBytes(fx, 1, 'prevote', 1, 2, B))
    expect(d.engine.round).toBe(2)
    expect(votesCast(d.log, 'prevote').filter((v) => v.round === 2)).toEqual([{ round: 2, value: blockHash(B) }])
    expect(acts.length).toBeGreaterThan(0)
  })

  it('line 28 needs the POL: without 2f+1 prevotes for v at validRound, a locked node waits and prevotes nil on timeoutPropose', () => {
    const d = lockedOnA()
    d.receive(voteBytes(fx, 1, 'prevote', 1, 1, B)) // only one prevote for B in round 1
    d.receive(proposalBytes(fx, 3, 1, 2, B, 1))
    d.receive(voteBytes(fx, 1, 'prevote', 1, 2, null))
    expect(d.engine.round).toBe(2)
    expect(votesCast(d.log, 'prevote').filter((v) => v.round === 2)).toEqual([])
    d.timeout('propose', 2)
    expect(votesCast(d.log, 'prevote').filter((v) => v.round === 2)).toEqual([{ round: 2, value: null }])
  })

  it('ignoring the lock (test-only unsafe option) prevotes the other value: the rule is what makes the difference', () => {
    const d = new Driver(fx, 0, { unsafe: { ignoreLock: true } })
    d.start()
    d.receive(proposalBytes(fx, 1, 1, 0, A))
    d.receive(voteBytes(fx, 1, 'prevote', 1, 0, A))
    d.receive(voteBytes(fx, 2, 'prevote', 1, 0, A))
    d.receive(voteBytes(fx, 1, 'precommit', 1, 0, null))
    d.receive(voteBytes(fx, 2, 'precommit', 1, 0, null))
    d.timeout('precommit', 0)
    expect(votesCast(d.receive(proposalBytes(fx, 2, 1, 1, B)), 'prevote')).toEqual([{ round: 1, value: blockHash(B) }])
  })

  it('line 44: 2f+1 prevote nil -> precommit nil', () => {
    const d = new Driver(fx, 0)
    d.start()
    d.timeout('propose', 0) // line 57: prevote nil
    d.receive(voteBytes(fx, 1, 'prevote', 1, 0, null))
    const acts = d.receive(voteBytes(fx, 2, 'prevote', 1, 0, null))
    expect(votesCast(acts, 'precommit')).toEqual([{ round: 0, value: null }])
    expect(d.engine.step).toBe('precommit')
  })

  it('timeouts and round change: 57 (propose), 34 + 61 (prevote), 47 + 65 (precommit)', () => {
    const d = new Driver(fx, 0)
    const start = d.start()
    expect(start.some((a) => a.type === 'schedule-timeout' && a.kind === 'propose' && a.round === 0 && a.after === d.engine.timeoutPropose(0))).toBe(true)
    expect(votesCast(d.timeout('propose', 0), 'prevote')).toEqual([{ round: 0, value: null }])
    d.receive(voteBytes(fx, 1, 'prevote', 1, 0, A))
    const a34 = d.receive(voteBytes(fx, 2, 'prevote', 1, 0, B)) // 2f+1 prevotes, no value has 2f+1
    expect(a34.filter((a) => a.type === 'schedule-timeout' && a.kind === 'prevote')).toHaveLength(1)
    expect(votesCast(a34, 'precommit')).toEqual([])
    expect(votesCast(d.timeout('prevote', 0), 'precommit')).toEqual([{ round: 0, value: null }])
    // stale timeouts do nothing
    expect(d.timeout('prevote', 0)).toEqual([])
    d.receive(voteBytes(fx, 1, 'precommit', 1, 0, null))
    const a47 = d.receive(voteBytes(fx, 2, 'precommit', 1, 0, B))
    expect(a47.filter((a) => a.type === 'schedule-timeout' && a.kind === 'precommit')).toHaveLength(1)
    d.timeout('precommit', 0)
    expect(d.engine.round).toBe(1)
    expect(d.engine.step).toBe('propose')
    // timeouts grow with the round
    expect(d.engine.timeoutPropose(3)).toBeGreaterThan(d.engine.timeoutPropose(0))
  })

  it('line 55: f+1 messages of a higher round make the node skip to it', () => {
    const d = new Driver(fx, 0)
    d.start()
    d.receive(voteBytes(fx, 1, 'prevote', 1, 5, null))
    expect(d.engine.round).toBe(0) // one validator (≤ f) is not enough
    d.receive(voteBytes(fx, 2, 'precommit', 1, 5, null))
    expect(d.engine.round).toBe(5)
  })

  it('line 49: proposal + 2f+1 precommits decide, with a commit certificate anyone verifies', () => {
    const d = new Driver(fx, 0)
    d.start()
    d.receive(proposalBytes(fx, 1, 1, 0, A))
    for (const v of [1, 2]) d.receive(voteBytes(fx, v, 'precommit', 1, 0, A))
    const acts = d.receive(voteBytes(fx, 3, 'precommit', 1, 0, A))
    const commit = acts.find((a) => a.type === 'commit')
    expect(commit?.type).toBe('commit')
    if (commit?.type !== 'commit') return
    expect(bytesEqual(blockHash(commit.block), blockHash(A))).toBe(true)
    expect(commit.cert.signatures.map((s) => s.validator)).toEqual([1, 2, 3])
    expect(verifyCommitCertificate(commit.cert, fx.vs, fx.chainId, fx.crypto.verify, { height: 1, blockHash: blockHash(A) })).toEqual({ ok: true })
    expect(d.engine.height).toBe(2)
    expect(d.engine.lockedRound).toBe(-1)
  })

  it('the proposer builds a block (getValue) and later re-proposes validValue with validRound', () => {
    // height 1, round 3: proposer is v0.
    const d = new Driver(fx, 0)
    d.start()
    d.receive(proposalBytes(fx, 1, 1, 0, A))
    d.receive(voteBytes(fx, 1, 'prevote', 1, 0, A))
    d.receive(voteBytes(fx, 2, 'prevote', 1, 0, A)) // validValue = A, validRound = 0
    for (const v of [1, 2]) d.receive(voteBytes(fx, v, 'prevote', 1, 3, null)) // line 55 -> round 3
    expect(d.engine.round).toBe(3)
    const proposals = d.log.filter((a) => a.type === 'sign-and-broadcast' && a.body.type === 'proposal')
    expect(proposals).toHaveLength(1)
    const p = proposals[0]
    if (p.type !== 'sign-and-broadcast' || p.body.type !== 'proposal') return
    expect(p.body.polRound).toBe(0)
    expect(bytesEqual(blockHash(p.body.block), blockHash(A))).toBe(true)

    const fresh = new Driver(fx, 1) // v1 proposes round 0 of height 1 with getValue()
    const acts = fresh.start()
    expect(acts.some((a) => a.type === 'build-block' && a.round === 0)).toBe(true)
    expect(acts.some((a) => a.type === 'sign-and-broadcast' && a.body.type === 'proposal' && a.body.polRound === -1)).toBe(true)
  })

  it('never signs two different votes in one round, even after a restart from its WAL', () => {
    const d = new Driver(fx, 0)
    d.start()
    d.receive(proposalBytes(fx, 1, 1, 0, A))
    const wal = [...d.log].reverse().find((a) => a.type === 'persist')
    expect(wal?.type).toBe('persist')
    if (wal?.type !== 'persist') return
    const restored = TendermintEngine.restore({ chainId: fx.chainId, validators: fx.vs, self: 0, verify: fx.crypto.verify }, wal.wal, 1, 0)
    expect(restored.round).toBe(0)
    expect(restored.step).toBe('prevote')
    const acts = restored.handle({ type: 'start', now: 0 })
    // it re-sends its prevote for A (same content), and a propose timeout cannot make it prevote nil
    const resent = acts.filter((a) => a.type === 'sign-and-broadcast' && a.body.type === 'prevote')
    expect(resent.map((a) => a.type === 'sign-and-broadcast' && a.body.type === 'prevote' ? hex(a.body.value) : '')).toEqual([hex(blockHash(A))])
    const t = restored.handle({ type: 'timeout', kind: 'propose', height: 1, round: 0, now: 0 })
    expect(t.filter((a) => a.type === 'sign-and-broadcast')).toEqual([])
    // a WAL of another height is ignored
    expect(TendermintEngine.restore({ chainId: fx.chainId, validators: fx.vs, self: 0, verify: fx.crypto.verify }, wal.wal, 2, 0).round).toBe(-1)
  })

  it('garbage bytes, forged signatures, wrong proposers and duplicates change nothing', () => {
    const d = new Driver(fx, 0)
    d.start()
    const before = { round: d.engine.round, step: d.engine.step }
    for (const g of [new Uint8Array(0), new Uint8Array([1]), new Uint8Array([2, 0, 0]), new Uint8Array(300).fill(0xff)]) expect(d.receive(g)).toEqual([])
    expect(d.engine.stats.malformed).toBe(4)
    const forged = proposalBytes(fx, 1, 1, 0, A).slice()
    forged[30] ^= 1 // inside the signature
    d.receive(forged)
    expect(d.engine.stats.badSignatures + d.engine.stats.malformed).toBeGreaterThan(4)
    expect(d.receive(proposalBytes(fx, 2, 1, 0, A))).toEqual([]) // v2 is not the round-0 proposer
    d.receive(voteBytes(fx, 1, 'prevote', 1, 0, A))
    d.receive(voteBytes(fx, 1, 'prevote', 1, 0, B)) // equivocation: ignored, counted
    expect(d.engine.stats.equivocations).toBe(1)
    expect([...d.engine.equivocationsBy]).toEqual([[toHex(fx.vs.validators[1].nodeId), 1]]) // who, for evidence and the metric's label
    expect({ round: d.engine.round, step: d.engine.step }).toEqual(before)
  })
})
