/**
 * The donor protocol and the job.result ledger rule: byte-exact round trips,
 * garbage refused with DecodeError only (fast-check), and every forged or
 * short attestation set refused by checkJobResult / the ledger handler.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { DecodeError } from '../../ts/errors.ts'
import { TxRejectedError } from '../../ts/ledger/index.ts'
import { createJob, jobId, outcomeDigest, runJobOutcome } from '../../ts/vm/index.ts'
import { channelPair, ChannelClosedError, MAX_JOB_FRAME_BYTES } from '../../ts/jobs/channel.ts'
import { decodeDonorMessage, encodeDonorMessage, resultMessage, signAttestation, verifyAttestation, type DonorMessageValue } from '../../ts/jobs/protocol.ts'
import { checkJobResult, type JobResultOpValue } from '../../ts/jobs/ledger.ts'
import { testKeyPair } from '../fixtures/keys.ts'

const LIMITS = { memoryBytes: 1 << 20, fuel: 10n ** 8n, wallMs: 5000, outputBytes: 1024 }

describe('donor protocol codec', () => {
  it('round-trips every message byte-exact', () => {
    const kp = testKeyPair(1)
    const msgs: DonorMessageValue[] = [
      { type: 'challenge', value: { node: new Uint8Array(32).fill(1), nonce: new Uint8Array(32).fill(2) } },
      { type: 'hello', value: { kind: 1, publicKey: kp.publicKey, signature: new Uint8Array(600).fill(3) } },
      { type: 'welcome', value: { worker: new Uint8Array(32).fill(4) } },
      { type: 'offer', value: { job: new Uint8Array([5, 6, 7]) } },
      resultMessage(kp.secretKey, new Uint8Array(32).fill(9), { ok: true, output: new Uint8Array([1, 2]), fuelUsed: 77n }),
      resultMessage(kp.secretKey, new Uint8Array(32).fill(9), { ok: false, error: 'JobTimeoutError', message: 'x'.repeat(1000) }),
      { type: 'stats', value: { accepted: 3, credits: 12345678901n } },
      { type: 'heartbeat', value: {} },
      { type: 'error', value: { message: 'nope' } },
      { type: 'bye', value: {} }
    ]
    for (const m of msgs) {
      const b = encodeDonorMessage(m)
      const back = decodeDonorMessage(b)
      expect(encodeDonorMessage(back)).toEqual(b)
      expect(back.type).toBe(m.type)
    }
  })

  it('garbage and truncations are refused with DecodeError only (fast-check)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (b) => {
      try { decodeDonorMessage(b) } catch (err) { expect(err).toBeInstanceOf(DecodeError) }
    }), { numRuns: 3000 })
    const good = encodeDonorMessage(resultMessage(testKeyPair(1).secretKey, new Uint8Array(32), { ok: true, output: new Uint8Array(10), fuelUsed: 1n }))
    for (let n = 0; n < good.length; n++) expect(() => decodeDonorMessage(good.subarray(0, n))).toThrow(DecodeError)
    expect(() => decodeDonorMessage(Uint8Array.from([...good, 0]))).toThrow(DecodeError)
  })

  it('channelPair delivers in order, bounds frames, and reports the close', async () => {
    const [a, b] = channelPair()
    const got: number[] = []
    b.onFrame((f) => got.push(f[0]))
    for (let i = 0; i < 5; i++) a.send(new Uint8Array([i]))
    expect(() => a.send(new Uint8Array(MAX_JOB_FRAME_BYTES + 1))).toThrow(/exceeds/)
    const closed = new Promise<Error | undefined>((resolve) => { b.onClose(resolve) })
    a.close()
    expect(await closed).toBeInstanceOf(ChannelClosedError)
    expect(got).toEqual([0, 1, 2, 3, 4])
    expect(() => a.send(new Uint8Array(1))).toThrow(ChannelClosedError)
  })
})

describe('job.result: what every replica checks', () => {
  const workers = [testKeyPair(1), testKeyPair(2), testKeyPair(3)]
  const setup = async (): Promise<{ op: JobResultOpValue, id: Uint8Array }> => {
    const job = createJob({ js: 'function run (i) { return i }' }, new Uint8Array([1, 2]), LIMITS)
    const id = jobId(job)
    const o = await runJobOutcome(job)
    const digest = outcomeDigest(o)
    const fuel = o.ok ? o.fuelUsed : 0n
    const wrong = outcomeDigest({ ok: true, output: new Uint8Array([9]), fuelUsed: fuel })
    const att = (i: number, d: Uint8Array): JobResultOpValue['attestations'][number] => ({ publicKey: workers[i].publicKey, digest: d, fuelUsed: fuel, signature: signAttestation(workers[i].secretKey, id, d, fuel) })
    return { id, op: { jobId: id, k: 3, q: 2, digest, fuelUsed: fuel, attestations: [att(0, digest), att(1, wrong), att(2, digest)] } }
  }

  it('accepts q agreeing signed attestations and records who disagreed', async () => {
    const { op } = await setup()
    const r = checkJobResult(op)
    expect(r.agreeing.length).toBe(2)
    expect(r.disagreeing.length).toBe(1)
    expect(verifyAttestation(op.attestations[0].publicKey, op.jobId, op.digest, op.fuelUsed, op.attestations[0].signature)).toBe(true)
  })

  it('refuses a tampered signature, a duplicated worker, too few agreeing, a wrong accepted digest, a fuel mismatch, a bad quorum', async () => {
    const { op } = await setup()
    const tampered = structuredClone(op); tampered.attestations[0].signature[40] ^= 1
    expect(() => checkJobResult(tampered)).toThrow(/signature does not verify/)
    const dup = { ...op, attestations: [op.attestations[0], op.attestations[0], op.attestations[1]] }
    expect(() => checkJobResult(dup)).toThrow(/attested twice/)
    const short = { ...op, attestations: [op.attestations[0], op.attestations[1]] }
    expect(() => checkJobResult(short)).toThrow(/no digest has q=2/)
    const other = { ...op, digest: op.attestations[1].digest }
    expect(() => checkJobResult(other)).toThrow(TxRejectedError)
    const fuel = { ...op, fuelUsed: op.fuelUsed + 1n }
    expect(() => checkJobResult(fuel)).toThrow(/fuel/)
    expect(() => checkJobResult({ ...op, q: 1 })).toThrow(/strict majority/)
    // a signature over another job does not count
    const moved = structuredClone(op); moved.jobId = new Uint8Array(32).fill(7)
    expect(() => checkJobResult(moved)).toThrow(/signature does not verify/)
  })
})
