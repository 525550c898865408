import { describe, it, expect } from 'vitest'
import {
  TransparencyLog, MemoryLogStorage, tlogRoutes, CheckpointWatcher, ed25519Signer, ed25519Verifier, falconSigner, falconVerifier,
  cosignatureSigner, cosignatureVerifier, addNoteSignatures, openCheckpoint, parseCheckpoint, parseNote, verifyInclusion, verifyConsistency,
  hashLeaf, decodeEntryBundle, verifyHashTile, parseTilePath, type LogStorage
} from '../../../ts/trustchain/log/index.ts'
import { testKeyPair } from '../../fixtures/keys.ts'

const ORIGIN = 'test.mesh/trustchain/log'
const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

/** Storage whose appends wait for `release()` and can be told to fail. */
class GatedStorage implements LogStorage {
  readonly inner = new MemoryLogStorage()
  calls: number[] = []
  failNext = false
  #gate: (() => void) | null = null
  #gated = false
  hold (): void { this.#gated = true }
  release (): void { this.#gated = false; this.#gate?.(); this.#gate = null }
  async size (): Promise<number> { return await this.inner.size() }
  async read (a: number, b: number): Promise<Uint8Array[]> { return await this.inner.read(a, b) }
  async append (start: number, entries: readonly Uint8Array[]): Promise<void> {
    this.calls.push(entries.length)
    if (this.#gated) await new Promise<void>((resolve) => { this.#gate = resolve })
    if (this.failNext) { this.failNext = false; throw new Error('disk full') }
    await this.inner.append(start, entries)
  }
}

describe('TransparencyLog', () => {
  it('batches appends made together into one storage write', async () => {
    const st = new GatedStorage()
    const log = await TransparencyLog.open(st, { origin: ORIGIN, maxBatch: 300 })
    const idx = await log.appendMany(Array.from({ length: 1000 }, (_, i) => enc(`e${i}`)))
    expect(idx).toEqual(Array.from({ length: 1000 }, (_, i) => i))
    expect(st.calls).toEqual([300, 300, 300, 100])
    expect(log.size).toBe(1000)
  })

  it('acknowledges only after storage is durable; the tree never includes undurable entries', async () => {
    const st = new GatedStorage()
    const log = await TransparencyLog.open(st, { origin: ORIGIN })
    await log.append(enc('first'))
    st.hold()
    let acked = false
    const p = log.append(enc('second')).then((i) => { acked = true; return i })
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(acked).toBe(false)
    expect(log.size).toBe(1)
    // Appends arriving during the write form the next batch.
    const q = log.append(enc('third'))
    st.release()
    expect(await p).toBe(1)
    expect(await q).toBe(2)
    expect(st.calls).toEqual([1, 1, 1])
  })

  it('a failed storage write rejects its batch with LogStorageError and later appends continue', async () => {
    const st = new GatedStorage()
    const log = await TransparencyLog.open(st, { origin: ORIGIN })
    await log.append(enc('a'))
    st.failNext = true
    const failed = log.appendMany([enc('b'), enc('c')])
    await expect(failed).rejects.toMatchObject({ name: 'LogStorageError' })
    expect(log.size).toBe(1)
    expect(await log.append(enc('d'))).toBe(1)
    expect(log.root()).toEqual((await TransparencyLog.open(st.inner, { origin: ORIGIN })).root())
  })

  it('refuses oversized entries, non-bytes, aborted signals', async () => {
    const log = await TransparencyLog.open(new MemoryLogStorage(), { origin: ORIGIN })
    await expect(log.append(new Uint8Array(65536))).rejects.toMatchObject({ name: 'InvalidArgumentError' })
    await expect(log.append('x' as unknown as Uint8Array)).rejects.toMatchObject({ name: 'InvalidArgumentError' })
    await expect(log.append(enc('x'), { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' })
    expect(() => log.inclusionProof(0)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
  })

  it('reopens from storage with the same tree; proofs verify across sizes', async () => {
    const st = new MemoryLogStorage()
    const log = await TransparencyLog.open(st, { origin: ORIGIN })
    await log.appendMany(Array.from({ length: 777 }, (_, i) => enc(`c${i}`)))
    const again = await TransparencyLog.open(st, { origin: ORIGIN })
    expect(again.size).toBe(777)
    expect(again.root()).toEqual(log.root())
    for (const [i, n] of [[0, 1], [5, 300], [776, 777], [256, 512]]) {
      expect(verifyInclusion(i, n, hashLeaf(enc(`c${i}`)), again.inclusionProof(i, n), again.root(n))).toBe(true)
    }
    expect(verifyConsistency(300, 777, log.root(300), log.root(), again.consistencyProof(300))).toBe(true)
  })

  it('checkpoints carry the Ed25519 and FALCON-1024 log signatures and validator cosignatures', async () => {
    const log = await TransparencyLog.open(new MemoryLogStorage(), { origin: ORIGIN })
    await log.appendMany([enc('x'), enc('y'), enc('z')])
    const kp = testKeyPair(3)
    const ed = ed25519Signer(ORIGIN, new Uint8Array(32).fill(9))
    const fal = falconSigner(ORIGIN, kp.secretKey, kp.publicKey)
    const signed = log.checkpoint([ed, fal])
    expect(parseCheckpoint(parseNote(signed.note).text)).toEqual({ origin: ORIGIN, size: 3, rootHash: log.root() })
    const vals = [0, 1, 2, 3].map((i) => cosignatureSigner(`validator-${i}.mesh`, new Uint8Array(32).fill(60 + i)))
    const cosigned = addNoteSignatures(signed.note, vals.slice(0, 3))
    log.publishCheckpoint({ checkpoint: signed.checkpoint, note: cosigned })
    const serve = tlogRoutes(log)
    const res = await serve('/checkpoint')
    expect(res?.status).toBe(200)
    expect(res?.contentType).toBe('text/plain; charset=utf-8')
    const opened = openCheckpoint(res?.body as string, {
      origin: ORIGIN,
      log: [ed25519Verifier(ORIGIN, ed.publicKey), falconVerifier(ORIGIN, kp.publicKey)],
      cosigners: vals.map((v) => cosignatureVerifier(v.name, v.publicKey)),
      quorum: 3
    })
    expect(opened.cosignedBy).toHaveLength(3)
    // Plain signed-note verification with only the Ed25519 key works too (the others are unknown, ignored).
    expect(openCheckpoint(res?.body as string, { origin: ORIGIN, log: [ed25519Verifier(ORIGIN, ed.publicKey)] }).checkpoint.size).toBe(3)
    expect(() => log.publishCheckpoint({ checkpoint: { ...signed.checkpoint, rootHash: new Uint8Array(32) }, note: cosigned })).toThrow(/root/)
  })
})

describe('tlogRoutes', () => {
  it('serves checkpoint, tiles and entry bundles; 400 / 404 / null otherwise', async () => {
    const log = await TransparencyLog.open(new MemoryLogStorage(), { origin: ORIGIN })
    const serve = tlogRoutes(log)
    expect((await serve('/checkpoint'))?.status).toBe(404)
    await log.appendMany(Array.from({ length: 300 }, (_, i) => enc(`r${i}`)))
    const ed = ed25519Signer(ORIGIN, new Uint8Array(32).fill(1))
    log.checkpoint([ed])
    const full = await serve('/tile/0/000')
    expect(full?.status).toBe(200)
    expect(full?.contentType).toBe('application/octet-stream')
    expect(full?.headers['cache-control']).toContain('immutable')
    expect((full?.body as Uint8Array).length).toBe(256 * 32)
    const partial = await serve('/tile/0/001.p/44')
    expect((partial?.body as Uint8Array).length).toBe(44 * 32)
    expect(verifyHashTile(parseTilePath('tile/0/001.p/44'), partial?.body as Uint8Array, { size: 300, rootHash: log.root() }, log.tileProof(parseTilePath('tile/0/001.p/44')))).toBe(true)
    const l1 = await serve('/tile/1/000.p/1')
    expect(l1?.body).toEqual(log.root(256))
    const bundle = await serve('/tile/entries/001.p/44?x=1')
    const entries = decodeEntryBundle(bundle?.body as Uint8Array)
    expect(entries).toHaveLength(44)
    expect(new TextDecoder().decode(entries[0])).toBe('r256')
    expect((await serve('/tile/0/001.p/45'))?.status).toBe(404)
    expect((await serve('/tile/0/001'))?.status).toBe(404)
    expect((await serve('/tile/0/1'))?.status).toBe(400)
    expect((await serve('/tile/entries/x000/001'))?.status).toBe(400)
    expect(await serve('/metrics')).toBeNull()
  })
})

describe('split view', () => {
  it('a node reading two inconsistent checkpoints of one log reports the split view and keeps both', async () => {
    const ed = ed25519Signer(ORIGIN, new Uint8Array(32).fill(5))
    const policy = { origin: ORIGIN, log: [ed25519Verifier(ORIGIN, ed.publicKey)] }
    // An honest view and a forked one (same key, same origin, history rewritten at entry 3).
    const honest = await TransparencyLog.open(new MemoryLogStorage(), { origin: ORIGIN })
    const forked = await TransparencyLog.open(new MemoryLogStorage(), { origin: ORIGIN })
    await honest.appendMany(Array.from({ length: 10 }, (_, i) => enc(`h${i}`)))
    await forked.appendMany(Array.from({ length: 10 }, (_, i) => enc(i === 3 ? 'evil' : `h${i}`)))
    const a = (await tlogRoutes(honest)('/checkpoint')) ?? { body: '' }
    honest.checkpoint([ed]); forked.checkpoint([ed])
    expect(a.body).toContain('no checkpoint')
    const servedA = (await tlogRoutes(honest)('/checkpoint'))?.body as string
    const servedB = (await tlogRoutes(forked)('/checkpoint'))?.body as string

    const w = new CheckpointWatcher([policy])
    expect(w.observe(servedA).status).toBe('accepted')
    expect(w.observe(servedA).status).toBe('duplicate')
    const r = w.observe(servedB)
    expect(r.status).toBe('split-view')
    if (r.status !== 'split-view') throw new Error('unreachable')
    expect(r.evidence.reason).toBe('same-size-different-root')
    expect(r.evidence.accepted.note).toBe(servedA)
    expect(r.evidence.conflicting.note).toBe(servedB)
    expect(w.evidence).toHaveLength(1)
    expect(w.latest(ORIGIN)?.note).toBe(servedA)
    // Evidence is self-contained: both notes verify under the log key and disagree.
    const ca = openCheckpoint(r.evidence.accepted.note, policy).checkpoint
    const cb = openCheckpoint(r.evidence.conflicting.note, policy).checkpoint
    expect(ca.size).toBe(cb.size)
    expect(ca.rootHash).not.toEqual(cb.rootHash)

    // The fork grows; its consistency proof from the accepted view cannot verify.
    await forked.appendMany([enc('more'), enc('still more')])
    const grownB = forked.checkpoint([ed]).note
    expect(w.observe(grownB).status).toBe('needs-proof')
    const r2 = w.observe(grownB, forked.consistencyProof(10, 12))
    expect(r2.status).toBe('split-view')
    if (r2.status === 'split-view') expect(r2.evidence.reason).toBe('consistency-proof-failed')

    // The honest log grows with a valid proof: accepted.
    await honest.appendMany([enc('h10'), enc('h11'), enc('h12')])
    const grownA = honest.checkpoint([ed]).note
    expect(w.observe(grownA, honest.consistencyProof(10, 13)).status).toBe('accepted')
    // An old honest checkpoint is stale, not evidence.
    expect(w.observe(servedA).status).toBe('duplicate')
    expect(w.evidence).toHaveLength(2)
  })

  it('refuses checkpoints it cannot verify or of unknown origins', async () => {
    const ed = ed25519Signer(ORIGIN, new Uint8Array(32).fill(5))
    const other = ed25519Signer(ORIGIN, new Uint8Array(32).fill(6))
    const log = await TransparencyLog.open(new MemoryLogStorage(), { origin: ORIGIN })
    await log.append(enc('x'))
    const w = new CheckpointWatcher([{ origin: ORIGIN, log: [ed25519Verifier(ORIGIN, ed.publicKey)] }])
    expect(() => w.observe(log.checkpoint([other]).note)).toThrow(expect.objectContaining({ name: 'NoteVerificationError' }))
    const elsewhere = await TransparencyLog.open(new MemoryLogStorage(), { origin: 'elsewhere' })
    expect(() => w.observe(elsewhere.checkpoint([ed25519Signer('elsewhere', new Uint8Array(32))]).note)).toThrow(expect.objectContaining({ name: 'InvalidOriginError' }))
  })
})
