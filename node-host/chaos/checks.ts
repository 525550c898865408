/**
 * The checks after every chaos run, on each node's own store (opened after
 * the node stopped) and on what the run saw:
 *  - a store that does not open, or whose blocks do not decode, is a violation;
 *  - no two different blocks at one height on any two nodes;
 *  - the same state root at every common height, and each store's state
 *    entries hash to its head block's state root;
 *  - every acknowledged transaction (a node's `tx-committed` line) is in the
 *    final chain at the acknowledged height, in the acknowledged block;
 *  - finality resumed within the bound after every perturbation;
 *  - no equivocation seen while no validator is configured to equivocate;
 *  - a node that stopped on its own (full disk, skewed clock) did so with an
 *    error line, and came back.
 */
import path from 'node:path'
import { blockHash, stateRootOf, toHex, txHash } from '../../ts/ledger/index.ts'
import { LevelBlockStore } from '../store/index.ts'
import type { RawRun } from './runner.ts'

export interface Violation { check: string, message: string }

export interface StoreSummary { node: number, opened: boolean, error: string | null, base: number, latest: number }

export interface CheckResult {
  violations: Violation[]
  stores: StoreSummary[]
  acknowledged: number
  lostAcknowledged: number
  unverifiableAcknowledged: number
  commonHeights: number
  /** Canonical chain: height -> block hash (from the stores). */
  finalHeight: number
}

const MAX_LISTED = 20

export async function checkRun (run: RawRun): Promise<CheckResult> {
  const violations: Violation[] = []
  const add = (check: string, message: string): void => {
    if (violations.filter((v) => v.check === check).length < MAX_LISTED) violations.push({ check, message })
  }
  const stores: StoreSummary[] = []
  // height -> { hash, stateRoot, txs, node }
  const canon = new Map<number, { hash: string, stateRoot: string, txs: Set<string>, node: number }>()
  const seenAt = new Map<number, number>()
  for (const m of run.members) {
    const loc = path.join(m.dataDir, 'chain')
    let store: LevelBlockStore
    try { store = await LevelBlockStore.open(loc) } catch (err) {
      stores.push({ node: m.index, opened: false, error: (err as Error).message, base: -1, latest: -1 })
      add('store-opens', `node ${m.index}: ${(err as Error).message}`)
      continue
    }
    try {
      const base = await store.baseHeight()
      const latest = await store.latestHeight()
      stores.push({ node: m.index, opened: true, error: null, base, latest })
      for (let h = base; h <= latest; h++) {
        let got
        try { got = await store.getByHeight(h) } catch (err) { add('store-opens', `node ${m.index}: block ${h}: ${(err as Error).message}`); continue }
        if (got === undefined) { if (h > base) add('store-opens', `node ${m.index}: block ${h} missing between base ${base} and head ${latest}`); continue }
        const hash = toHex(blockHash(got.block))
        const root = toHex(got.block.stateRoot)
        seenAt.set(h, (seenAt.get(h) ?? 0) + 1)
        const c = canon.get(h)
        if (c === undefined) canon.set(h, { hash, stateRoot: root, txs: new Set(got.block.txs.map((t) => toHex(txHash(t)))), node: m.index })
        else {
          if (c.hash !== hash) add('no-conflicting-blocks', `height ${h}: node ${c.node} has ${c.hash.slice(0, 16)}…, node ${m.index} has ${hash.slice(0, 16)}…`)
          if (c.stateRoot !== root) add('same-state-root', `height ${h}: node ${c.node} state root ${c.stateRoot.slice(0, 16)}…, node ${m.index} ${root.slice(0, 16)}…`)
        }
      }
      if (latest >= 0) {
        const head = await store.getByHeight(latest)
        const entries = await store.stateSnapshot()
        if (head !== undefined && toHex(stateRootOf(entries)) !== toHex(head.block.stateRoot)) {
          add('same-state-root', `node ${m.index}: its stored state does not hash to block ${latest}'s state root`)
        }
      }
    } catch (err) {
      add('store-opens', `node ${m.index}: ${(err as Error).message}`)
    } finally { await store.close().catch(() => {}) }
  }

  // acknowledged transactions
  let lost = 0
  let unverifiable = 0
  const minBase = Math.min(...stores.filter((s) => s.opened).map((s) => s.base), Infinity)
  for (const a of run.acks) {
    const c = canon.get(a.height)
    if (c === undefined) {
      if (a.height < minBase) { unverifiable++; continue }
      lost++
      add('nothing-acknowledged-lost', `node ${a.node} acknowledged tx ${a.hash.slice(0, 16)}… at height ${a.height} (block ${a.blockHash.slice(0, 16)}…), but no store holds height ${a.height}`)
      continue
    }
    if (c.hash !== a.blockHash || !c.txs.has(a.hash)) {
      lost++
      add('nothing-acknowledged-lost', `node ${a.node} acknowledged tx ${a.hash.slice(0, 16)}… in block ${a.blockHash.slice(0, 16)}… at height ${a.height}; the final chain has ${c.hash.slice(0, 16)}… there${c.txs.has(a.hash) ? '' : ' without that tx'}`)
    }
  }

  // finality resumed after every perturbation
  for (const p of run.perturbations) {
    if (p.skipped !== null) continue
    if (p.start === null) { add('finality-resumes', `perturbation ${p.index} (${p.type} of node ${p.node}) never started: ${p.detail.join('; ')}`); continue }
    if (p.recoveryMs === null) add('finality-resumes', `perturbation ${p.index} (${p.type} of node ${p.node}): ${p.detail.join('; ') || 'no recovery observed'}`)
  }

  // equivocation by a node not configured to equivocate
  // `invalid-proofs` signs a second, tampered proposal for its round (and rebroadcasts the first):
  // at the protocol level that is an equivocation too
  const equivocators = run.members.filter((m) => m.faults.includes('equivocate') || m.faults.includes('invalid-proofs'))
  const seen = run.equivocations.reduce((a, b) => a + b, 0)
  if (seen > 0 && equivocators.length === 0) {
    add('no-equivocation', `${seen} equivocating consensus messages seen (${run.equivocations.map((v, i) => `node ${i}: ${v}`).filter((s) => !s.endsWith(': 0')).join(', ')}) while no validator is configured to equivocate (equivocate or invalid-proofs)`)
  }

  // nodes that stopped on their own: a clear error line, and running again at the end
  for (const e of run.exits.filter((x) => !x.expected)) {
    const hasError = e.lastLines.some((l) => /error|ENOSPC|no space|cannot|failed/i.test(l))
    if (!hasError) add('clear-error', `node ${e.node} exited (${e.code ?? e.signal}) at ${(e.t / 1000).toFixed(1)} s without an error line: ${e.lastLines.slice(-3).join(' | ')}`)
    const restarted = run.exits.some((x) => x.node === e.node && x.t > e.t && x.expected)
    if (!restarted) add('recovers', `node ${e.node} exited at ${(e.t / 1000).toFixed(1)} s and was not running at the end`)
  }

  const heights = [...seenAt.entries()].filter(([, n]) => n === run.members.length).length
  return {
    violations,
    stores,
    acknowledged: run.acks.length,
    lostAcknowledged: lost,
    unverifiableAcknowledged: unverifiable,
    commonHeights: heights,
    finalHeight: Math.max(-1, ...canon.keys())
  }
}
