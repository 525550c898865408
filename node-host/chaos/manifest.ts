/**
 * Chaos manifests: a network of `hypermesh up` processes, its load and a
 * schedule of perturbations (docs/chaos.md is the schema's reference). Parsed
 * strictly: an unknown field, a wrong type, an out-of-range value or a
 * schedule that cannot be carried out is a ManifestError naming the field.
 */
import { TEST_FAULTS, type TestFault } from '../node/test-faults.ts'
import { KERNEL_NAMES } from '../kernel/select.ts'

export const MANIFEST_VERSION = 1
export const MAX_CHAOS_NODES = 16
export const MAX_DURATION_SECONDS = 3600
export const PERTURBATION_TYPES = ['kill', 'restart', 'pause', 'disconnect', 'disk-full', 'clock-skew'] as const
export type PerturbationType = typeof PERTURBATION_TYPES[number]
export const BYZANTINE_FAULTS = ['equivocate', 'withhold', 'invalid-proofs'] as const
export const BROKEN_BUILD_FAULTS = ['ack-before-durable', 'vote-without-persist'] as const

/** A manifest that is not valid: `path` names the field (e.g. `perturbations[2].node`). */
export class ManifestError extends Error {
  static override readonly name = 'ManifestError'
  override readonly name = 'ManifestError'
  readonly path: string
  constructor (path: string, message: string) {
    super(`manifest ${path}: ${message}`)
    this.path = path
  }
}

export interface NodeSpec {
  role: 'validator' | 'observer'
  /** Forced hashing kernel (default: the node's own choice). */
  kernel?: string
  /** Test-build faults of this node (Byzantine behaviour or a deliberately broken build). */
  faults: TestFault[]
  /** This node's status-transaction interval (overrides load.txIntervalMs). */
  txIntervalMs?: number
}

export interface Perturbation {
  /** Seconds from the moment every node is up. */
  at: number
  type: PerturbationType
  /** Index into `nodes`. */
  node: number
  /** kill: seconds down before the start again (default 2). pause/disconnect/disk-full/clock-skew: how long the fault lasts. */
  durationSeconds: number
  /** clock-skew only: seconds added to the node's clock (negative: behind). */
  skewSeconds?: number
  /**
   * Optional trigger: after `at`, wait (up to 30 s) until the finalized height h is such
   * that validator `whenProposer` (index into nodes) proposes round 0 of height h + 1.
   */
  whenProposer?: number
}

export interface Manifest {
  version: 1
  name: string
  /** The generator's seed (informational; reproduction uses the manifest itself). */
  seed?: number
  nodes: NodeSpec[]
  load: { txIntervalMs: number }
  durationSeconds: number
  perturbations: Perturbation[]
  /** More than f validators are faulty at some moment: a halt is expected, then recovery. */
  expectHalt: boolean
  /** Finality must resume within this many seconds after the last perturbation ends (default 45). */
  recoveryBoundSeconds: number
}

type Obj = Record<string, unknown>

function isObj (v: unknown): v is Obj { return typeof v === 'object' && v !== null && !Array.isArray(v) }

function onlyKeys (o: Obj, allowed: readonly string[], at: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new ManifestError(at === '' ? k : `${at}.${k}`, `unknown field (allowed: ${allowed.join(', ')})`)
}

function num (v: unknown, at: string, min: number, max: number, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ManifestError(at, `expected a number, got ${JSON.stringify(v)}`)
  if (integer && !Number.isSafeInteger(v)) throw new ManifestError(at, `expected an integer, got ${v}`)
  if (v < min || v > max) throw new ManifestError(at, `${v} is outside ${min}..${max}`)
  return v
}

/** Number of faulty validators a mesh of `validators` tolerates (f with n ≥ 3f + 1). */
export function faultTolerance (validators: number): number { return Math.floor((validators - 1) / 3) }

/** When a perturbation's fault ends (seconds from start): a kill ends at the start again, a restart at once. */
export function perturbationEnd (p: Perturbation): number {
  return p.type === 'restart' ? p.at : p.at + p.durationSeconds
}

/** The most validators faulty at one moment (Byzantine/broken ones counted throughout). */
export function maxFaultyValidators (m: Manifest): number {
  const byz = new Set(m.nodes.flatMap((n, i) => n.role === 'validator' && n.faults.length > 0 ? [i] : []))
  const points = [...new Set(m.perturbations.flatMap((p) => [p.at, p.at + 0.001]))]
  let worst = byz.size
  for (const t of points) {
    const down = new Set(byz)
    for (const p of m.perturbations) {
      if (m.nodes[p.node].role !== 'validator') continue
      // a restart is a few seconds of downtime too; a clock-skewed validator restarts twice
      const end = p.type === 'restart' ? p.at + 10 : perturbationEnd(p) + (p.type === 'clock-skew' || p.type === 'kill' ? 10 : 0)
      if (t >= p.at && t < end) down.add(p.node)
    }
    worst = Math.max(worst, down.size)
  }
  return worst
}

/** Parses and validates a manifest (the JSON value); throws ManifestError naming the first bad field. */
export function parseManifest (raw: unknown): Manifest {
  if (!isObj(raw)) throw new ManifestError('(root)', 'expected a JSON object')
  onlyKeys(raw, ['version', 'name', 'seed', 'nodes', 'load', 'durationSeconds', 'perturbations', 'expectHalt', 'recoveryBoundSeconds'], '')
  if (raw.version !== MANIFEST_VERSION) throw new ManifestError('version', `expected ${MANIFEST_VERSION}, got ${JSON.stringify(raw.version)}`)
  const name = raw.name ?? 'unnamed'
  if (typeof name !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(name)) throw new ManifestError('name', 'expected 1..64 characters of A-Z a-z 0-9 . _ -')
  const seed = raw.seed === undefined ? undefined : num(raw.seed, 'seed', 0, 2 ** 32 - 1, true)

  if (!Array.isArray(raw.nodes)) throw new ManifestError('nodes', 'expected an array of node objects')
  if (raw.nodes.length < 1 || raw.nodes.length > MAX_CHAOS_NODES) throw new ManifestError('nodes', `expected 1..${MAX_CHAOS_NODES} nodes, got ${raw.nodes.length}`)
  const nodes: NodeSpec[] = raw.nodes.map((n: unknown, i: number) => {
    const at = `nodes[${i}]`
    if (!isObj(n)) throw new ManifestError(at, 'expected an object')
    onlyKeys(n, ['role', 'kernel', 'faults', 'txIntervalMs'], at)
    const role = n.role ?? 'validator'
    if (role !== 'validator' && role !== 'observer') throw new ManifestError(`${at}.role`, `expected "validator" or "observer", got ${JSON.stringify(role)}`)
    const spec: NodeSpec = { role, faults: [] }
    if (n.kernel !== undefined) {
      if (typeof n.kernel !== 'string' || !(KERNEL_NAMES as readonly string[]).includes(n.kernel)) throw new ManifestError(`${at}.kernel`, `expected one of ${KERNEL_NAMES.join(', ')}`)
      spec.kernel = n.kernel
    }
    if (n.faults !== undefined) {
      if (!Array.isArray(n.faults)) throw new ManifestError(`${at}.faults`, 'expected an array')
      for (const [j, f] of n.faults.entries()) {
        if (typeof f !== 'string' || !(TEST_FAULTS as readonly string[]).includes(f)) throw new ManifestError(`${at}.faults[${j}]`, `unknown fault ${JSON.stringify(f)} (known: ${TEST_FAULTS.join(', ')})`)
        if (spec.faults.includes(f as TestFault)) throw new ManifestError(`${at}.faults[${j}]`, `${f} listed twice`)
        spec.faults.push(f as TestFault)
      }
      if (spec.faults.length > 0 && role !== 'validator') throw new ManifestError(`${at}.faults`, 'only validators can be run with faults')
    }
    if (n.txIntervalMs !== undefined) spec.txIntervalMs = num(n.txIntervalMs, `${at}.txIntervalMs`, 0, 60_000, true)
    return spec
  })
  const validators = nodes.filter((n) => n.role === 'validator').length
  if (validators === 0) throw new ManifestError('nodes', 'at least one node must be a validator')

  let load = { txIntervalMs: 250 }
  if (raw.load !== undefined) {
    if (!isObj(raw.load)) throw new ManifestError('load', 'expected an object')
    onlyKeys(raw.load, ['txIntervalMs'], 'load')
    if (raw.load.txIntervalMs !== undefined) load = { txIntervalMs: num(raw.load.txIntervalMs, 'load.txIntervalMs', 0, 60_000, true) }
  }
  const durationSeconds = num(raw.durationSeconds, 'durationSeconds', 5, MAX_DURATION_SECONDS)
  const expectHalt = raw.expectHalt ?? false
  if (typeof expectHalt !== 'boolean') throw new ManifestError('expectHalt', 'expected true or false')
  const recoveryBoundSeconds = raw.recoveryBoundSeconds === undefined ? 45 : num(raw.recoveryBoundSeconds, 'recoveryBoundSeconds', 5, 600)

  const rawP = raw.perturbations ?? []
  if (!Array.isArray(rawP)) throw new ManifestError('perturbations', 'expected an array')
  if (rawP.length > 64) throw new ManifestError('perturbations', 'at most 64 perturbations')
  const perturbations: Perturbation[] = rawP.map((p: unknown, i: number) => {
    const at = `perturbations[${i}]`
    if (!isObj(p)) throw new ManifestError(at, 'expected an object')
    onlyKeys(p, ['at', 'type', 'node', 'durationSeconds', 'skewSeconds', 'whenProposer'], at)
    if (typeof p.type !== 'string' || !(PERTURBATION_TYPES as readonly string[]).includes(p.type)) throw new ManifestError(`${at}.type`, `expected one of ${PERTURBATION_TYPES.join(', ')}`)
    const type = p.type as PerturbationType
    const out: Perturbation = {
      at: num(p.at, `${at}.at`, 0, durationSeconds),
      type,
      node: num(p.node, `${at}.node`, 0, nodes.length - 1, true),
      durationSeconds: 0
    }
    if (type === 'restart') {
      if (p.durationSeconds !== undefined && p.durationSeconds !== 0) throw new ManifestError(`${at}.durationSeconds`, 'a restart has no duration (omit it or give 0)')
    } else if (type === 'kill') {
      out.durationSeconds = p.durationSeconds === undefined ? 2 : num(p.durationSeconds, `${at}.durationSeconds`, 0, MAX_DURATION_SECONDS)
    } else {
      out.durationSeconds = num(p.durationSeconds, `${at}.durationSeconds`, 0.5, MAX_DURATION_SECONDS)
    }
    if (type === 'clock-skew') {
      const s = num(p.skewSeconds, `${at}.skewSeconds`, -3600, 3600)
      if (s === 0) throw new ManifestError(`${at}.skewSeconds`, 'a skew of 0 is no perturbation')
      out.skewSeconds = s
    } else if (p.skewSeconds !== undefined) throw new ManifestError(`${at}.skewSeconds`, 'only for clock-skew')
    if (p.whenProposer !== undefined) {
      const w = num(p.whenProposer, `${at}.whenProposer`, 0, nodes.length - 1, true)
      if (nodes[w].role !== 'validator') throw new ManifestError(`${at}.whenProposer`, `node ${w} is not a validator`)
      out.whenProposer = w
    }
    if (perturbationEnd(out) > durationSeconds) throw new ManifestError(at, `ends at ${perturbationEnd(out)} s, after durationSeconds ${durationSeconds}`)
    return out
  })
  // one fault at a time per node: overlapping perturbations of one process cannot both be carried out
  const byNode = new Map<number, Perturbation[]>()
  for (const p of perturbations) byNode.set(p.node, [...(byNode.get(p.node) ?? []), p])
  for (const [node, list] of byNode) {
    const sorted = [...list].sort((a, b) => a.at - b.at)
    for (let i = 1; i < sorted.length; i++) {
      const prevEnd = perturbationEnd(sorted[i - 1]) + (sorted[i - 1].type === 'restart' ? 3 : 0)
      if (sorted[i].at < prevEnd + 1) {
        throw new ManifestError('perturbations', `node ${node}: ${sorted[i].type} at ${sorted[i].at} s overlaps ${sorted[i - 1].type} at ${sorted[i - 1].at} s (leave ≥ 1 s between faults of one node)`)
      }
    }
  }
  const m: Manifest = { version: 1, name, ...(seed !== undefined ? { seed } : {}), nodes, load, durationSeconds, perturbations, expectHalt, recoveryBoundSeconds }
  const f = faultTolerance(validators)
  const worst = maxFaultyValidators(m)
  if (worst > f && !expectHalt) {
    throw new ManifestError('expectHalt', `up to ${worst} of ${validators} validators are faulty at once (more than f = ${f}); set "expectHalt": true if that is the point`)
  }
  return m
}

/** Parses manifest text (JSON). */
export function parseManifestText (text: string): Manifest {
  let raw: unknown
  try { raw = JSON.parse(text) } catch (err) { throw new ManifestError('(root)', `not JSON: ${(err as Error).message}`) }
  return parseManifest(raw)
}
