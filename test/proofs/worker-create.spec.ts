import { describe, it, expect, afterAll } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { nodeIdOf } from '../../ts/identity/index.ts'
import { testKeyPair } from '../fixtures/keys.ts'
import { createConsensusProofInWorker, runProofJob } from '../../node-host/proofs/worker.ts'
import { checkConsensusProof } from '../../ts/proofs/bundle.ts'
import { PRESETS } from '../../ts/proofs/params.ts'
import { WORK_KINDS } from '../../ts/proofs/constants.ts'
import type { ProofProgress } from '../../ts/proofs/types.ts'
import { H, hex, testKernel } from './_helpers.ts'

const kernel = await testKernel()
const dir = await mkdtemp(join(tmpdir(), 'hm-proof-create-'))
afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

describe('createConsensusProof in a worker', () => {
  it('builds the plot file and a full proof off the main thread, which verifies here', async () => {
    const keys = testKeyPair(0)
    const nodeId = nodeIdOf(keys.publicKey)
    const plotPath = join(dir, 'plot.bin')
    const info = await runProofJob({ type: 'plot', path: plotPath, nodeId, plotIndex: 0, log2Size: PRESETS.test.space.log2Size }) as { root: Uint8Array }
    const op = { opHash: H('op-worker'), kind: WORK_KINDS.Storage }
    const anchor = H('block-w')
    const now = 1_800_000_000_000_000
    const seen: ProofProgress[] = []
    const proof = await createConsensusProofInWorker({
      op, latest: anchor, identity: keys, plotPath, position: { zone: 'eu', address: new Uint8Array(16) }, sequence: 9, preset: 'test', nowMicros: now, parallelWork: true
    }, { onProgress: (p) => seen.push(p) })
    expect(new Set(seen.map((p) => p.phase))).toContain('time')
    expect(proof.time.sequence).toBe(9)
    const res = checkConsensusProof(proof, op, {
      chain: { isFresh: (h) => hex(h) === hex(anchor) },
      registry: {
        standingOf: (id) => (hex(id) === hex(nodeId) ? { publicKey: keys.publicKey, stake: 1n, authority: 1, permissions: 0 } : undefined),
        plotOf: () => ({ log2Size: PRESETS.test.space.log2Size, root: info.root }),
        requirementFor: () => ({ minStake: 1n, minAuthority: 1 })
      },
      sequences: { lastSequence: () => 8 },
      nowMicros: () => now
    }, { kernel, preset: 'test' })
    expect(res).toEqual({ ok: true })
  })

  it('aborts a long generation with AbortError', async () => {
    const keys = testKeyPair(0)
    const plotPath = join(dir, 'plot-dev.bin')
    await runProofJob({ type: 'plot', path: plotPath, nodeId: nodeIdOf(keys.publicKey), plotIndex: 0, log2Size: 10 })
    const ac = new AbortController()
    const big = { ...PRESETS.dev, time: { steps: 2 ** 34, checkpoints: 1024, samples: 8 } }
    const p = createConsensusProofInWorker({
      op: { opHash: H('op-abort'), kind: WORK_KINDS.Modify }, latest: H('b'), identity: keys, plotPath, position: { zone: 'z', address: new Uint8Array(0) }, sequence: 1, preset: big
    }, { signal: ac.signal, onProgress: () => ac.abort() })
    await expect(p).rejects.toMatchObject({ name: 'AbortError' })
  })
})
