/**
 * Chaos manifests: strict validation with errors that name the field, the
 * fault budget (≤ f faulty validators unless expectHalt), the seeded
 * generator (same seed, same manifest; always valid; never over budget),
 * and the shipped fixed manifests all parse.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { ManifestError, faultTolerance, generateManifest, maxFaultyValidators, parseManifest, parseManifestText } from '../../node-host/chaos/index.ts'

const V = { role: 'validator' }
const base = (): Record<string, any> => ({ version: 1, name: 't', nodes: [V, V, V, V], durationSeconds: 30, perturbations: [] })

function err (raw: unknown): ManifestError {
  try { parseManifest(raw) } catch (e) { if (e instanceof ManifestError) return e; throw e }
  throw new Error('expected a ManifestError')
}

describe('parseManifest', () => {
  it('accepts a minimal manifest and fills the defaults', () => {
    const m = parseManifest(base())
    expect(m.load.txIntervalMs).toBe(250)
    expect(m.expectHalt).toBe(false)
    expect(m.recoveryBoundSeconds).toBe(45)
    expect(m.nodes.every((n) => n.faults.length === 0)).toBe(true)
  })

  it('names the offending field', () => {
    expect(err({ ...base(), extra: 1 }).path).toBe('extra')
    expect(err({ ...base(), version: 2 }).path).toBe('version')
    expect(err({ ...base(), nodes: [] }).path).toBe('nodes')
    expect(err({ ...base(), nodes: [{ role: 'leader' }] }).path).toBe('nodes[0].role')
    expect(err({ ...base(), nodes: [V, { role: 'validator', faults: ['explode'] }] }).path).toBe('nodes[1].faults[0]')
    expect(err({ ...base(), nodes: [V, { role: 'observer', faults: ['withhold'] }] }).path).toBe('nodes[1].faults')
    expect(err({ ...base(), nodes: [{ role: 'observer' }] }).path).toBe('nodes')
    expect(err({ ...base(), nodes: [{ kernel: 'gpu' }] }).path).toBe('nodes[0].kernel')
    expect(err({ ...base(), durationSeconds: '30' }).path).toBe('durationSeconds')
    expect(err({ ...base(), perturbations: [{ at: 5, type: 'nuke', node: 0 }] }).path).toBe('perturbations[0].type')
    expect(err({ ...base(), perturbations: [{ at: 5, type: 'kill', node: 4 }] }).path).toBe('perturbations[0].node')
    expect(err({ ...base(), perturbations: [{ at: 5, type: 'pause', node: 1 }] }).path).toBe('perturbations[0].durationSeconds')
    expect(err({ ...base(), perturbations: [{ at: 5, type: 'restart', node: 1, durationSeconds: 3 }] }).path).toBe('perturbations[0].durationSeconds')
    expect(err({ ...base(), perturbations: [{ at: 5, type: 'clock-skew', node: 1, durationSeconds: 3 }] }).path).toBe('perturbations[0].skewSeconds')
    expect(err({ ...base(), perturbations: [{ at: 5, type: 'pause', node: 1, durationSeconds: 3, skewSeconds: 4 }] }).path).toBe('perturbations[0].skewSeconds')
    expect(err({ ...base(), perturbations: [{ at: 28, type: 'pause', node: 1, durationSeconds: 5 }] }).path).toBe('perturbations[0]')
    expect(err({ ...base(), nodes: [V, V, { role: 'observer' }], perturbations: [{ at: 2, type: 'kill', node: 0, whenProposer: 2 }], expectHalt: true }).path).toBe('perturbations[0].whenProposer')
  })

  it('refuses two faults of one node at once', () => {
    const e = err({ ...base(), perturbations: [{ at: 5, type: 'pause', node: 1, durationSeconds: 5 }, { at: 8, type: 'disconnect', node: 1, durationSeconds: 2 }] })
    expect(e.message).toMatch(/overlaps/)
  })

  it('refuses more than f faulty validators at once unless a halt is expected', () => {
    const two = { ...base(), perturbations: [{ at: 5, type: 'pause', node: 1, durationSeconds: 5 }, { at: 6, type: 'pause', node: 2, durationSeconds: 5 }] }
    expect(err(two).path).toBe('expectHalt')
    expect(parseManifest({ ...two, expectHalt: true }).expectHalt).toBe(true)
    // a Byzantine validator counts all the time: one more fault is too many at n = 4
    const byz = { ...base(), nodes: [V, V, V, { role: 'validator', faults: ['withhold'] }], perturbations: [{ at: 5, type: 'kill', node: 0 }] }
    expect(err(byz).path).toBe('expectHalt')
    // observers do not count
    expect(parseManifest({ ...base(), nodes: [V, V, V, V, { role: 'observer' }], perturbations: [{ at: 5, type: 'kill', node: 4 }, { at: 5, type: 'pause', node: 0, durationSeconds: 3 }] }).perturbations).toHaveLength(2)
  })

  it('never throws anything but ManifestError on arbitrary JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      try { parseManifest(v) } catch (e) { expect(e).toBeInstanceOf(ManifestError) }
    }), { numRuns: 500 })
    fc.assert(fc.property(fc.string(), (s) => {
      try { parseManifestText(s) } catch (e) { expect(e).toBeInstanceOf(ManifestError) }
    }), { numRuns: 300 })
  })

  it('mutated valid manifests either parse or fail with ManifestError', () => {
    const keys = ['at', 'type', 'node', 'durationSeconds', 'skewSeconds', 'whenProposer', 'junk']
    fc.assert(fc.property(fc.integer({ min: 0, max: 5000 }), fc.constantFrom(...keys), fc.jsonValue(), (seed, key, value) => {
      const m = JSON.parse(JSON.stringify(generateManifest(seed)))
      if (m.perturbations.length > 0) m.perturbations[0][key] = value
      try { parseManifest(m) } catch (e) { expect(e).toBeInstanceOf(ManifestError) }
    }), { numRuns: 200 })
  })
})

describe('generateManifest', () => {
  it('is a function of the seed', () => {
    expect(generateManifest(42)).toEqual(generateManifest(42))
    expect(generateManifest(42)).not.toEqual(generateManifest(43))
  })

  it('writes valid manifests that stay within f faulty validators unless they expect a halt', () => {
    let halts = 0
    const types = new Set<string>()
    for (let s = 0; s < 300; s++) {
      const m = generateManifest(s)
      expect(parseManifest(JSON.parse(JSON.stringify(m)))).toEqual(m) // round-trips through JSON
      const v = m.nodes.filter((n) => n.role === 'validator').length
      if (m.expectHalt) { halts++; expect(maxFaultyValidators(m)).toBeGreaterThan(faultTolerance(v)) } else expect(maxFaultyValidators(m)).toBeLessThanOrEqual(faultTolerance(v))
      for (const p of m.perturbations) types.add(p.type)
    }
    expect(halts).toBeGreaterThan(5)
    expect([...types].sort()).toEqual(['clock-skew', 'disconnect', 'disk-full', 'kill', 'pause', 'restart'])
  })

  it('refuses a seed outside 0..2^32-1', () => {
    expect(() => generateManifest(-1)).toThrow(RangeError)
    expect(() => generateManifest(2 ** 32)).toThrow(RangeError)
  })
})

describe('the fixed manifests', () => {
  it('all parse, and together cover every perturbation and Byzantine mode', async () => {
    const dir = path.join(import.meta.dirname, 'manifests')
    const files = (await readdir(dir)).filter((f) => f.endsWith('.json'))
    const types = new Set<string>()
    const faults = new Set<string>()
    for (const f of files) {
      const m = parseManifestText(await readFile(path.join(dir, f), 'utf8'))
      expect(m.name).toBe(f.replace(/\.json$/, ''))
      for (const p of m.perturbations) types.add(p.type)
      for (const n of m.nodes) for (const x of n.faults) faults.add(x)
    }
    expect([...types].sort()).toEqual(['clock-skew', 'disconnect', 'disk-full', 'kill', 'pause', 'restart'])
    expect([...faults].sort()).toEqual(['ack-before-durable', 'equivocate', 'invalid-proofs', 'vote-without-persist', 'withhold'])
  })
})
