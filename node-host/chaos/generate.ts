/**
 * Random valid manifests from a seed (sfc32 seeded by a splitmix32 chain, so
 * a seed names the same manifest on every machine). The schedule never has
 * more than f validators faulty at once (Byzantine validators count all the
 * time; a kill or clock skew counts until ~10 s after the node is back),
 * except in the ~1 in 10 manifests marked `expectHalt`, which pause f + 1
 * validators together and then let them return.
 */
import { faultTolerance, maxFaultyValidators, parseManifest, type Manifest, type Perturbation, type PerturbationType, BYZANTINE_FAULTS } from './manifest.ts'

export function rng (seed: number): () => number {
  let s = seed >>> 0
  const split = (): number => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
  let a = split(); let b = split(); let c = split(); let d = split()
  return () => {
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = ((c << 21) | (c >>> 11)) >>> 0
    c = (c + t) >>> 0
    return t / 4294967296
  }
}

const TYPES: PerturbationType[] = ['kill', 'restart', 'pause', 'disconnect', 'disk-full', 'clock-skew']

export function generateManifest (seed: number): Manifest {
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError('seed must be an integer in 0..2^32-1')
  const r = rng(seed)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1))
  const validators = pick([4, 4, 4, 4, 5, 7])
  const observers = validators === 7 ? 0 : pick([0, 0, 1])
  const nodes: Manifest['nodes'] = []
  for (let i = 0; i < validators + observers; i++) {
    const n: Manifest['nodes'][number] = { role: i < validators ? 'validator' : 'observer', faults: [] }
    if (r() < 0.2) n.kernel = pick(['simd', 'scalar'])
    nodes.push(n)
  }
  const f = faultTolerance(validators)
  const expectHalt = r() < 0.1
  let byz: number | null = null
  if (!expectHalt && r() < 0.3) {
    byz = int(0, validators - 1)
    nodes[byz].faults = [pick(BYZANTINE_FAULTS)]
  }
  const perturbations: Perturbation[] = []
  const m: Manifest = {
    version: 1, name: `seed-${seed}`, seed, nodes, load: { txIntervalMs: pick([200, 250, 250, 500]) },
    durationSeconds: 0, perturbations, expectHalt, recoveryBoundSeconds: 45
  }
  const count = int(1, 3)
  let t = int(6, 10)
  if (expectHalt) {
    // f + 1 validators paused together: no quorum, then they return
    const dur = int(6, 10)
    const chosen = [...Array(validators).keys()].sort(() => r() - 0.5).slice(0, f + 1)
    for (const node of chosen) perturbations.push({ at: t, type: 'pause', node, durationSeconds: dur })
    t += dur + int(6, 10)
  }
  for (let k = 0; k < count; k++) {
    for (let attempt = 0; attempt < 20; attempt++) {
      const type = pick(TYPES)
      const node = byz !== null && r() < 0.5 ? byz : int(0, nodes.length - 1)
      const p: Perturbation = { at: t, type, node, durationSeconds: type === 'restart' ? 0 : type === 'kill' ? int(1, 4) : int(3, 8) }
      if (type === 'clock-skew') p.skewSeconds = pick([-1, 1]) * pick([2, 5, 30, 120])
      const trial = { ...m, perturbations: [...perturbations, p] }
      if (!expectHalt && maxFaultyValidators(trial) > f) continue
      if (perturbations.some((q) => q.node === node && q.at + q.durationSeconds + 12 > t)) continue
      perturbations.push(p)
      // sometimes overlap the next one with this one (on another node), else leave a gap
      t += r() < 0.3 ? int(1, 3) : p.durationSeconds + int(8, 14)
      break
    }
  }
  const lastEnd = Math.max(...perturbations.map((p) => p.at + p.durationSeconds + (p.type === 'clock-skew' || p.type === 'restart' ? 8 : 0)), 10)
  m.durationSeconds = Math.ceil(lastEnd + 15)
  return parseManifest(JSON.parse(JSON.stringify(m)))
}
