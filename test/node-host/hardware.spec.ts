import { describe, it, expect } from 'vitest'
import os from 'node:os'
import { statfs } from 'node:fs/promises'
import {
  readHardware, describeShareable, policyFromStrings, parseCpuinfo, parseMeminfo, parseMounts, realMounts, parseSize, formatBytes, CpuUsageSampler
} from '../../node-host/hardware/index.ts'
import type { HardwareReport } from '../../node-host/hardware/index.ts'

const CPUINFO = `processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Test CPU @ 3.00GHz
cpu MHz\t\t: 3000.000
physical id\t: 0
core id\t\t: 0
flags\t\t: fpu sse2 avx2 sha_ni aes

processor\t: 1
vendor_id\t: GenuineIntel
model name\t: Test CPU @ 3.00GHz
cpu MHz\t\t: 1000.000
physical id\t: 0
core id\t\t: 0
flags\t\t: fpu sse2 avx2 sha_ni aes
`

describe('parsers', () => {
  it('parses /proc/cpuinfo: model, logical vs physical cores (hyperthreads share a core id), mean MHz, flags', () => {
    const c = parseCpuinfo(CPUINFO)
    expect(c).toMatchObject({ model: 'Test CPU @ 3.00GHz', vendor: 'GenuineIntel', logical: 2, physicalCores: 1, mhz: 2000 })
    expect(c.flags).toContain('sha_ni')
  })
  it('parses arm64 cpuinfo without core ids', () => {
    const c = parseCpuinfo('processor\t: 0\nFeatures\t: fp asimd sha2\nCPU implementer\t: 0x41\n\nprocessor\t: 1\nFeatures\t: fp asimd sha2\n\nHardware\t: BCM2835\n')
    expect(c).toMatchObject({ logical: 2, physicalCores: undefined, vendor: '0x41', model: 'BCM2835' })
    expect(c.flags).toContain('sha2')
  })
  it('parses /proc/meminfo in bytes', () => {
    const m = parseMeminfo('MemTotal:       1000 kB\nMemFree:         10 kB\nHugePages_Total:       0\nbogus line\n')
    expect(m.get('MemTotal')).toBe(1024000)
    expect(m.get('MemFree')).toBe(10240)
    expect(m.get('HugePages_Total')).toBe(0)
    expect(m.size).toBe(3)
  })
  it('parses /proc/mounts with octal escapes and drops pseudo filesystems', () => {
    const mounts = parseMounts('proc /proc proc rw 0 0\n/dev/sda1 / ext4 rw,relatime 0 0\n/dev/sdb1 /mnt/my\\040disk xfs ro 0 0\ntmpfs /dev/shm tmpfs rw 0 0\ncgroup2 /sys/fs/cgroup cgroup2 rw 0 0\n')
    expect(mounts).toHaveLength(5)
    expect(mounts[2].mountPoint).toBe('/mnt/my disk')
    expect(realMounts(mounts).map((m) => m.mountPoint)).toEqual(['/', '/mnt/my disk'])
  })
  it('parses sizes and rejects non-sizes', () => {
    expect(parseSize('4GiB')).toBe(4 * 2 ** 30)
    expect(parseSize('10 GB')).toBe(10e9)
    expect(parseSize('512mib')).toBe(512 * 2 ** 20)
    expect(parseSize('1.5KiB')).toBe(1536)
    expect(parseSize('1024')).toBe(1024)
    for (const bad of ['', 'GiB', '4 parsecs', '-1GiB', '1e3', '99999999999 TiB']) expect(parseSize(bad)).toBeUndefined()
    expect(formatBytes(1536)).toBe('1.5 KiB')
    expect(formatBytes(12)).toBe('12 B')
  })
})

describe('readHardware on this machine', () => {
  it('agrees with what the OS reports', async () => {
    const hw = await readHardware()
    expect(JSON.parse(JSON.stringify(hw))).toEqual(hw) // JSON-able
    expect(hw.cpu.logicalCores).toBe(os.availableParallelism())
    expect(hw.cpu.model.length).toBeGreaterThan(0)
    expect(hw.cpu.loadAverage).toHaveLength(3)
    expect(hw.memory.totalBytes).toBe(os.totalmem())
    expect(hw.memory.availableBytes).toBeLessThanOrEqual(hw.memory.totalBytes)
    // the root filesystem is a real disk here, with the geometry statfs reports
    const root = hw.disks.find((d) => d.mountPoint === '/')
    expect(root).toBeDefined()
    const s = await statfs('/')
    expect(root!.totalBytes).toBe(s.blocks * s.bsize)
    expect(hw.disks.every((d) => !['proc', 'sysfs', 'tmpfs', 'cgroup', 'cgroup2'].includes(d.fsType))).toBe(true)
    // no GPU on this machine, reported as an empty list
    expect(Array.isArray(hw.gpus)).toBe(true)
    const lo = hw.network.find((n) => n.name === 'lo')
    expect(lo?.internal).toBe(true)
    expect(lo?.addresses.some((a) => a.address === '127.0.0.1')).toBe(true)
  })
  it('reads fixture /proc and /sys trees (drm GPU, cpufreq)', async () => {
    const { mkdtemp, mkdir, writeFile, rm } = await import('node:fs/promises')
    const path = await import('node:path')
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hm-hw-'))
    try {
      const proc = path.join(dir, 'proc'); const sys = path.join(dir, 'sys')
      await mkdir(proc, { recursive: true })
      await writeFile(path.join(proc, 'cpuinfo'), CPUINFO)
      await writeFile(path.join(proc, 'meminfo'), 'MemTotal: 2048 kB\nMemFree: 1024 kB\nMemAvailable: 1536 kB\n')
      await writeFile(path.join(proc, 'mounts'), '')
      const card = path.join(sys, 'class/drm/card0/device')
      await mkdir(card, { recursive: true })
      await writeFile(path.join(card, 'vendor'), '0x1002\n')
      await writeFile(path.join(card, 'device'), '0x73bf\n')
      await writeFile(path.join(card, 'uevent'), 'DRIVER=amdgpu\nPCI_SLOT_NAME=0000:03:00.0\n')
      await writeFile(path.join(card, 'mem_info_vram_total'), String(16 * 2 ** 30))
      await mkdir(path.join(sys, 'class/drm/card0-DP-1'), { recursive: true }) // a connector, not a card
      const freq = path.join(sys, 'devices/system/cpu/cpu0/cpufreq')
      await mkdir(freq, { recursive: true })
      await writeFile(path.join(freq, 'cpuinfo_max_freq'), '4500000\n')
      const hw = await readHardware({ procRoot: proc, sysRoot: sys, nvidiaSmi: false })
      expect(hw.gpus).toEqual([{ index: 0, name: 'AMD 0x73bf', vendor: 'AMD', source: 'drm', pciAddress: '0000:03:00.0', driver: 'amdgpu', memoryBytes: 16 * 2 ** 30 }])
      expect(hw.cpu).toMatchObject({ model: 'Test CPU @ 3.00GHz', physicalCores: 1, maxMhz: 4500, features: { sha: true, avx2: true, avx512: false, aes: true } })
      expect(hw.memory).toMatchObject({ totalBytes: 2048 * 1024, availableBytes: 1536 * 1024 })
      expect(hw.disks).toEqual([])
    } finally { await rm(dir, { recursive: true, force: true }) }
  })
  it('samples CPU utilisation between 0 and 1', () => {
    const s = new CpuUsageSampler()
    let x = 0; for (let i = 0; i < 2e6; i++) x += i
    const u = s.sample()
    expect(x).toBeGreaterThan(0)
    expect(u).toBeGreaterThanOrEqual(0)
    expect(u).toBeLessThanOrEqual(1)
  })
})

function fakeHw (): HardwareReport {
  return {
    hostname: 'h', platform: 'linux', kernel: '6', uptimeSeconds: 1,
    cpu: { model: 'M', vendor: null, arch: 'x64', logicalCores: 8, physicalCores: 4, mhz: 3000, maxMhz: null, loadAverage: [0, 0, 0], features: { sha: true, avx2: false, avx512: false, aes: true } },
    memory: { totalBytes: 16 * 2 ** 30, freeBytes: 8 * 2 ** 30, availableBytes: 10 * 2 ** 30, swapTotalBytes: 0, swapFreeBytes: 0 },
    disks: [
      { device: '/dev/sda1', mountPoint: '/', fsType: 'ext4', readOnly: false, totalBytes: 100e9, freeBytes: 50e9, availableBytes: 40e9 },
      { device: '/dev/sdb1', mountPoint: '/data', fsType: 'xfs', readOnly: false, totalBytes: 1e12, freeBytes: 9e11, availableBytes: 9e11 },
      { device: '/dev/sr0', mountPoint: '/media/cd', fsType: 'iso9660', readOnly: true, totalBytes: 7e8, freeBytes: 0, availableBytes: 0 }
    ],
    gpus: [],
    network: [
      { name: 'eth0', mac: null, addresses: [{ address: '10.0.0.2', family: 'IPv4', cidr: '10.0.0.2/24' }], internal: false, up: true, mtu: 1500, speedMbps: 1000 },
      { name: 'lo', mac: null, addresses: [{ address: '127.0.0.1', family: 'IPv4', cidr: '127.0.0.1/8' }], internal: true, up: true, mtu: 65536, speedMbps: null }
    ],
    readAt: ''
  }
}

describe('describeShareable', () => {
  it('turns a valid policy into asset descriptions', () => {
    const assets = describeShareable(fakeHw(), {
      cpuCores: 2, memoryBytes: 4 * 2 ** 30, storage: [{ path: '/data/hm', bytes: 10 * 2 ** 30 }], network: [{ interface: 'eth0', mbps: 100 }], privacy: 'P2P'
    })
    expect(assets).toEqual([
      { kind: 'Cpu', privacy: 'P2P', cores: 2, model: 'M', mhz: 3000, features: ['sha', 'aes'] },
      { kind: 'Memory', privacy: 'P2P', bytes: 4 * 2 ** 30 },
      { kind: 'Storage', privacy: 'P2P', path: '/data/hm', mountPoint: '/data', fsType: 'xfs', bytes: 10 * 2 ** 30 },
      { kind: 'Network', privacy: 'P2P', interface: 'eth0', mbps: 100, addresses: ['10.0.0.2'] }
    ])
    expect(describeShareable(fakeHw(), {})).toEqual([])
    // default privacy is the most restrictive level
    expect(describeShareable(fakeHw(), { cpuCores: 1 })[0].privacy).toBe('Private')
  })
  it('picks the longest matching mount point, not a prefix of the name', () => {
    const a = describeShareable(fakeHw(), { storage: [{ path: '/database', bytes: 1 }] })
    expect(a[0]).toMatchObject({ mountPoint: '/' })
  })
  it('rejects what the machine does not have, naming the problem', () => {
    const hw = fakeHw()
    const bad: Array<[Parameters<typeof describeShareable>[1], RegExp]> = [
      [{ cpuCores: 9 }, /8 logical cores/],
      [{ cpuCores: 0 }, /positive integer/],
      [{ cpuCores: 1.5 }, /positive integer/],
      [{ memoryBytes: 11 * 2 ** 30 }, /available/],
      [{ storage: [{ path: 'relative', bytes: 1 }] }, /absolute/],
      [{ storage: [{ path: '/data', bytes: 1e12 }] }, /available/],
      [{ storage: [{ path: '/data/a', bytes: 5e11 }, { path: '/data/b', bytes: 5e11 }] }, /in total exceeds/],
      [{ storage: [{ path: '/data', bytes: 1 }, { path: '/data/', bytes: 1 }] }, /twice/],
      [{ storage: [{ path: '/media/cd/x', bytes: 1 }] }, /read-only/],
      [{ gpus: [0] }, /no GPU/],
      [{ network: [{ interface: 'wlan0' }] }, /does not exist/],
      [{ network: [{ interface: 'lo' }] }, /loopback/],
      [{ network: [{ interface: 'eth0', mbps: 10000 }] }, /1000 Mb\/s/],
      [{ privacy: 'Everyone' as never }, /privacy/]
    ]
    for (const [policy, re] of bad) {
      expect(() => describeShareable(hw, policy), JSON.stringify(policy)).toThrow(re)
      try { describeShareable(hw, policy) } catch (e) { expect((e as Error).name).toBe('InvalidArgumentError') }
    }
  })
  it('builds a policy from command-line strings', () => {
    expect(policyFromStrings({ cores: '2', memory: '4GiB', storage: ['/data:10GiB'], gpu: ['0'], network: ['eth0:100', 'eth1'], privacy: 'P2P' })).toEqual({
      cpuCores: 2, memoryBytes: 4 * 2 ** 30, storage: [{ path: '/data', bytes: 10 * 2 ** 30 }], gpus: [0], network: [{ interface: 'eth0', mbps: 100 }, { interface: 'eth1' }], privacy: 'P2P'
    })
    for (const bad of [{ cores: 'two' }, { memory: 'lots' }, { storage: ['/data'] }, { storage: ['/data:x'] }, { gpu: ['a'] }, { network: ['eth0:fast'] }, { privacy: 'x' }]) {
      expect(() => policyFromStrings(bad), JSON.stringify(bad)).toThrow(/expects|must be/)
    }
  })
})
