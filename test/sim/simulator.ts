/**
 * Seeded deterministic simulator for the Tendermint engine: virtual time
 * (an event queue), the real engines, ledgers, mempools and stores, real
 * FALCON-1024 signatures and real ConsensusProofs; a network that delays,
 * drops, duplicates, reorders, partitions and heals; crash and restart from
 * the store; Byzantine validators (≤ f) that equivocate, double-vote,
 * withhold votes, propose invalid proofs and send garbage bytes.
 *
 * Safety is checked after every step (no two blocks finalized at one
 * height across honest replicas; every finalized tx's proofs verify; the
 * certificate verifies; replicas agree on the state root at each height).
 * Liveness is checked after the network heals (every honest node finalizes
 * `targetNewBlocks` new blocks within `livenessBoundMs` of virtual time).
 * Every random choice comes from the seed, so a failing seed reproduces.
 */
import {
  Ledger, MemoryBlockStore, Mempool, ProofCache, blockHash, computeTxRoot, toHex,
  type Block, type Genesis, type Transaction, type CommitCertificate
} from '../../ts/ledger/index.ts'
import {
  TendermintEngine, ValidatorSet, decodeMessage, encodeMessage, verifyCommitCertificate,
  type EngineAction, type EngineEvent, type Proposal, type UnsafeTestOptions, type Vote, type TimeoutKind, type Message
} from '../../ts/consensus/index.ts'
import { Prng } from './prng.ts'
import type { KeyPair, SimCrypto } from './crypto.ts'

export const STRATEGIES = ['equivocate', 'double-vote', 'withhold', 'invalid-proofs', 'garbage'] as const
export type Strategy = typeof STRATEGIES[number]

/** Process-wide material shared by every run (keys, genesis per n, tx pool, caches). */
export interface SimEnv {
  crypto: SimCrypto
  keys: readonly KeyPair[]
  genesisFor: (n: number) => Genesis
  /** Valid transactions (real ConsensusProofs) every node's mempool receives. */
  txs: readonly Transaction[]
  /** Transactions whose proofs do not verify (tampered): mempools must reject them; a Byzantine proposer puts them in blocks. */
  badTxs: readonly Transaction[]
  /** Proof verification cache shared across nodes (deterministic verification). */
  proofs: ProofCache
  /** Registers the transaction handlers on a ledger. */
  setupLedger: (ledger: Ledger) => void
}

export interface SimOptions {
  seed: number
  n: number
  /** Byzantine validators (default f = ⌊(n−1)/3⌋). */
  byzantine?: number
  strategies?: readonly Strategy[]
  unsafe?: UnsafeTestOptions
  trace?: boolean
  /** Virtual ms of chaos (partitions, drops, crashes) before the network heals. */
  chaosMs?: number
  livenessBoundMs?: number
  targetNewBlocks?: number
  partitions?: boolean
  crashes?: boolean
  /** Zero network delay, no faults (benchmark mode). */
  ideal?: boolean
  /** Stop once every honest node reached this height (benchmark mode). */
  stopAtHeight?: number
  maxTxsPerBlock?: number
  timeouts?: Partial<{ propose: number, prevote: number, precommit: number, delta: number, commit: number, rebroadcast: number, sync: number }>
  /** Per-node crypto instances (each node verifies every signature itself), for benchmarks. */
  cryptoFor?: (node: number) => SimCrypto
  /** Per-node proof caches (each node verifies every transaction's proofs itself), for benchmarks. */
  proofCacheFor?: (node: number) => ProofCache
}

export interface SimResult {
  seed: number
  n: number
  f: number
  byzantine: Array<{ index: number, strategy: Strategy }>
  violations: string[]
  maxHeight: number
  minHonestHeight: number
  healedAt: number
  livenessReachedAt: number | null
  virtualMs: number
  steps: number
  messages: { sent: number, delivered: number, dropped: number, duplicated: number, garbage: number }
  engine: { malformed: number, badSignatures: number, equivocations: number }
  crashes: number
  syncs: number
  snapshots: number
  txsFinalized: number
  trace: string[]
}

type QEvent =
  | { k: 'deliver', to: number, from: number, bytes: Uint8Array }
  | { k: 'timeout', node: number, epoch: number, kind: TimeoutKind, height: number, round: number }
  | { k: 'crash', node: number }
  | { k: 'restart', node: number }
  | { k: 'partition', groups: number[] }
  | { k: 'heal' }
  | { k: 'garbage', node: number }

interface Queued { t: number, seq: number, ev: QEvent }

/** Binary min-heap on (t, seq): deterministic order for equal times. */
class EventQueue {
  private h: Queued[] = []
  private seq = 0
  get size (): number { return this.h.length }
  push (t: number, ev: QEvent): void {
    const x = { t, seq: this.seq++, ev }
    const h = this.h; h.push(x)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (less(h[p], h[i])) break
      ;[h[p], h[i]] = [h[i], h[p]]; i = p
    }
  }

  pop (): Queued | undefined {
    const h = this.h
    if (h.length === 0) return undefined
    const top = h[0]; const last = h.pop() as Queued
    if (h.length > 0) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1; const r = l + 1; let m = i
        if (l < h.length && less(h[l], h[m])) m = l
        if (r < h.length && less(h[r], h[m])) m = r
        if (m === i) break
        ;[h[m], h[i]] = [h[i], h[m]]; i = m
      }
    }
    return top
  }
}
function less (a: Queued, b: Queued): boolean { return a.t < b.t || (a.t === b.t && a.seq < b.seq) }

interface SimNode {
  index: number
  key: KeyPair
  store: MemoryBlockStore
  ledger: Ledger
  mempool: Mempool
  engine: TendermintEngine
  up: boolean
  epoch: number
  strategy: Strategy | null
  lastSent: Uint8Array | null
  crypto: SimCrypto
}

const SNAPSHOT_GAP = 3
const SYNC_BATCH = 16

export async function runSimulation (env: SimEnv, opts: SimOptions): Promise<SimResult> {
  const rng = new Prng(opts.seed)
  const n = opts.n
  const f = Math.floor((n - 1) / 3)
  const genesis = env.genesisFor(n)
  const chainId = genesis.chainId
  const unsafe = opts.unsafe ?? {}
  const vs = ValidatorSet.fromGenesis(genesis, unsafe)
  const ideal = opts.ideal === true
  const chaosMs = ideal ? 0 : (opts.chaosMs ?? 3000)
  const bound = opts.livenessBoundMs ?? 30_000
  const target = opts.targetNewBlocks ?? 2
  const maxTxs = opts.maxTxsPerBlock ?? 4
  const timeouts = {
    propose: 400, prevote: 200, precommit: 200, delta: 150, commit: 500, rebroadcast: 600, sync: 300,
    ...(ideal ? { commit: 0 } : {}), ...opts.timeouts
  }
  const T0 = genesis.genesisTime
  const trace: string[] = []
  const fullTrace = opts.trace === true
  const violations: string[] = []
  const q = new EventQueue()
  let now = T0
  const res: SimResult = {
    seed: opts.seed, n, f, byzantine: [], violations, maxHeight: 0, minHonestHeight: 0, healedAt: T0 + chaosMs, livenessReachedAt: null,
    virtualMs: 0, steps: 0, messages: { sent: 0, delivered: 0, dropped: 0, duplicated: 0, garbage: 0 },
    engine: { malformed: 0, badSignatures: 0, equivocations: 0 }, crashes: 0, syncs: 0, snapshots: 0, txsFinalized: 0, trace
  }
  const log = (line: string): void => {
    if (fullTrace) { trace.push(`${now - T0} ${line}`); return }
    trace.push(`${now - T0} ${line}`)
    if (trace.length > 600) trace.splice(0, 200)
  }

  // ---- fault plan ------------------------------------------------------
  const byzCount = Math.min(opts.byzantine ?? f, n)
  const strategies = opts.strategies ?? STRATEGIES
  const byzSet = new Map<number, Strategy>()
  for (const i of rng.shuffle([...Array(n).keys()]).slice(0, byzCount)) byzSet.set(i, rng.pick(strategies))
  res.byzantine = [...byzSet].map(([index, strategy]) => ({ index, strategy })).sort((a, b) => a.index - b.index)
  let dropRate = ideal ? 0 : rng.float() * 0.2
  const dupRate = ideal ? 0 : rng.float() * 0.05
  const maxDelay = ideal ? 0 : rng.int(10, 80)
  let side: number[] | null = null // partition: side[i] = group of node i

  // ---- nodes -----------------------------------------------------------
  const nodes: SimNode[] = []
  const engineConfig = (i: number, crypto: SimCrypto): ConstructorParameters<typeof TendermintEngine>[0] =>
    ({ chainId, validators: vs, self: i, verify: crypto.verify, timeouts, unsafe })

  async function openNode (i: number, store: MemoryBlockStore): Promise<SimNode> {
    const crypto = opts.cryptoFor?.(i) ?? env.crypto
    const ledger = await Ledger.open({ genesis, store, verifier: opts.proofCacheFor?.(i) ?? env.proofs })
    env.setupLedger(ledger)
    const mempool = new Mempool(ledger)
    for (const tx of env.txs) mempool.add(tx)
    for (const tx of env.badTxs) mempool.add(tx)
    const engine = TendermintEngine.restore(engineConfig(i, crypto), store.getConsensusStateSync(), ledger.height + 1, ledger.lastBlock.time)
    return { index: i, key: env.keys[i], store, ledger, mempool, engine, up: true, epoch: 0, strategy: byzSet.get(i) ?? null, lastSent: null, crypto }
  }

  for (let i = 0; i < n; i++) nodes.push(await openNode(i, new MemoryBlockStore()))
  const honest = (i: number): boolean => !byzSet.has(i)

  // ---- safety checker ----------------------------------------------------
  const finalized = new Map<number, { hash: string, stateRoot: string }>()
  function checkCommit (node: SimNode, block: Block, cert: CommitCertificate | undefined, stateRootAfter: Uint8Array, how: string): void {
    if (!honest(node.index)) return
    const h = block.height
    const hex = toHex(blockHash(block))
    const prev = finalized.get(h)
    const sr = toHex(stateRootAfter)
    if (prev === undefined) finalized.set(h, { hash: hex, stateRoot: sr })
    else {
      if (prev.hash !== hex) violations.push(`SAFETY: two blocks finalized at height ${h}: ${prev.hash.slice(0, 16)} and ${hex.slice(0, 16)} (node ${node.index}, ${how})`)
      if (prev.stateRoot !== sr) violations.push(`STATE: replicas disagree on the state root at height ${h} (node ${node.index})`)
    }
    if (sr !== toHex(block.stateRoot)) violations.push(`STATE: node ${node.index} state root after ${h} differs from the block's`)
    if (cert !== undefined) {
      const c = verifyCommitCertificate(cert, vs, chainId, node.crypto.verify, { height: h, blockHash: blockHash(block) })
      if (!c.ok) violations.push(`CERT: node ${node.index} finalized ${h} with a bad certificate: ${c.reason}`)
    }
    if (h > res.maxHeight) res.maxHeight = h
  }

  // ---- network -----------------------------------------------------------
  function send (from: number, to: number, bytes: Uint8Array): void {
    res.messages.sent++
    if (!nodes[from].up || !nodes[to].up) { res.messages.dropped++; return }
    if (side !== null && side[from] !== side[to]) { res.messages.dropped++; return }
    if (dropRate > 0 && rng.chance(dropRate)) { res.messages.dropped++; return }
    q.push(now + (maxDelay > 0 ? rng.int(1, maxDelay) : 0), { k: 'deliver', to, from, bytes })
    if (dupRate > 0 && rng.chance(dupRate)) {
      res.messages.duplicated++
      q.push(now + rng.int(1, Math.max(2, maxDelay * 2)), { k: 'deliver', to, from, bytes })
    }
  }
  function broadcast (from: number, bytes: Uint8Array, toSet?: readonly number[]): void {
    for (const to of toSet ?? nodes.map((x) => x.index)) if (to !== from) send(from, to, bytes)
    nodes[from].lastSent = bytes
  }

  // ---- host adapter: performs engine actions (this is what node-host does with libp2p + LevelDB) ----
  function feed (node: SimNode, ev: EngineEvent): void {
    const pending: EngineEvent[] = [ev]
    while (pending.length > 0) {
      const e = pending.shift() as EngineEvent
      if (!node.up) return
      const actions = node.engine.handle(e)
      for (const a of actions) perform(node, a, pending)
    }
  }

  function signBody (node: SimNode, a: Extract<EngineAction, { type: 'sign-and-broadcast' }>): Uint8Array {
    const signature = node.crypto.sign(node.key, a.domain, a.signBytes)
    return encodeMessage({ ...a.body, signature } as Proposal | Vote)
  }

  function perform (node: SimNode, a: EngineAction, pending: EngineEvent[]): void {
    switch (a.type) {
      case 'sign-and-broadcast': {
        if (node.strategy !== null) { byzantineSend(node, a, pending); return }
        const bytes = signBody(node, a)
        if (fullTrace) log(`n${node.index} send ${describe(a.body)}`)
        broadcast(node.index, bytes)
        pending.push({ type: 'receive', bytes, now })
        return
      }
      case 'broadcast':
        if (node.strategy === 'withhold') return
        for (const m of a.messages) broadcast(node.index, m)
        return
      case 'schedule-timeout':
        q.push(now + a.after, { k: 'timeout', node: node.index, epoch: node.epoch, kind: a.kind, height: a.height, round: a.round })
        return
      case 'build-block': {
        const block = node.ledger.buildBlock({ round: a.round, proposer: vs.validators[node.index].nodeId, time: a.time, candidates: node.mempool.select(maxTxs) })
        pending.push({ type: 'block-built', height: a.height, round: a.round, block, now })
        return
      }
      case 'validate-block': {
        const check = node.ledger.validateBlock(a.block)
        if (fullTrace) log(`n${node.index} valid(${toHex(blockHash(a.block)).slice(0, 8)}) = ${check.ok ? 'true' : check.reason}`)
        pending.push({ type: 'block-validated', hash: blockHash(a.block), valid: check.ok, now })
        return
      }
      case 'persist':
        node.store.putConsensusStateSync(a.wal)
        return
      case 'commit':
        commit(node, a.block, a.cert, 'consensus')
        return
      case 'request-sync': {
        res.syncs++
        const req: Message = { type: 'sync-request', fromHeight: node.ledger.height + 1, max: SYNC_BATCH }
        send(node.index, a.validator, encodeMessage(req))
      }
    }
  }

  function commit (node: SimNode, block: Block, cert: CommitCertificate, how: string): boolean {
    let writes
    try { writes = node.ledger.prepareCommit(block, cert) } catch (err) {
      if (honest(node.index)) violations.push(`COMMIT: node ${node.index} decided an invalid block at ${block.height}: ${(err as Error).message}`)
      return false
    }
    if (honest(node.index)) {
      const view = node.ledger.view()
      for (const tx of block.txs) {
        if (node.ledger.proofs.check(tx, view) === null) violations.push(`PROOF: finalized tx at height ${block.height} has proofs that do not verify`)
      }
      res.txsFinalized += block.txs.length
    }
    node.store.putSync(block, cert, writes)
    node.ledger.finishCommit(block, writes)
    node.mempool.prune()
    log(`n${node.index} FINALIZE h=${block.height} r=${cert.round} ${toHex(blockHash(block)).slice(0, 12)} txs=${block.txs.length} (${how})`)
    checkCommit(node, block, cert, node.ledger.stateRoot, how)
    return true
  }

  // ---- sync (host side; messages are the ts/consensus sync messages) ----
  function onSyncMessage (node: SimNode, from: number, m: Message): void {
    if (m.type === 'sync-request') {
      const top = node.store.latestHeightSync()
      const base = node.store.baseHeightSync()
      if (m.fromHeight > top) return
      if (m.fromHeight <= base || top - m.fromHeight >= SNAPSHOT_GAP) {
        const sb = node.store.getByHeightSync(top)
        if (sb?.cert === undefined) return
        send(node.index, from, encodeMessage({ type: 'snapshot-response', block: sb.block, cert: sb.cert, entries: node.store.stateSnapshotSync() }))
        return
      }
      const blocks: Array<{ block: Block, cert: CommitCertificate }> = []
      for (let h = m.fromHeight; h <= top && blocks.length < Math.min(m.max, SYNC_BATCH); h++) {
        const sb = node.store.getByHeightSync(h)
        if (sb?.cert === undefined) break
        blocks.push({ block: sb.block, cert: sb.cert })
      }
      if (blocks.length > 0) send(node.index, from, encodeMessage({ type: 'sync-response', blocks }))
      return
    }
    if (m.type === 'sync-response') {
      let advanced = false
      for (const { block, cert } of m.blocks) {
        if (block.height !== node.ledger.height + 1) continue
        const c = verifyCommitCertificate(cert, vs, chainId, node.crypto.verify, { height: block.height, blockHash: blockHash(block) })
        if (!c.ok) { log(`n${node.index} sync: rejected certificate from n${from}: ${c.reason}`); break }
        if (!node.ledger.validateBlock(block).ok) { log(`n${node.index} sync: rejected block from n${from}`); break }
        if (!commit(node, block, cert, `sync from n${from}`)) break
        advanced = true
      }
      if (advanced) feed(node, { type: 'synced', height: node.ledger.height, time: node.ledger.lastBlock.time, now })
      return
    }
    if (m.type === 'snapshot-response') {
      if (m.block.height <= node.ledger.height) return
      const c = verifyCommitCertificate(m.cert, vs, chainId, node.crypto.verify, { height: m.block.height, blockHash: blockHash(m.block) })
      if (!c.ok) { log(`n${node.index} snapshot: rejected certificate from n${from}: ${c.reason}`); return }
      try {
        const state = node.ledger.checkSnapshot(m.block, m.cert, m.entries)
        node.store.installSnapshotSync(m.block, m.cert, m.entries)
        node.ledger.adoptSnapshot(m.block, state)
      } catch (err) { log(`n${node.index} snapshot rejected: ${(err as Error).message}`); return }
      res.snapshots++
      log(`n${node.index} SNAPSHOT h=${m.block.height} from n${from}`)
      checkCommit(node, m.block, m.cert, node.ledger.stateRoot, `snapshot from n${from}`)
      node.mempool.prune()
      feed(node, { type: 'synced', height: node.ledger.height, time: node.ledger.lastBlock.time, now })
    }
  }

  // ---- Byzantine behaviour -------------------------------------------------
  const seenBlocks = new Map<string, Uint8Array[]>() // (h/r) -> proposed block hashes, shared by colluding Byzantine nodes
  function halves (self: number): [number[], number[]] {
    const others = rng.shuffle(nodes.map((x) => x.index).filter((i) => i !== self))
    const k = rng.int(1, Math.max(1, others.length - 1))
    return [others.slice(0, k), others.slice(k)]
  }

  function byzantineSend (node: SimNode, a: Extract<EngineAction, { type: 'sign-and-broadcast' }>, pending: EngineEvent[]): void {
    const body = a.body
    const bytes = signBody(node, a)
    pending.push({ type: 'receive', bytes, now })
    const strat = node.strategy as Strategy
    if (body.type === 'proposal') {
      const key = `${body.height}/${body.round}`
      const list = seenBlocks.get(key) ?? []
      list.push(blockHash(body.block)); seenBlocks.set(key, list)
      if (strat === 'equivocate') {
        const other: Block = { ...body.block, time: body.block.time + rng.int(1, 5) }
        list.push(blockHash(other))
        const sig2 = node.crypto.sign(node.key, a.domain, encodeSignBytesProposal(chainId, body.height, body.round, body.polRound, other))
        const b2 = encodeMessage({ ...body, block: other, signature: sig2 })
        const [x, y] = halves(node.index)
        log(`n${node.index} BYZ equivocating proposal h=${body.height} r=${body.round}`)
        broadcast(node.index, bytes, x); broadcast(node.index, b2, y)
        return
      }
      if (strat === 'invalid-proofs' && env.badTxs.length > 0) {
        const txs = [...body.block.txs, rng.pick(env.badTxs)]
        const bad: Block = { ...body.block, txs, txRoot: computeTxRoot(txs) }
        const sig2 = node.crypto.sign(node.key, a.domain, encodeSignBytesProposal(chainId, body.height, body.round, body.polRound, bad))
        log(`n${node.index} BYZ proposing invalid proofs h=${body.height} r=${body.round}`)
        broadcast(node.index, encodeMessage({ ...body, block: bad, signature: sig2 }))
        return
      }
      broadcast(node.index, bytes)
      return
    }
    if (strat === 'withhold') return
    if (strat === 'double-vote') {
      const alts = (seenBlocks.get(`${body.height}/${body.round}`) ?? []).filter((h) => body.value === null || toHex(h) !== toHex(body.value))
      const value = body.value !== null && rng.chance(0.5) ? null : (alts.length > 0 ? rng.pick(alts) : rng.bytes(32))
      const alt = { ...body, value }
      const sig2 = node.crypto.sign(node.key, a.domain, encodeSignBytesVote(chainId, alt))
      const [x, y] = halves(node.index)
      log(`n${node.index} BYZ double ${body.type} h=${body.height} r=${body.round}`)
      broadcast(node.index, bytes, x); broadcast(node.index, encodeMessage({ ...alt, signature: sig2 }), y)
      return
    }
    broadcast(node.index, bytes)
  }

  function garbage (node: SimNode): void {
    const to = rng.pick(nodes.map((x) => x.index).filter((i) => i !== node.index))
    let bytes: Uint8Array
    const mode = rng.int(0, 3)
    const base = node.lastSent
    if (mode === 0 || base === null) bytes = rng.bytes(rng.int(0, 300))
    else if (mode === 1) { bytes = base.slice(); bytes[rng.u32() % bytes.length] ^= 1 << rng.int(0, 7) } else if (mode === 2) bytes = base.slice(0, rng.u32() % base.length)
    else { bytes = base.slice(); bytes[0] = rng.int(0, 255) }
    res.messages.garbage++
    send(node.index, to, bytes)
  }

  // ---- schedule ------------------------------------------------------------
  if (!ideal) {
    if (opts.partitions !== false) {
      let t = T0 + rng.int(0, 500)
      while (t < T0 + chaosMs) {
        const groups = nodes.map(() => rng.int(0, 1))
        q.push(t, { k: 'partition', groups })
        t += rng.int(200, 1200)
        q.push(Math.min(t, T0 + chaosMs), { k: 'heal' })
        t += rng.int(100, 800)
      }
    }
    if (opts.crashes !== false) {
      const crashes = rng.int(0, 2)
      for (let c = 0; c < crashes; c++) {
        const victims = nodes.map((x) => x.index).filter(honest)
        const v = rng.pick(victims)
        const at = T0 + rng.int(0, Math.floor(chaosMs * 0.6))
        q.push(at, { k: 'crash', node: v })
        q.push(Math.min(at + rng.int(200, 1500), T0 + chaosMs), { k: 'restart', node: v })
      }
    }
    for (const [i, s] of byzSet) if (s === 'garbage') q.push(T0 + rng.int(0, 100), { k: 'garbage', node: i })
    q.push(T0 + chaosMs, { k: 'heal' })
  }

  for (const node of nodes) feed(node, { type: 'start', now })

  // ---- main loop -------------------------------------------------------------
  const healedAt = T0 + chaosMs
  let heightAtHeal = -1
  const deadline = healedAt + bound
  const maxSteps = 2_000_000
  const honestIdx = nodes.map((x) => x.index).filter(honest)
  for (;;) {
    const item = q.pop()
    if (item === undefined) { violations.push('LIVENESS: event queue ran dry'); break }
    now = item.t
    if (now > deadline && opts.stopAtHeight === undefined) {
      violations.push(`LIVENESS: honest nodes did not finalize ${target} new blocks within ${bound} ms after healing (heights ${honestIdx.map((i) => nodes[i].ledger.height).join(',')}, at heal ${heightAtHeal})`)
      break
    }
    if (now >= healedAt && heightAtHeal < 0) {
      heightAtHeal = Math.max(...honestIdx.map((i) => nodes[i].ledger.height))
      dropRate = 0; side = null
      log(`HEALED: max honest height ${heightAtHeal}`)
    }
    res.steps++
    if (res.steps > maxSteps) { violations.push('step limit reached'); break }
    const ev = item.ev
    switch (ev.k) {
      case 'deliver': {
        const node = nodes[ev.to]
        if (!node.up) break
        res.messages.delivered++
        let m: Message | null = null
        try { m = decodeMessage(ev.bytes) } catch { m = null }
        if (m !== null && (m.type === 'sync-request' || m.type === 'sync-response' || m.type === 'snapshot-request' || m.type === 'snapshot-response')) {
          onSyncMessage(node, ev.from, m)
        } else {
          if (fullTrace && m !== null) log(`n${ev.to} <- n${ev.from} ${describe(m as Proposal | Vote)}`)
          feed(node, { type: 'receive', bytes: ev.bytes, now })
        }
        break
      }
      case 'timeout': {
        const node = nodes[ev.node]
        if (!node.up || node.epoch !== ev.epoch) break
        if (fullTrace) log(`n${ev.node} timeout ${ev.kind} h=${ev.height} r=${ev.round}`)
        feed(node, { type: 'timeout', kind: ev.kind, height: ev.height, round: ev.round, now })
        break
      }
      case 'crash': {
        const node = nodes[ev.node]
        if (!node.up) break
        node.up = false; node.epoch++
        res.crashes++
        log(`n${ev.node} CRASH at height ${node.ledger.height}`)
        break
      }
      case 'restart': {
        const old = nodes[ev.node]
        if (old.up) break
        const fresh = await openNode(ev.node, old.store)
        fresh.epoch = old.epoch + 1
        nodes[ev.node] = fresh
        log(`n${ev.node} RESTART from store at height ${fresh.ledger.height} (engine h=${fresh.engine.height} r=${fresh.engine.round})`)
        feed(fresh, { type: 'start', now })
        break
      }
      case 'partition':
        if (now < healedAt) { side = ev.groups; log(`PARTITION ${ev.groups.join('')}`) }
        break
      case 'heal':
        if (side !== null) log('heal partition')
        side = null
        break
      case 'garbage': {
        const node = nodes[ev.node]
        if (node.up) garbage(node)
        q.push(now + rng.int(20, 200), { k: 'garbage', node: ev.node })
        break
      }
    }
    if (violations.length > 0) break
    const heights = honestIdx.map((i) => nodes[i].ledger.height)
    res.minHonestHeight = Math.min(...heights)
    if (opts.stopAtHeight !== undefined) {
      if (res.minHonestHeight >= opts.stopAtHeight) break
      continue
    }
    if (heightAtHeal >= 0 && honestIdx.every((i) => nodes[i].up) && res.minHonestHeight >= heightAtHeal + target) {
      res.livenessReachedAt = now - healedAt
      break
    }
  }
  // Crashed nodes were replaced in `nodes`; take engine stats from the live ones.
  for (const x of nodes) {
    res.engine.malformed += x.engine.stats.malformed
    res.engine.badSignatures += x.engine.stats.badSignatures
    res.engine.equivocations += x.engine.stats.equivocations
  }
  res.virtualMs = now - T0
  res.healedAt = chaosMs
  return res
}

import { proposalSignBytes, voteSignBytes, type VoteBody } from '../../ts/consensus/index.ts'
function encodeSignBytesProposal (chainId: string, height: number, round: number, polRound: number, block: Block): Uint8Array {
  return proposalSignBytes(chainId, { height, round, polRound }, blockHash(block))
}
function encodeSignBytesVote (chainId: string, v: VoteBody): Uint8Array { return voteSignBytes(chainId, v) }

function describe (m: { type: string, height: number, round: number, validator: number } & Partial<{ value: Uint8Array | null, block: Block, polRound: number }>): string {
  if (m.type === 'proposal' && m.block !== undefined) return `proposal h=${m.height} r=${m.round} pol=${m.polRound} v=${toHex(blockHash(m.block)).slice(0, 8)} from ${m.validator}`
  return `${m.type} h=${m.height} r=${m.round} ${m.value === null || m.value === undefined ? 'nil' : toHex(m.value).slice(0, 8)} from ${m.validator}`
}
