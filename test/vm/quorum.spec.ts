import { describe, it, expect } from 'vitest'
import { sha256 } from '@noble/hashes/sha2.js'
import { JobTracker, tallyVotes, selectWorkers, checkQuorum } from '../../ts/vm/index.ts'

const d = (s: string): Uint8Array => sha256(new TextEncoder().encode(s))
const ID = d('job')
const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('hex')

describe('tallyVotes', () => {
  it('accepts the first digest q workers agree on and lists the others as disagreeing', () => {
    const t = tallyVotes([{ worker: 'a', digest: d('x') }, { worker: 'b', digest: d('y') }, { worker: 'c', digest: d('x') }], 2)
    expect(hex(t.accepted?.digest)).toBe(hex(d('x')))
    expect(t.accepted?.workers).toEqual(['a', 'c'])
    expect(t.disagreeing).toEqual(['b'])
    expect(t.groups.map((g) => g.workers.length)).toEqual([2, 1])
  })

  it('accepts nothing without q agreeing, and refuses double votes and bad digests', () => {
    const t = tallyVotes([{ worker: 'a', digest: d('x') }, { worker: 'b', digest: d('y') }, { worker: 'c', digest: d('z') }], 2)
    expect(t.accepted).toBeUndefined()
    expect(t.disagreeing).toEqual([])
    expect(() => tallyVotes([{ worker: 'a', digest: d('x') }, { worker: 'a', digest: d('x') }], 2)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(() => tallyVotes([{ worker: 'a', digest: new Uint8Array(31) }], 1)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
  })

  it('checkQuorum requires a strict majority', () => {
    expect(() => checkQuorum(3, 2)).not.toThrow()
    expect(() => checkQuorum(4, 2)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(() => checkQuorum(3, 4)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
  })
})

describe('selectWorkers', () => {
  const candidates = Array.from({ length: 20 }, (_, i) => `node-${i}`)
  it('is deterministic, independent of candidate order, and honours exclusions', () => {
    const a = selectWorkers(ID, candidates, 3)
    expect(a).toHaveLength(3)
    expect(new Set(a).size).toBe(3)
    expect(selectWorkers(ID, [...candidates].reverse(), 3)).toEqual(a)
    const b = selectWorkers(ID, candidates, 3, new Set([a[0]]))
    expect(b).not.toContain(a[0])
    expect(b.slice(0, 2)).toEqual(a.slice(1))
    expect(selectWorkers(d('other job'), candidates, 3)).not.toEqual(a)
    expect(selectWorkers(ID, ['x', 'y'], 3)).toHaveLength(2)
  })
})

describe('JobTracker', () => {
  it('submitted → running → accepted with k=3, q=2; a late wrong result is recorded as disagreeing', () => {
    const t = new JobTracker({ jobId: ID, k: 3, q: 2 })
    expect(t.state).toBe('submitted')
    t.assign(['a', 'b', 'c'])
    expect(t.state).toBe('running')
    expect(t.report('a', d('ok'))).toBe('running')
    expect(t.report('b', d('ok'))).toBe('accepted')
    expect(t.accepted?.workers).toEqual(['a', 'b'])
    expect(t.disagreeing).toEqual([])
    expect(t.report('c', d('forged'))).toBe('accepted')
    expect(t.disagreeing).toEqual(['c'])
  })

  it('a wrong worker that answers first is outvoted', () => {
    const t = new JobTracker({ jobId: ID, k: 3, q: 2 })
    t.assign(['a', 'b', 'c'])
    t.report('c', d('forged'))
    t.report('a', d('ok'))
    expect(t.state).toBe('running')
    t.report('b', d('ok'))
    expect(t.state).toBe('accepted')
    expect(hex(t.accepted?.digest)).toBe(hex(d('ok')))
    expect(t.disagreeing).toEqual(['c'])
  })

  it('fails when quorum can no longer be reached, or on timeout', () => {
    const t = new JobTracker({ jobId: ID, k: 3, q: 2 })
    t.assign(['a', 'b', 'c'])
    t.report('a', d('1'))
    t.report('b', d('2'))
    expect(t.state).toBe('running') // c could still agree with a or b
    expect(t.workerFailed('c', 'disconnected')).toBe('failed')
    expect(t.failure).toBe('no-quorum')
    expect(t.unresponsive.get('c')).toBe('disconnected')

    const u = new JobTracker({ jobId: ID, k: 3, q: 2 })
    u.assign(['a', 'b', 'c'])
    u.workerFailed('a', 'crash')
    expect(u.workerFailed('b', 'crash')).toBe('failed')

    const v = new JobTracker({ jobId: ID, k: 3, q: 2 })
    v.assign(['a', 'b', 'c'])
    v.report('a', d('1'))
    expect(v.timeout()).toBe('failed')
    expect(v.failure).toBe('timeout')
  })

  it('refuses invalid transitions and unknown or repeated workers', () => {
    const t = new JobTracker({ jobId: ID, k: 3, q: 2 })
    const bad = expect.objectContaining({ name: 'InvalidArgumentError' })
    expect(() => t.report('a', d('x'))).toThrow(bad)
    expect(() => t.assign(['a', 'a', 'b'])).toThrow(bad)
    expect(() => t.assign(['a', 'b'])).toThrow(bad)
    t.assign(['a', 'b', 'c'])
    expect(() => t.assign(['a', 'b', 'c'])).toThrow(bad)
    expect(() => t.report('z', d('x'))).toThrow(bad)
    t.report('a', d('x'))
    expect(() => t.report('a', d('x'))).toThrow(bad)
    expect(() => t.workerFailed('a', 'again')).toThrow(bad)
    expect(() => new JobTracker({ jobId: ID, k: 2, q: 1 })).toThrow(bad)
  })

  it('same events in the same order give the same state (deterministic replay)', () => {
    const events: Array<[string, string]> = [['b', 'x'], ['e', 'y'], ['a', 'x'], ['d', 'x'], ['c', 'y']]
    const run = (): string => {
      const t = new JobTracker({ jobId: ID, k: 5, q: 3 })
      t.assign(['a', 'b', 'c', 'd', 'e'])
      const states = events.map(([w, v]) => t.report(w, d(v)))
      return JSON.stringify({ states, acc: t.accepted?.workers, dis: t.disagreeing })
    }
    expect(run()).toBe(run())
    expect(JSON.parse(run())).toEqual({ states: ['running', 'running', 'running', 'accepted', 'accepted'], acc: ['b', 'a', 'd'], dis: ['e', 'c'] })
  })
})
