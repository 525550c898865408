import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { createHash } from 'node:crypto'
import {
  Ledger, MemoryBlockStore, Mempool, ProofCache, ProofContextError, b64encode, blockHash, bytesEqual, computeTxRoot, decodeBlock, decodeStateEntries, decodeTx,
  encodeBlock, encodeStateEntries, encodeTx, genesisToJson, merkleAuditPath, merkleRoot, nodeIdOf, operationHash, parseGenesis,
  stateRootOf, toHex, verifyMerkleAuditPath, type Block, type Transaction, type TxVerifier
} from '../../ts/ledger/index.ts'
import { simKeyPair } from '../sim/crypto.ts'
import { falcon1024 } from '@noble/post-quantum/falcon.js'

const sha = (...parts: Uint8Array[]): Uint8Array => { const h = createHash('sha256'); for (const p of parts) h.update(p); return new Uint8Array(h.digest()) }

/** RFC 6962 MTH, straight from the RFC's recursive definition (independent of the implementation). */
function mth (d: Uint8Array[]): Uint8Array {
  if (d.length === 0) return sha(new Uint8Array(0))
  if (d.length === 1) return sha(new Uint8Array([0]), d[0])
  let k = 1
  while (k * 2 < d.length) k *= 2
  return sha(new Uint8Array([1]), mth(d.slice(0, k)), mth(d.slice(k)))
}

describe('RFC 6962 Merkle tree', () => {
  it('known answers: empty tree and the empty leaf', () => {
    expect(toHex(merkleRoot([]))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    expect(toHex(merkleRoot([new Uint8Array(0)]))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d')
  })

  it('matches the recursive definition and every audit path verifies (fast-check)', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 40 }), fc.nat(), (leaves, pick) => {
      const root = merkleRoot(leaves)
      expect(toHex(root)).toBe(toHex(mth(leaves)))
      const i = pick % leaves.length
      const path = merkleAuditPath(leaves, i)
      expect(verifyMerkleAuditPath(leaves[i], i, leaves.length, path, root)).toBe(true)
      const other = new Uint8Array([...leaves[i], 1])
      expect(verifyMerkleAuditPath(other, i, leaves.length, path, root)).toBe(false)
    }), { numRuns: 300 })
  })
})

// A TxVerifier with real FALCON-1024 signatures over the operation hash (stands in for ts/proofs in these ledger-only tests).
const sender = simKeyPair(50)
const senderId = nodeIdOf(sender.publicKey)
const T0 = 1_767_225_600_000
function falconVerifier (): TxVerifier & { calls: number } {
  const v = {
    calls: 0,
    verify (tx: Transaction, view: Parameters<TxVerifier['verify']>[1]) {
      v.calls++
      const st = view.standingOf(tx.sender)
      if (st === undefined || tx.proof.length < 40) return null
      const anchor = tx.proof.subarray(0, 32)
      const ok = falcon1024.verify(tx.proof.subarray(32), new Uint8Array([...operationHash(tx), ...anchor]), st.publicKey)
      return ok ? { anchor, timestampMicros: T0 * 1000, sequence: tx.sequence, signer: tx.sender } : null
    }
  }
  return v
}

const validatorKey = simKeyPair(0)
function genesisJson (): Record<string, unknown> {
  const v = validatorKey
  return {
    chainId: 'ledger-test', genesisTime: T0, proofPreset: 'dev',
    validators: [{ publicKey: b64encode(v.publicKey), power: 1 }],
    allocations: [{ publicKey: b64encode(sender.publicKey), stake: 10 }],
    state: [{ key: 'app/hello', value: b64encode(new TextEncoder().encode('world')) }]
  }
}

async function openLedger (verifier: TxVerifier | ProofCache = falconVerifier(), store = new MemoryBlockStore()): Promise<Ledger> {
  const ledger = await Ledger.open({ genesis: parseGenesis(genesisJson()), store, verifier })
  ledger.registerHandler('kv', ({ tx, state }) => {
    const text = new TextDecoder().decode(tx.op)
    if (text.startsWith('fail')) throw new Error('handler says no')
    state.set(`kv/${text}`, tx.op)
  })
  return ledger
}

function makeTx (ledger: Ledger, sequence: number, text: string, anchor = ledger.lastHash): Transaction {
  const body = { kind: 'kv', sender: senderId, sequence, op: new TextEncoder().encode(text) }
  const sig = falcon1024.sign(new Uint8Array([...operationHash(body), ...anchor]), sender.secretKey)
  return { ...body, proof: new Uint8Array([...anchor, ...sig]) }
}

const cert = (b: Block) => ({ height: b.height, round: 0, blockHash: blockHash(b), signatures: [] })

describe('genesis', () => {
  it('parses, round-trips through JSON, and hashes deterministically', () => {
    const g = parseGenesis(genesisJson())
    const again = parseGenesis(JSON.stringify(genesisToJson(g)))
    expect(toHex(again.hash)).toBe(toHex(g.hash))
    expect(g.validators[0].nodeId).toEqual(nodeIdOf(simKeyPair(0).publicKey))
  })

  it('rejects bad input with InvalidArgumentError', () => {
    const bad: Array<(j: any) => void> = [
      (j) => { j.chainId = '' }, (j) => { j.validators = [] }, (j) => { j.validators[0].power = 0 },
      (j) => { j.validators[0].publicKey = 'AAAA' }, (j) => { j.validators.push(j.validators[0]) }, (j) => { j.proofPreset = 'fast' },
      (j) => { j.extra = 1 }, (j) => { j.state = [{ key: 'sys/x', value: '' }] }, (j) => { j.genesisTime = -1 }
    ]
    for (const f of bad) {
      const j = genesisJson(); f(j)
      expect(() => parseGenesis(j)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    }
    expect(() => parseGenesis('{not json')).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
  })
})

describe('ledger state machine', () => {
  it('builds, validates and commits blocks; the state root is deterministic across replicas', async () => {
    const a = await openLedger(); const b = await openLedger()
    const txs = [makeTx(a, 1, 'one'), makeTx(a, 2, 'fail me'), makeTx(a, 3, 'three')]
    const block = a.buildBlock({ round: 0, proposer: senderId, time: T0 + 5, candidates: txs })
    expect(block.txs.map((t) => t.sequence)).toEqual([1, 3]) // the handler rejected #2
    expect(b.validateBlock(block)).toEqual({ ok: true })
    await a.commit(block, cert(block)); await b.commit(block, cert(block))
    expect(toHex(a.stateRoot)).toBe(toHex(b.stateRoot))
    expect(toHex(a.stateRoot)).toBe(toHex(block.stateRoot))
    expect(new TextDecoder().decode(a.stateReader.get('kv/one'))).toBe('one')
    expect(a.view().lastSequence(senderId)).toBe(3)
    // the snapshot hashes to the certified root
    expect(toHex(stateRootOf(a.snapshotEntries()))).toBe(toHex(block.stateRoot))
  })

  it('dryRun says what the next block would drop and changes nothing', async () => {
    const a = await openLedger()
    const root = toHex(a.stateRoot)
    expect(a.dryRun(makeTx(a, 1, 'one'))).toBeNull()
    expect(a.dryRun(makeTx(a, 1, 'fail me'))).toMatch(/^handler rejected: /)
    expect(a.stateReader.get('kv/one')).toBeUndefined()
    expect(toHex(a.stateRoot)).toBe(root)
    const block = a.buildBlock({ round: 0, proposer: senderId, time: T0 + 5, candidates: [makeTx(a, 1, 'one')] })
    await a.commit(block, cert(block))
    expect(a.dryRun(block.txs[0])).toBe('stale sequence')
  })

  it('rejects invalid blocks: bad parent, time, txRoot, stateRoot, proof, replayed sequence', async () => {
    const a = await openLedger()
    const good = a.buildBlock({ round: 0, proposer: senderId, time: T0 + 5, candidates: [makeTx(a, 1, 'x')] })
    const b = await openLedger()
    expect(b.validateBlock({ ...good, parent: new Uint8Array(32) }).ok).toBe(false)
    expect(b.validateBlock({ ...good, time: T0 }).ok).toBe(false)
    expect(b.validateBlock({ ...good, txRoot: computeTxRoot([]) }).ok).toBe(false)
    expect(b.validateBlock({ ...good, stateRoot: new Uint8Array(32) }).ok).toBe(false)
    const forged = { ...good.txs[0], proof: good.txs[0].proof.slice() }
    forged.proof[100] ^= 1
    expect(b.validateBlock({ ...good, txs: [forged], txRoot: computeTxRoot([forged]) })).toEqual({ ok: false, reason: 'tx rejected: invalid proof' })
    await b.commit(good, cert(good))
    const replay = b.buildBlock({ round: 0, proposer: senderId, time: T0 + 9, candidates: [good.txs[0]] })
    expect(replay.txs).toEqual([])
    const forcedReplay = { ...replay, txs: good.txs, txRoot: computeTxRoot(good.txs) }
    expect(b.validateBlock(forcedReplay).ok).toBe(false)
  })

  it('reopens from its store after a restart at the same height and root', async () => {
    const store = new MemoryBlockStore()
    const a = await openLedger(falconVerifier(), store)
    const block = a.buildBlock({ round: 0, proposer: senderId, time: T0 + 5, candidates: [makeTx(a, 1, 'persist')] })
    await a.commit(block, cert(block))
    const again = await openLedger(falconVerifier(), store)
    expect(again.height).toBe(1)
    expect(toHex(again.lastHash)).toBe(toHex(blockHash(block)))
    expect(toHex(again.stateRoot)).toBe(toHex(a.stateRoot))
  })

  it('installs a snapshot only when the entries match the certified stateRoot', async () => {
    const a = await openLedger()
    const block = a.buildBlock({ round: 0, proposer: senderId, time: T0 + 5, candidates: [makeTx(a, 1, 'snap')] })
    await a.commit(block, cert(block))
    const b = await openLedger()
    const entries = a.snapshotEntries()
    const tampered = entries.map(([k, v]) => [k, k === 'kv/snap' ? new Uint8Array([1]) : v] as const)
    await expect(b.installSnapshot(block, cert(block), tampered)).rejects.toThrow(/stateRoot/)
    await b.installSnapshot(block, cert(block), entries)
    expect(b.height).toBe(1)
    expect(toHex(b.stateRoot)).toBe(toHex(a.stateRoot))
  })
})

describe('mempool', () => {
  it('verifies each transaction once (the second submission uses the cache), rejects duplicates and invalid proofs', async () => {
    const verifier = falconVerifier()
    const cache = new ProofCache(verifier, 16)
    const ledger = await openLedger(cache)
    const pool = new Mempool(ledger)
    const tx = makeTx(ledger, 1, 'once')
    expect(pool.add(tx)).toEqual({ accepted: true })
    expect(cache.stats).toMatchObject({ verifications: 1, hits: 0 })
    expect(pool.add(tx)).toEqual({ accepted: false, reason: 'duplicate' })
    // a second mempool sharing the cache (another component, or the block validator) does not re-verify
    const pool2 = new Mempool(ledger)
    expect(pool2.add(decodeTx(encodeTx(tx)))).toEqual({ accepted: true })
    expect(cache.stats).toMatchObject({ verifications: 1, hits: 1 })
    expect(verifier.calls).toBe(1)
    // block validation uses the same cache
    const block = ledger.buildBlock({ round: 0, proposer: senderId, time: T0 + 5, candidates: pool.select(10) })
    expect(block.txs).toHaveLength(1)
    expect(verifier.calls).toBe(1)
    const bad = { ...makeTx(ledger, 2, 'bad'), proof: new Uint8Array(60) }
    expect(pool.add(bad)).toEqual({ accepted: false, reason: 'invalid proof' })
    expect(pool.counters).toMatchObject({ admitted: 1, duplicates: 1, invalid: 1 })
    const stale = makeTx(ledger, 3, 'old anchor', new Uint8Array(32).fill(7))
    expect(pool.add(stale)).toEqual({ accepted: false, reason: 'proof anchor not in freshness window' })
  })

  it('does not cache a verdict that depends on ledger context (ProofContextError), and caches real ones', async () => {
    let calls = 0
    let ready = false
    const verifier: TxVerifier = {
      verify: (tx, view) => {
        calls++
        if (!ready) throw new ProofContextError('standing not yet on the ledger')
        return falconVerifier().verify(tx, view)
      }
    }
    const cache = new ProofCache(verifier, 16)
    const ledger = await openLedger(cache)
    const tx = makeTx(ledger, 1, 'later')
    const view = ledger.view()
    expect(cache.check(tx, view)).toBeNull()
    expect(cache.check(tx, view)).toBeNull()
    expect(calls).toBe(2) // each context failure re-runs the verifier
    ready = true
    expect(cache.check(tx, view)).not.toBeNull()
    expect(cache.check(tx, view)).not.toBeNull()
    expect(calls).toBe(3) // the real verdict is cached
  })
})

describe('decoders (fast-check): garbage throws DecodeError only; valid values round-trip', () => {
  it('blocks, transactions, state entries', () => {
    for (const dec of [decodeBlock, decodeTx, decodeStateEntries]) {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
        try { dec(b) } catch (err) { expect((err as Error).name).toBe('DecodeError') }
      }), { numRuns: 1500 })
    }
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 32 }), fc.nat(), fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 100 }), (kind, seq, op, proof) => {
      const tx: Transaction = { kind, sender: senderId, sequence: seq, op, proof }
      if (new TextEncoder().encode(kind).length > 32) return
      const b: Block = { height: seq, parent: new Uint8Array(32), round: 1, proposer: senderId, time: seq + 1, txRoot: computeTxRoot([tx]), stateRoot: new Uint8Array(32), txs: [tx] }
      const bytes = encodeBlock(b)
      expect(encodeBlock(decodeBlock(bytes))).toEqual(bytes)
      expect(bytesEqual(blockHash(decodeBlock(bytes)), blockHash(b))).toBe(true)
      expect(() => decodeBlock(bytes.subarray(0, bytes.length - 1))).toThrow()
    }), { numRuns: 300 })
    const entries = [['a', new Uint8Array([1])], ['b', new Uint8Array(0)]] as const
    expect(decodeStateEntries(encodeStateEntries(entries))).toEqual(entries.map(([k, v]) => [k, v]))
    expect(() => decodeStateEntries(encodeStateEntries([entries[1], entries[0]]))).toThrow(/sorted/)
  })
})
