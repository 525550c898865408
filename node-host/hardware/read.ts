/**
 * Hardware adapters: read what this machine really has (CPU, memory, disks,
 * GPUs, network interfaces) from `os`, /proc and /sys. Everything returned is
 * plain JSON-able data.
 */
import os from 'node:os'
import { readFile, readdir, statfs, access, constants as fsConstants } from 'node:fs/promises'
import { execFile } from 'node:child_process'
import path from 'node:path'
import { parseCpuinfo, parseMeminfo, parseMounts, realMounts } from './parse.ts'

export interface CpuInfo {
  model: string
  vendor: string | null
  arch: string
  /** Logical processors the OS schedules on. */
  logicalCores: number
  /** Physical cores when /proc/cpuinfo tells them, else null. */
  physicalCores: number | null
  /** Current (or nominal) frequency in MHz when known. */
  mhz: number | null
  /** Maximum frequency in MHz from cpufreq, when the kernel exposes it. */
  maxMhz: number | null
  /** 1, 5 and 15 minute load averages. */
  loadAverage: [number, number, number]
  /** Instruction-set features that matter to HyperMesh kernels. */
  features: { sha: boolean, avx2: boolean, avx512: boolean, aes: boolean }
}

export interface MemoryInfo {
  totalBytes: number
  freeBytes: number
  /** What the kernel estimates can be allocated without swapping (MemAvailable). */
  availableBytes: number
  swapTotalBytes: number
  swapFreeBytes: number
}

export interface DiskInfo {
  device: string
  mountPoint: string
  fsType: string
  readOnly: boolean
  totalBytes: number
  freeBytes: number
  /** Bytes an unprivileged writer can still use. */
  availableBytes: number
}

export interface GpuInfo {
  index: number
  name: string
  vendor: string
  /** Where it was seen: 'drm' (/sys/class/drm) or 'nvidia-smi'. */
  source: 'drm' | 'nvidia-smi'
  pciAddress: string | null
  driver: string | null
  memoryBytes: number | null
}

export interface NetworkInterfaceInfo {
  name: string
  mac: string | null
  addresses: Array<{ address: string, family: 'IPv4' | 'IPv6', cidr: string | null }>
  internal: boolean
  up: boolean
  mtu: number | null
  /** Link speed in Mb/s when the driver reports one. */
  speedMbps: number | null
}

export interface HardwareReport {
  hostname: string
  platform: string
  kernel: string
  uptimeSeconds: number
  cpu: CpuInfo
  memory: MemoryInfo
  disks: DiskInfo[]
  gpus: GpuInfo[]
  network: NetworkInterfaceInfo[]
  readAt: string
}

export interface ReadHardwareOptions {
  /** Where /proc is (tests point it at fixtures). */
  procRoot?: string
  /** Where /sys is. */
  sysRoot?: string
  /** Set false to never run nvidia-smi even if present. */
  nvidiaSmi?: boolean
}

async function readText (file: string): Promise<string | undefined> {
  try { return await readFile(file, 'utf8') } catch { return undefined }
}

async function readNumber (file: string): Promise<number | null> {
  const t = await readText(file)
  if (t === undefined) return null
  const n = Number(t.trim())
  return Number.isFinite(n) ? n : null
}

export async function readCpu (opts: ReadHardwareOptions = {}): Promise<CpuInfo> {
  const proc = opts.procRoot ?? '/proc'
  const sys = opts.sysRoot ?? '/sys'
  const info = parseCpuinfo((await readText(path.join(proc, 'cpuinfo'))) ?? '')
  const cpus = os.cpus()
  const maxKHz = await readNumber(path.join(sys, 'devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq'))
  const curKHz = await readNumber(path.join(sys, 'devices/system/cpu/cpu0/cpufreq/scaling_cur_freq'))
  const osMhz = cpus.length > 0 && cpus[0].speed > 0 ? cpus[0].speed : null
  const flags = new Set(info.flags)
  const la = os.loadavg()
  return {
    model: info.model ?? cpus[0]?.model ?? 'unknown',
    vendor: info.vendor ?? null,
    arch: os.arch(),
    logicalCores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    physicalCores: info.physicalCores ?? null,
    mhz: curKHz !== null ? Math.round(curKHz / 1000) : info.mhz !== undefined ? Math.round(info.mhz) : osMhz,
    maxMhz: maxKHz !== null ? Math.round(maxKHz / 1000) : null,
    loadAverage: [la[0], la[1], la[2]],
    features: {
      sha: flags.has('sha_ni') || flags.has('sha2'),
      avx2: flags.has('avx2'),
      avx512: flags.has('avx512f'),
      aes: flags.has('aes')
    }
  }
}

export async function readMemory (opts: ReadHardwareOptions = {}): Promise<MemoryInfo> {
  const m = parseMeminfo((await readText(path.join(opts.procRoot ?? '/proc', 'meminfo'))) ?? '')
  const total = m.get('MemTotal') ?? os.totalmem()
  const free = m.get('MemFree') ?? os.freemem()
  return {
    totalBytes: total,
    freeBytes: free,
    availableBytes: m.get('MemAvailable') ?? free,
    swapTotalBytes: m.get('SwapTotal') ?? 0,
    swapFreeBytes: m.get('SwapFree') ?? 0
  }
}

export async function readDisks (opts: ReadHardwareOptions = {}): Promise<DiskInfo[]> {
  const mounts = realMounts(parseMounts((await readText(path.join(opts.procRoot ?? '/proc', 'mounts'))) ?? ''))
  const out: DiskInfo[] = []
  const seen = new Set<string>()
  for (const m of mounts) {
    try {
      const s = await statfs(m.mountPoint)
      // bind mounts of one filesystem show the same device and geometry: list it once
      const key = `${m.device}|${s.blocks}|${s.bsize}`
      if (seen.has(key)) continue
      seen.add(key)
      if (s.blocks === 0) continue
      out.push({
        device: m.device,
        mountPoint: m.mountPoint,
        fsType: m.fsType,
        readOnly: m.options.includes('ro'),
        totalBytes: s.blocks * s.bsize,
        freeBytes: s.bfree * s.bsize,
        availableBytes: s.bavail * s.bsize
      })
    } catch {
      // a mount point we may not stat (permissions, stale network mount): not shareable
    }
  }
  return out
}

const PCI_VENDORS: Record<string, string> = { '0x10de': 'NVIDIA', '0x1002': 'AMD', '0x8086': 'Intel', '0x1af4': 'virtio', '0x1234': 'QEMU', '0x15ad': 'VMware', '0x1b36': 'Red Hat' }

async function readDrmGpus (sys: string): Promise<GpuInfo[]> {
  let entries: string[]
  try { entries = await readdir(path.join(sys, 'class/drm')) } catch { return [] }
  const cards = entries.filter((e) => /^card\d+$/.test(e)).sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))
  const out: GpuInfo[] = []
  for (const card of cards) {
    const dev = path.join(sys, 'class/drm', card, 'device')
    const vendorId = (await readText(path.join(dev, 'vendor')))?.trim()
    const deviceId = (await readText(path.join(dev, 'device')))?.trim()
    const uevent = (await readText(path.join(dev, 'uevent'))) ?? ''
    const driver = /^DRIVER=(.+)$/m.exec(uevent)?.[1] ?? null
    const pci = /^PCI_SLOT_NAME=(.+)$/m.exec(uevent)?.[1] ?? null
    const vram = await readNumber(path.join(dev, 'mem_info_vram_total'))
    const vendor = vendorId !== undefined ? (PCI_VENDORS[vendorId] ?? vendorId) : 'unknown'
    out.push({
      index: out.length,
      name: `${vendor} ${deviceId ?? ''}`.trim(),
      vendor,
      source: 'drm',
      pciAddress: pci,
      driver,
      memoryBytes: vram
    })
  }
  return out
}

/** Finds an executable on PATH without running a shell. */
export async function which (cmd: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue
    const p = path.join(dir, cmd)
    try { await access(p, fsConstants.X_OK); return p } catch {}
  }
  return undefined
}

async function readNvidiaGpus (): Promise<GpuInfo[]> {
  const bin = await which('nvidia-smi')
  if (bin === undefined) return []
  const text = await new Promise<string>((resolve) => {
    execFile(bin, ['--query-gpu=index,name,memory.total,pci.bus_id,driver_version', '--format=csv,noheader,nounits'],
      { timeout: 5000 }, (err, stdout) => resolve(err === null ? stdout : ''))
  })
  const out: GpuInfo[] = []
  for (const line of text.split('\n')) {
    const f = line.split(',').map((s) => s.trim())
    if (f.length < 5 || !/^\d+$/.test(f[0])) continue
    const mib = Number(f[2])
    out.push({ index: Number(f[0]), name: f[1], vendor: 'NVIDIA', source: 'nvidia-smi', pciAddress: f[3], driver: `nvidia ${f[4]}`, memoryBytes: Number.isFinite(mib) ? mib * 2 ** 20 : null })
  }
  return out
}

export async function readGpus (opts: ReadHardwareOptions = {}): Promise<GpuInfo[]> {
  const nv = opts.nvidiaSmi === false ? [] : await readNvidiaGpus()
  // nvidia-smi knows names and memory; drm covers every other vendor. Do not list an NVIDIA card twice.
  const drm = (await readDrmGpus(opts.sysRoot ?? '/sys')).filter((g) => nv.length === 0 || g.vendor !== 'NVIDIA')
  return [...nv, ...drm].map((g, index) => ({ ...g, index }))
}

export async function readNetwork (opts: ReadHardwareOptions = {}): Promise<NetworkInterfaceInfo[]> {
  const sys = opts.sysRoot ?? '/sys'
  const ifs = os.networkInterfaces()
  let names: string[] = Object.keys(ifs)
  try { names = [...new Set([...names, ...(await readdir(path.join(sys, 'class/net')))])] } catch {}
  names.sort()
  const out: NetworkInterfaceInfo[] = []
  for (const name of names) {
    const addrs = ifs[name] ?? []
    const base = path.join(sys, 'class/net', name)
    const oper = (await readText(path.join(base, 'operstate')))?.trim()
    const speed = await readNumber(path.join(base, 'speed'))
    const mac = addrs.find((a) => a.mac !== '00:00:00:00:00:00')?.mac ?? (await readText(path.join(base, 'address')))?.trim() ?? null
    const internal = addrs.length > 0 ? addrs.every((a) => a.internal) : name === 'lo'
    out.push({
      name,
      mac: mac === '00:00:00:00:00:00' ? null : mac,
      addresses: addrs.map((a) => ({ address: a.address, family: a.family, cidr: a.cidr })),
      internal,
      up: oper === 'up' || (oper === 'unknown' && addrs.length > 0),
      mtu: await readNumber(path.join(base, 'mtu')),
      speedMbps: speed !== null && speed > 0 ? speed : null
    })
  }
  return out
}

/** Reads everything at once. */
export async function readHardware (opts: ReadHardwareOptions = {}): Promise<HardwareReport> {
  const [cpu, memory, disks, gpus, network] = await Promise.all([readCpu(opts), readMemory(opts), readDisks(opts), readGpus(opts), readNetwork(opts)])
  return {
    hostname: os.hostname(),
    platform: os.platform(),
    kernel: os.release(),
    uptimeSeconds: Math.round(os.uptime()),
    cpu,
    memory,
    disks,
    gpus,
    network,
    readAt: new Date().toISOString()
  }
}

/**
 * CPU utilisation between two calls, from the kernel's per-CPU tick counters
 * (os.cpus().times). Finer than load averages: the dashboard plots it.
 */
export class CpuUsageSampler {
  private last: { idle: number, total: number } | undefined

  private static snapshot (): { idle: number, total: number } {
    let idle = 0; let total = 0
    for (const c of os.cpus()) {
      idle += c.times.idle
      total += c.times.idle + c.times.user + c.times.nice + c.times.sys + c.times.irq
    }
    return { idle, total }
  }

  constructor () { this.last = CpuUsageSampler.snapshot() }

  /** Busy fraction 0..1 since the previous call (or since construction). */
  sample (): number {
    const now = CpuUsageSampler.snapshot()
    const prev = this.last ?? now
    this.last = now
    const dt = now.total - prev.total
    if (dt <= 0) return 0
    return Math.min(1, Math.max(0, 1 - (now.idle - prev.idle) / dt))
  }
}
