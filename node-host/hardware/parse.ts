/**
 * Parsers for the Linux text files the hardware adapters read
 * (/proc/cpuinfo, /proc/meminfo, /proc/mounts). Pure functions so they can be
 * tested on fixed input as well as on the real machine.
 */

export interface CpuinfoSummary {
  model: string | undefined
  vendor: string | undefined
  /** Logical processors listed. */
  logical: number
  /** Distinct (physical id, core id) pairs; undefined when the file does not say. */
  physicalCores: number | undefined
  /** Average "cpu MHz" over processors, when listed. */
  mhz: number | undefined
  flags: string[]
}

/** Parses /proc/cpuinfo (x86 and arm64 layouts). */
export function parseCpuinfo (text: string): CpuinfoSummary {
  let model: string | undefined
  let vendor: string | undefined
  let logical = 0
  const cores = new Set<string>()
  let sawCoreIds = false
  const mhz: number[] = []
  let flags: string[] = []
  for (const block of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>()
    for (const line of block.split('\n')) {
      const i = line.indexOf(':')
      if (i < 0) continue
      fields.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim())
    }
    if (!fields.has('processor')) {
      // arm64 puts "Hardware"/"Model" in a trailing block without "processor"
      model ??= fields.get('model name') ?? fields.get('hardware')
      continue
    }
    logical++
    model ??= fields.get('model name') ?? fields.get('cpu model') ?? fields.get('uarch')
    vendor ??= fields.get('vendor_id') ?? fields.get('cpu implementer')
    const phys = fields.get('physical id'); const core = fields.get('core id')
    if (core !== undefined) { sawCoreIds = true; cores.add(`${phys ?? '0'}:${core}`) }
    const m = Number(fields.get('cpu mhz'))
    if (Number.isFinite(m) && m > 0) mhz.push(m)
    if (flags.length === 0) {
      const f = fields.get('flags') ?? fields.get('features')
      if (f !== undefined && f.length > 0) flags = f.split(/\s+/)
    }
  }
  return {
    model,
    vendor,
    logical,
    physicalCores: sawCoreIds ? cores.size : undefined,
    mhz: mhz.length > 0 ? mhz.reduce((a, b) => a + b, 0) / mhz.length : undefined,
    flags
  }
}

/** Parses /proc/meminfo into bytes per field (values given in kB are multiplied by 1024). */
export function parseMeminfo (text: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s+(kB))?\s*$/.exec(line)
    if (m === null) continue
    const n = Number(m[2])
    out.set(m[1], m[3] === 'kB' ? n * 1024 : n)
  }
  return out
}

export interface MountEntry {
  device: string
  mountPoint: string
  fsType: string
  options: string[]
}

/** Decodes the octal escapes /proc/mounts uses for spaces, tabs, newlines and backslashes. */
function unescapeMount (s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))
}

export function parseMounts (text: string): MountEntry[] {
  const out: MountEntry[] = []
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/)
    if (parts.length < 4) continue
    out.push({ device: unescapeMount(parts[0]), mountPoint: unescapeMount(parts[1]), fsType: parts[2], options: parts[3].split(',') })
  }
  return out
}

/** Filesystems that hold no operator data (kernel views, memory-backed, containers' plumbing). */
export const PSEUDO_FILESYSTEMS: ReadonlySet<string> = new Set([
  'proc', 'sysfs', 'devtmpfs', 'devpts', 'tmpfs', 'ramfs', 'cgroup', 'cgroup2', 'securityfs', 'debugfs',
  'tracefs', 'configfs', 'fusectl', 'mqueue', 'hugetlbfs', 'pstore', 'bpf', 'autofs', 'binfmt_misc',
  'rpc_pipefs', 'nsfs', 'efivarfs', 'selinuxfs', 'overlay', 'squashfs', 'fuse.lxcfs', 'fuse.gvfsd-fuse',
  'fuse.portal', 'devfs', 'none'
])

/** Keeps real block-device filesystems, one entry per mount point (the last mount wins, as the kernel does). */
export function realMounts (mounts: readonly MountEntry[]): MountEntry[] {
  const byPoint = new Map<string, MountEntry>()
  for (const m of mounts) {
    if (PSEUDO_FILESYSTEMS.has(m.fsType)) continue
    if (m.mountPoint.startsWith('/proc') || m.mountPoint.startsWith('/sys') || m.mountPoint.startsWith('/dev/') || m.mountPoint.startsWith('/run')) continue
    byPoint.set(m.mountPoint, m)
  }
  return [...byPoint.values()]
}

const SIZE_UNITS: Record<string, number> = {
  '': 1, b: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12,
  kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40
}

/** Parses "4GiB", "10 GB", "512MiB", "1024" into bytes; undefined when not a size. */
export function parseSize (text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text)
  if (m === null) return undefined
  const unit = SIZE_UNITS[m[2].toLowerCase()]
  if (unit === undefined) return undefined
  const v = Math.floor(Number(m[1]) * unit)
  return Number.isSafeInteger(v) ? v : undefined
}

/** Human form of a byte count in binary units, e.g. "23.5 GiB". */
export function formatBytes (n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let v = n; let i = 0
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`
}
