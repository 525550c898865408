import { describe, it, expect, beforeAll } from 'vitest'
import { createHash } from 'node:crypto'
import { nodeIdOf } from '../../ts/identity/index.ts'
import { testKeyPair } from '../fixtures/keys.ts'
import {
  createConsensusProof, verifyConsensusProof, checkConsensusProof, checkConsensusProofAsync, combinedHash, proofDigests
} from '../../ts/proofs/bundle.ts'
import { parallelSegmentVerifier } from '../../node-host/proofs/parallel-work.ts'
import { encodeConsensusProof, decodeConsensusProof, encodeWorkProof } from '../../ts/proofs/encoding.ts'
import { MemoryPlotStore } from '../../ts/proofs/plot.ts'
import { proveStake, stakeMessage } from '../../ts/proofs/stake.ts'
import { PRESETS } from '../../ts/proofs/params.ts'
import { PROOF_DOMAINS, WORK_KINDS } from '../../ts/proofs/constants.ts'
import type { ConsensusProof, NodeStanding, OperationRef, VerifierContext } from '../../ts/proofs/types.ts'
import { H, hex, prng, testKernel } from './_helpers.ts'

const kernel = await testKernel()
const preset = PRESETS.dev
const NOW = 1_800_000_000_000_000
const anchor = H('block-100')
const op: OperationRef = { opHash: H('op-bundle'), kind: WORK_KINDS.Modify, permissions: 0b01 }

const keys = testKeyPair(0)
const other = testKeyPair(1)
const nodeId = nodeIdOf(keys.publicKey)
const plot = MemoryPlotStore.build(kernel, nodeId, 0, preset.space.log2Size)
const position = { zone: 'eu-west', address: Uint8Array.from({ length: 16 }, (_, i) => i) }

interface World { standing?: NodeStanding, fresh: Set<string>, last?: number, plotRoot: Uint8Array, now: number }
const world = (): World => ({
  standing: { publicKey: keys.publicKey, stake: 100n, authority: 2, permissions: 0b11 },
  fresh: new Set([hex(anchor)]), last: 4, plotRoot: plot.info.root, now: NOW
})
const ctxOf = (w: World): VerifierContext => ({
  chain: { isFresh: (h) => w.fresh.has(hex(h)) },
  registry: {
    standingOf: (id) => (hex(id) === hex(nodeId) ? w.standing : undefined),
    plotOf: (id, i) => (hex(id) === hex(nodeId) && i === 0 ? { log2Size: preset.space.log2Size, root: w.plotRoot } : undefined),
    requirementFor: (kind) => ({ minStake: kind === WORK_KINDS.Genesis ? 1000n : 10n, minAuthority: 1 })
  },
  sequences: { lastSequence: (id) => (hex(id) === hex(nodeId) ? w.last : undefined) },
  nowMicros: () => w.now
})
const opts = { kernel, preset }

let proof: ConsensusProof
let bytes: Uint8Array
beforeAll(async () => {
  proof = await createConsensusProof(op, { latest: anchor, identity: keys, plot, position, sequence: 5, nowMicros: () => NOW - 1000 }, { kernel, preset: 'dev' })
  bytes = encodeConsensusProof(proof)
})

/** Every leaf field of a proof, with a mutation that keeps it encodable. */
function mutations (p: ConsensusProof): Array<{ path: string, apply: (q: ConsensusProof) => void }> {
  const out: Array<{ path: string, apply: (q: ConsensusProof) => void }> = []
  const at = (q: unknown, path: Array<string | number>): Record<string | number, unknown> =>
    path.slice(0, -1).reduce<Record<string | number, unknown>>((o, k) => o[k] as Record<string | number, unknown>, q as Record<string | number, unknown>)
  const walk = (v: unknown, path: Array<string | number>): void => {
    const name = path.join('.')
    const key = path[path.length - 1]
    const set = (f: (old: never) => unknown) => (q: ConsensusProof): void => { const o = at(q, path); o[key] = f(o[key] as never) }
    if (v instanceof Uint8Array) {
      out.push({ path: name, apply: set((b: Uint8Array) => { const c = b.slice(); c[0] ^= 0x80; return c }) })
      out.push({ path: name, apply: set((b: Uint8Array) => { const c = b.slice(); c[c.length - 1] ^= 1; return c }) })
    } else if (typeof v === 'string') {
      out.push({ path: name, apply: set((s: string) => s + 'x') })
    } else if (typeof v === 'number') {
      if (name === 'work.kind') out.push({ path: name, apply: set((k: number) => (k + 1) % 6) })
      else if (name === 'space.log2Size') {
        out.push({
          path: name,
          apply: (q) => {
            q.space.log2Size += 1
            for (const o of q.space.openings) for (const f of ['labelPath', 'prevPath', 'parentPath'] as const) o[f] = new Uint8Array([...o[f], ...new Uint8Array(32)])
          }
        })
      } else out.push({ path: name, apply: set((n: number) => n + 1) })
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, [...path, i]))
    } else if (v !== null && typeof v === 'object') {
      for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], [...path, k])
    } else throw new Error(`unexpected field ${name}`)
  }
  walk(p, [])
  return out
}

describe('ConsensusProof', () => {
  it('verifies, from bytes and from the object, and round-trips byte-exact', () => {
    expect(checkConsensusProof(bytes, op, ctxOf(world()), opts)).toEqual({ ok: true })
    expect(verifyConsensusProof(proof, op, ctxOf(world()), opts)).toBe(true)
    expect(hex(encodeConsensusProof(decodeConsensusProof(bytes)))).toBe(hex(bytes))
    expect(proof.time.sequence).toBe(5)
    expect(proof.time.timestampMicros).toBe(NOW - 1000)
    expect(hex(proof.stake.nodeId)).toBe(hex(nodeId))
  })

  it('digests, stake message and combinedHash match an independent node:crypto computation', () => {
    const sha = (...p: Uint8Array[]): Uint8Array => new Uint8Array(createHash('sha256').update(Buffer.concat(p)).digest())
    const d = proofDigests(kernel, proof, op.opHash)
    expect(hex(d.work)).toBe(hex(sha(PROOF_DOMAINS.workDigest, encodeWorkProof(proof.work))))
    const msg = stakeMessage(op.opHash, op.kind, nodeId, d)
    expect(hex(msg)).toBe(hex(Buffer.concat([op.opHash, Uint8Array.of(op.kind), nodeId, d.space, d.work, d.time])))
    expect(hex(combinedHash(kernel, proof, op.opHash))).toBe(hex(sha(PROOF_DOMAINS.combined, op.opHash, d.space, d.stake, d.work, d.time)))
    expect(hex(combinedHash(kernel, proof, H('other-op')))).not.toBe(hex(combinedHash(kernel, proof, op.opHash)))
  })

  it('changing ANY field of ANY proof makes verification return false (fields enumerated)', () => {
    const ms = mutations(proof)
    const fields = new Set(ms.map((m) => m.path.replace(/\.\d+\./, '.*.')))
    expect([...fields].sort()).toEqual([
      'space.log2Size', 'space.openings.*.label', 'space.openings.*.labelPath', 'space.openings.*.parentLabel', 'space.openings.*.parentPath',
      'space.openings.*.prevLabel', 'space.openings.*.prevPath', 'space.plotIndex', 'space.position.address', 'space.position.zone',
      'stake.nodeId', 'stake.signature', 'time.anchor', 'time.checkpoints', 'time.sequence', 'time.timestampMicros', 'work.kind', 'work.nonce'
    ])
    const reasons = new Map<string, string>()
    for (const m of ms) {
      const q = structuredClone(proof)
      m.apply(q)
      const b = encodeConsensusProof(q)
      const r = checkConsensusProof(b, op, ctxOf(world()), opts)
      expect(r.ok, m.path).toBe(false)
      if (!r.ok) reasons.set(m.path, r.reason)
    }
    // the cheap checks catch what they can before the signature
    expect(reasons.get('work.nonce')).toMatch(/work|signature/)
    expect(reasons.get('time.anchor')).toBe('freshness')
    expect(reasons.get('space.plotIndex')).toBe('plot')
  })

  it('random byte flips give DecodeError or false, never true or another error', () => {
    const r = prng(5)
    for (let t = 0; t < 150; t++) {
      const b = bytes.slice()
      b[r.int(b.length)] ^= 1 << r.int(8)
      try {
        expect(verifyConsensusProof(b, op, ctxOf(world()), opts)).toBe(false)
      } catch (err) {
        expect((err as Error).name).toBe('DecodeError')
      }
    }
  })

  it('a proof for one operation does not verify for another (hash or kind)', () => {
    expect(verifyConsensusProof(bytes, { ...op, opHash: H('op-other') }, ctxOf(world()), opts)).toBe(false)
    expect(verifyConsensusProof(bytes, { ...op, kind: WORK_KINDS.Delete }, ctxOf(world()), opts)).toBe(false)
  })

  it('rejects a stale anchor, a reused or lower sequence, and timestamps outside ±30 s', () => {
    const w = world(); w.fresh = new Set([hex(H('block-200'))])
    expect(checkConsensusProof(bytes, op, ctxOf(w), opts)).toEqual({ ok: false, reason: 'freshness' })
    for (const last of [5, 6, 1000]) {
      expect(checkConsensusProof(bytes, op, ctxOf({ ...world(), last }), opts)).toEqual({ ok: false, reason: 'sequence' })
    }
    expect(checkConsensusProof(bytes, op, ctxOf({ ...world(), last: undefined }), opts)).toEqual({ ok: true })
    const ts = proof.time.timestampMicros
    expect(checkConsensusProof(bytes, op, ctxOf({ ...world(), now: ts + 30_000_000 }), opts)).toEqual({ ok: true })
    expect(checkConsensusProof(bytes, op, ctxOf({ ...world(), now: ts + 30_000_001 }), opts)).toEqual({ ok: false, reason: 'clock' })
    expect(checkConsensusProof(bytes, op, ctxOf({ ...world(), now: ts - 30_000_001 }), opts)).toEqual({ ok: false, reason: 'clock' })
  })

  it('checks stake, authority, permissions, the registered key and the registered plot root', () => {
    const st = world().standing!
    const cases: Array<[Partial<World>, string]> = [
      [{ standing: undefined }, 'standing'],
      [{ standing: { ...st, stake: 9n } }, 'standing'],
      [{ standing: { ...st, authority: 0 } }, 'standing'],
      [{ standing: { ...st, permissions: 0b10 } }, 'standing'],
      [{ standing: { ...st, publicKey: other.publicKey } }, 'signature'],
      [{ plotRoot: H('another root') }, 'space']
    ]
    for (const [patch, reason] of cases) expect(checkConsensusProof(bytes, op, ctxOf({ ...world(), ...patch }), opts)).toEqual({ ok: false, reason })
    expect(checkConsensusProof(bytes, { ...op, permissions: 0b100 }, ctxOf(world()), opts)).toEqual({ ok: false, reason: 'standing' })
    // a different preset expects different shapes
    expect(checkConsensusProof(bytes, op, ctxOf(world()), { kernel, preset: 'test' })).toEqual({ ok: false, reason: 'shape' })
  })

  it('generation refuses a plot of another node and stops with AbortError', async () => {
    const foreign = MemoryPlotStore.build(kernel, H('someone-else'), 0, preset.space.log2Size)
    await expect(createConsensusProof(op, { latest: anchor, identity: keys, plot: foreign, position, sequence: 6 }, { kernel, preset: 'dev' }))
      .rejects.toMatchObject({ name: 'InvalidArgumentError' })
    const ac = new AbortController()
    const phases: string[] = []
    const big = { ...PRESETS.dev, time: { steps: 1 << 22, checkpoints: 64, samples: 8 } }
    const p = createConsensusProof(op, { latest: anchor, identity: keys, plot, position, sequence: 6 }, {
      kernel, preset: big, signal: ac.signal, onProgress: (x) => { phases.push(x.phase); if (x.done > 0) ac.abort() }
    })
    await expect(p).rejects.toMatchObject({ name: 'AbortError' })
    expect(phases[0]).toBe('time')
  })

  it('a correctly signed proof over a faked chain fails at PoTime; the async check (segments on all cores) agrees', async () => {
    const verifySegments = await parallelSegmentVerifier(2)
    expect(verifySegments).toBeDefined()
    const faked = structuredClone(proof)
    faked.time.checkpoints = prng(9).bytes(faked.time.checkpoints.length)
    faked.stake = proveStake(keys.secretKey, keys.publicKey, op.opHash, op.kind, proofDigests(kernel, faked, op.opHash))
    expect(checkConsensusProof(faked, op, ctxOf(world()), opts)).toEqual({ ok: false, reason: 'time' })
    expect(await checkConsensusProofAsync(faked, op, ctxOf(world()), { ...opts, verifySegments })).toEqual({ ok: false, reason: 'time' })
    expect(await checkConsensusProofAsync(bytes, op, ctxOf(world()), { ...opts, verifySegments })).toEqual({ ok: true })
    expect(await checkConsensusProofAsync(bytes, op, ctxOf({ ...world(), last: 5 }), { ...opts, verifySegments })).toEqual({ ok: false, reason: 'sequence' })
    expect(await checkConsensusProofAsync(bytes, op, ctxOf(world()), opts)).toEqual({ ok: true })
  })
})
