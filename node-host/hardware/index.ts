/**
 * Node-host hardware adapters: what this machine has, and what of it the
 * operator chooses to offer to the mesh as assets.
 *
 * @example
 * ```ts
 * import { readHardware, describeShareable } from './node-host/hardware/index.ts'
 * const hw = await readHardware()
 * const assets = describeShareable(hw, { cpuCores: 2, memoryBytes: 4 * 2 ** 30, storage: [{ path: '/data', bytes: 10 * 2 ** 30 }] })
 * ```
 * @module
 */
export * from './read.ts'
export * from './share.ts'
export { parseCpuinfo, parseMeminfo, parseMounts, realMounts, parseSize, formatBytes, PSEUDO_FILESYSTEMS } from './parse.ts'
export type { CpuinfoSummary, MountEntry } from './parse.ts'
