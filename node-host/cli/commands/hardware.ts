/** `hypermesh hardware`: what the hardware adapters see, and what a sharing policy would offer. */
import type { LeafCommand } from '../framework.ts'
import { readHardware, describeShareable, policyFromStrings, formatBytes, PRIVACY_LEVELS } from '../../hardware/index.ts'
import type { HardwareReport, ShareableAsset } from '../../hardware/index.ts'

function strings (v: unknown): string[] | undefined { return Array.isArray(v) ? v.map(String) : undefined }
function str (v: unknown): string | undefined { return typeof v === 'string' ? v : undefined }

export function renderHardware (hw: HardwareReport): string {
  const c = hw.cpu
  const feats = Object.entries(c.features).filter(([, on]) => on).map(([k]) => k).join(' ') || 'none'
  const lines = [
    `Host      ${hw.hostname} (${hw.platform} ${hw.kernel}, up ${Math.round(hw.uptimeSeconds / 60)} min)`,
    `CPU       ${c.model} — ${c.logicalCores} logical${c.physicalCores !== null ? ` / ${c.physicalCores} physical` : ''} cores, ${c.arch}` +
      `${c.mhz !== null ? `, ${c.mhz} MHz` : ''}${c.maxMhz !== null ? ` (max ${c.maxMhz} MHz)` : ''}`,
    `          load ${c.loadAverage.map((x) => x.toFixed(2)).join(' ')} · features: ${feats}`,
    `Memory    ${formatBytes(hw.memory.totalBytes)} total, ${formatBytes(hw.memory.availableBytes)} available` +
      `${hw.memory.swapTotalBytes > 0 ? `, swap ${formatBytes(hw.memory.swapFreeBytes)} free of ${formatBytes(hw.memory.swapTotalBytes)}` : ''}`
  ]
  if (hw.disks.length === 0) lines.push('Disks     none found')
  for (const [i, d] of hw.disks.entries()) {
    lines.push(`${i === 0 ? 'Disks' : ''}`.padEnd(10) + `${d.mountPoint} (${d.device}, ${d.fsType}${d.readOnly ? ', read-only' : ''}): ` +
      `${formatBytes(d.availableBytes)} available of ${formatBytes(d.totalBytes)}`)
  }
  if (hw.gpus.length === 0) lines.push('GPUs      none found')
  for (const [i, g] of hw.gpus.entries()) {
    lines.push(`${i === 0 ? 'GPUs' : ''}`.padEnd(10) + `#${g.index} ${g.name}${g.memoryBytes !== null ? `, ${formatBytes(g.memoryBytes)}` : ''}` +
      `${g.driver !== null ? ` (${g.driver})` : ''} [${g.source}]`)
  }
  for (const [i, n] of hw.network.entries()) {
    const addrs = n.addresses.map((a) => a.cidr ?? a.address).join(', ') || 'no address'
    lines.push(`${i === 0 ? 'Network' : ''}`.padEnd(10) + `${n.name} ${n.up ? 'up' : 'down'}${n.internal ? ' (loopback)' : ''}` +
      `${n.speedMbps !== null ? `, ${n.speedMbps} Mb/s` : ''}${n.mtu !== null ? `, mtu ${n.mtu}` : ''}: ${addrs}`)
  }
  return lines.join('\n') + '\n'
}

export function renderAssets (assets: ShareableAsset[]): string {
  return assets.map((a) => {
    switch (a.kind) {
      case 'Cpu': return `  Cpu      ${a.cores} cores of ${a.model} [${a.privacy}]`
      case 'Memory': return `  Memory   ${formatBytes(a.bytes)} [${a.privacy}]`
      case 'Storage': return `  Storage  ${formatBytes(a.bytes)} under ${a.path} (${a.mountPoint}, ${a.fsType}) [${a.privacy}]`
      case 'Gpu': return `  Gpu      #${a.index} ${a.name} [${a.privacy}]`
      case 'Network': return `  Network  ${a.interface}${a.mbps !== null ? ` up to ${a.mbps} Mb/s` : ''} [${a.privacy}]`
    }
    return ''
  }).join('\n') + '\n'
}

export const hardwareCommand: LeafCommand = {
  name: 'hardware',
  summary: 'Show the CPU, memory, disks, GPUs and network this machine has',
  description: 'With --share-* options, also checks a sharing policy against the hardware and prints the\n' +
    'asset descriptions it would register (nothing is registered by this command).',
  options: {
    json: { type: 'boolean', help: 'print JSON' },
    'share-cores': { type: 'string', value: 'N', help: 'logical cores to offer' },
    'share-memory': { type: 'string', value: 'SIZE', help: 'memory to offer, e.g. 4GiB' },
    'share-storage': { type: 'string', multiple: true, value: 'PATH:SIZE', help: 'storage to offer, e.g. /data:10GiB' },
    'share-gpu': { type: 'string', multiple: true, value: 'INDEX', help: 'GPU to offer, by index' },
    'share-network': { type: 'string', multiple: true, value: 'IFACE[:MBPS]', help: 'network interface to offer' },
    privacy: { type: 'string', value: 'LEVEL', help: `who may use the offer: ${PRIVACY_LEVELS.join(', ')} (default: Private)` }
  },
  examples: ['hypermesh hardware', 'hypermesh hardware --json', 'hypermesh hardware --share-cores 2 --share-memory 4GiB --share-storage /data:10GiB'],
  async run ({ values, print }) {
    const hw = await readHardware()
    const sharing = ['share-cores', 'share-memory', 'share-storage', 'share-gpu', 'share-network', 'privacy'].some((k) => values[k] !== undefined)
    if (!sharing) {
      print(hw, renderHardware)
      return 0
    }
    const policy = policyFromStrings({
      cores: str(values['share-cores']),
      memory: str(values['share-memory']),
      storage: strings(values['share-storage']),
      gpu: strings(values['share-gpu']),
      network: strings(values['share-network']),
      privacy: str(values.privacy)
    })
    const assets = describeShareable(hw, policy)
    print({ hardware: hw, policy, assets }, (d) => renderHardware(d.hardware) + '\nWould offer:\n' + (d.assets.length > 0 ? renderAssets(d.assets) : '  nothing\n'))
    return 0
  }
}
