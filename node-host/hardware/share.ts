/**
 * Sharing policy: what part of this machine the operator offers to the mesh.
 * `describeShareable` checks the policy against the hardware that really
 * exists and turns it into asset descriptions ready to register.
 */
import path from 'node:path'
import { InvalidArgumentError } from '../../ts/errors.ts'
import type { HardwareReport } from './read.ts'
import { formatBytes, parseSize } from './parse.ts'

/** Privacy levels from ARCHITECTURE.md (Assets): who may allocate or address the asset. */
export const PRIVACY_LEVELS = ['Private', 'PrivateNetwork', 'P2P', 'PublicNetwork', 'FullPublic'] as const
export type PrivacyLevel = typeof PRIVACY_LEVELS[number]

export interface SharingPolicy {
  /** Logical cores to offer. */
  cpuCores?: number
  /** Memory to offer, in bytes. */
  memoryBytes?: number
  /** Storage to offer: a directory and how many bytes under it. */
  storage?: Array<{ path: string, bytes: number }>
  /** GPU indexes (as listed by readHardware) to offer. */
  gpus?: number[]
  /** Network interfaces to offer, optionally capped in Mb/s. */
  network?: Array<{ interface: string, mbps?: number }>
  /** Default 'Private': nothing is offered beyond the owner until they say so. */
  privacy?: PrivacyLevel
}

export type ShareableAsset =
  | { kind: 'Cpu', privacy: PrivacyLevel, cores: number, model: string, mhz: number | null, features: string[] }
  | { kind: 'Memory', privacy: PrivacyLevel, bytes: number }
  | { kind: 'Storage', privacy: PrivacyLevel, path: string, mountPoint: string, fsType: string, bytes: number }
  | { kind: 'Gpu', privacy: PrivacyLevel, index: number, name: string, vendor: string, memoryBytes: number | null }
  | { kind: 'Network', privacy: PrivacyLevel, interface: string, mbps: number | null, addresses: string[] }

/** The mount containing `p` (longest matching mount point). */
function mountOf (hw: HardwareReport, p: string): HardwareReport['disks'][number] | undefined {
  let best: HardwareReport['disks'][number] | undefined
  for (const d of hw.disks) {
    const mp = d.mountPoint
    const inside = p === mp || p.startsWith(mp.endsWith('/') ? mp : mp + '/')
    if (inside && (best === undefined || mp.length > best.mountPoint.length)) best = d
  }
  return best
}

function positiveInt (v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw new InvalidArgumentError(`${what} must be a positive integer, got ${String(v)}`)
  return v
}

/**
 * Validates `policy` against `hw` and returns one asset description per
 * offered resource. Throws InvalidArgumentError naming the first problem
 * (more cores than exist, a path on no known disk, more bytes than free ...).
 */
export function describeShareable (hw: HardwareReport, policy: SharingPolicy): ShareableAsset[] {
  const privacy = policy.privacy ?? 'Private'
  if (!PRIVACY_LEVELS.includes(privacy)) throw new InvalidArgumentError(`privacy must be one of ${PRIVACY_LEVELS.join(', ')}`)
  const out: ShareableAsset[] = []
  if (policy.cpuCores !== undefined) {
    const cores = positiveInt(policy.cpuCores, 'cpuCores')
    if (cores > hw.cpu.logicalCores) throw new InvalidArgumentError(`cpuCores: ${cores} requested but this machine has ${hw.cpu.logicalCores} logical cores`)
    const f = Object.entries(hw.cpu.features).filter(([, on]) => on).map(([k]) => k)
    out.push({ kind: 'Cpu', privacy, cores, model: hw.cpu.model, mhz: hw.cpu.maxMhz ?? hw.cpu.mhz, features: f })
  }
  if (policy.memoryBytes !== undefined) {
    const bytes = positiveInt(policy.memoryBytes, 'memoryBytes')
    if (bytes > hw.memory.availableBytes) {
      throw new InvalidArgumentError(`memoryBytes: ${formatBytes(bytes)} requested but only ${formatBytes(hw.memory.availableBytes)} is available (of ${formatBytes(hw.memory.totalBytes)})`)
    }
    out.push({ kind: 'Memory', privacy, bytes })
  }
  const storagePaths = new Set<string>()
  for (const s of policy.storage ?? []) {
    if (typeof s.path !== 'string' || !path.isAbsolute(s.path)) throw new InvalidArgumentError(`storage path must be absolute, got ${JSON.stringify(s.path)}`)
    const p = path.resolve(s.path)
    if (storagePaths.has(p)) throw new InvalidArgumentError(`storage path ${p} listed twice`)
    storagePaths.add(p)
    const bytes = positiveInt(s.bytes, `storage ${p} bytes`)
    const disk = mountOf(hw, p)
    if (disk === undefined) throw new InvalidArgumentError(`storage path ${p} is on no disk this machine reports`)
    if (disk.readOnly) throw new InvalidArgumentError(`storage path ${p} is on a read-only filesystem (${disk.mountPoint})`)
    if (bytes > disk.availableBytes) {
      throw new InvalidArgumentError(`storage ${p}: ${formatBytes(bytes)} requested but ${disk.mountPoint} has ${formatBytes(disk.availableBytes)} available`)
    }
    out.push({ kind: 'Storage', privacy, path: p, mountPoint: disk.mountPoint, fsType: disk.fsType, bytes })
  }
  // two storage offers on one filesystem must fit together
  const perMount = new Map<string, number>()
  for (const a of out) if (a.kind === 'Storage') perMount.set(a.mountPoint, (perMount.get(a.mountPoint) ?? 0) + a.bytes)
  for (const [mp, total] of perMount) {
    const disk = hw.disks.find((d) => d.mountPoint === mp)
    if (disk !== undefined && total > disk.availableBytes) throw new InvalidArgumentError(`storage on ${mp}: ${formatBytes(total)} in total exceeds ${formatBytes(disk.availableBytes)} available`)
  }
  for (const idx of policy.gpus ?? []) {
    const gpu = hw.gpus.find((g) => g.index === idx)
    if (gpu === undefined) {
      throw new InvalidArgumentError(hw.gpus.length === 0 ? `gpu ${idx}: this machine has no GPU` : `gpu ${idx}: no such GPU (have ${hw.gpus.map((g) => g.index).join(', ')})`)
    }
    if (out.some((a) => a.kind === 'Gpu' && a.index === idx)) throw new InvalidArgumentError(`gpu ${idx} listed twice`)
    out.push({ kind: 'Gpu', privacy, index: gpu.index, name: gpu.name, vendor: gpu.vendor, memoryBytes: gpu.memoryBytes })
  }
  for (const n of policy.network ?? []) {
    const nic = hw.network.find((i) => i.name === n.interface)
    if (nic === undefined) throw new InvalidArgumentError(`network interface ${JSON.stringify(n.interface)} does not exist (have ${hw.network.map((i) => i.name).join(', ')})`)
    if (nic.internal) throw new InvalidArgumentError(`network interface ${nic.name} is loopback: nothing to share`)
    if (!nic.up) throw new InvalidArgumentError(`network interface ${nic.name} is down`)
    let mbps = nic.speedMbps
    if (n.mbps !== undefined) {
      const cap = positiveInt(n.mbps, `network ${nic.name} mbps`)
      if (nic.speedMbps !== null && cap > nic.speedMbps) throw new InvalidArgumentError(`network ${nic.name}: ${cap} Mb/s requested but the link runs at ${nic.speedMbps} Mb/s`)
      mbps = cap
    }
    out.push({ kind: 'Network', privacy, interface: nic.name, mbps, addresses: nic.addresses.map((a) => a.address) })
  }
  return out
}

/**
 * Builds a policy from command-line style strings:
 * cores "2", memory "4GiB", storage "/data:10GiB", gpu "0", network "eth0" or "eth0:100".
 */
export function policyFromStrings (o: { cores?: string, memory?: string, storage?: string[], gpu?: string[], network?: string[], privacy?: string }): SharingPolicy {
  const p: SharingPolicy = {}
  if (o.cores !== undefined) {
    if (!/^\d+$/.test(o.cores)) throw new InvalidArgumentError(`--share-cores expects a whole number, got ${JSON.stringify(o.cores)}`)
    p.cpuCores = Number(o.cores)
  }
  if (o.memory !== undefined) {
    const b = parseSize(o.memory)
    if (b === undefined) throw new InvalidArgumentError(`--share-memory expects a size like 4GiB, got ${JSON.stringify(o.memory)}`)
    p.memoryBytes = b
  }
  if (o.storage !== undefined && o.storage.length > 0) {
    p.storage = o.storage.map((s) => {
      const i = s.lastIndexOf(':')
      const bytes = i > 0 ? parseSize(s.slice(i + 1)) : undefined
      if (i <= 0 || bytes === undefined) throw new InvalidArgumentError(`--share-storage expects PATH:SIZE like /data:10GiB, got ${JSON.stringify(s)}`)
      return { path: s.slice(0, i), bytes }
    })
  }
  if (o.gpu !== undefined && o.gpu.length > 0) {
    p.gpus = o.gpu.map((g) => {
      if (!/^\d+$/.test(g)) throw new InvalidArgumentError(`--share-gpu expects a GPU index, got ${JSON.stringify(g)}`)
      return Number(g)
    })
  }
  if (o.network !== undefined && o.network.length > 0) {
    p.network = o.network.map((n) => {
      const [name, cap] = n.split(':')
      if (name === '' || (cap !== undefined && !/^\d+$/.test(cap))) throw new InvalidArgumentError(`--share-network expects IFACE or IFACE:MBPS, got ${JSON.stringify(n)}`)
      return cap === undefined ? { interface: name } : { interface: name, mbps: Number(cap) }
    })
  }
  if (o.privacy !== undefined) {
    if (!(PRIVACY_LEVELS as readonly string[]).includes(o.privacy)) throw new InvalidArgumentError(`--privacy must be one of ${PRIVACY_LEVELS.join(', ')}`)
    p.privacy = o.privacy as PrivacyLevel
  }
  return p
}
