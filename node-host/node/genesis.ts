/**
 * Genesis files for node-host: the dev genesis `hypermesh up` writes on first
 * start (this node as the only validator, with stake and its plot
 * registered), genesis files for several nodes (`hypermesh testnet`,
 * `hypermesh genesis`), and loading one with errors that name the file.
 *
 * Every sender of transactions needs stake (an allocation) and a plot whose
 * Merkle root is in the genesis state: a plot is a pure function of
 * (nodeId, index, size), so whoever writes the genesis computes the roots
 * of everybody's plot 0.
 */
import { access, writeFile, rename, open } from 'node:fs/promises'
import path from 'node:path'
import { InvalidArgumentError } from '../../ts/errors.ts'
import { b64encode, parseGenesis, plotStateEntry, type Genesis, type GenesisJson } from '../../ts/ledger/index.ts'
import { PRESETS, type PresetName } from '../../ts/proofs/params.ts'
import { buildPlotTree } from '../../ts/proofs/plot.ts'
import { nodeIdOf } from '../../ts/identity/index.ts'
import type { Kernel } from '../../ts/wasm/kernel.ts'
import { caesarGenesisStateJson, defaultCaesarConfig } from '../../ts/caesar/index.ts'

export const GENESIS_FILE = 'genesis.json'
/** Stake given to every node of a generated genesis. */
export const DEFAULT_STAKE = 1000
/** Largest genesis file read (a 1 024-validator genesis is ~2.5 MB). */
const MAX_GENESIS_BYTES = 16 * 1024 * 1024

/** A genesis file could not be used: missing, unreadable, malformed or invalid. */
export class GenesisFileError extends Error {
  static override readonly name = 'GenesisFileError'
  override readonly name = 'GenesisFileError'
  readonly file: string
  constructor (file: string, message: string, options?: ErrorOptions) {
    super(`genesis ${file}: ${message}`, options)
    this.file = file
  }
}

export interface GenesisMember {
  publicKey: Uint8Array
  /** Votes in consensus (default true). */
  validator?: boolean
  stake?: number
}

export interface MakeGenesisOptions {
  chainId: string
  /** ms since the epoch (default now). */
  genesisTime?: number
  preset?: PresetName
  members: readonly GenesisMember[]
  kernel: Kernel
}

/** Plot size of plot 0 for `preset` (the preset's minimum). */
export function plotLog2For (preset: PresetName): number {
  return PRESETS[preset].space.log2Size
}

/** A genesis (JSON form) where every member has stake and a registered plot 0. */
export function makeGenesis (opts: MakeGenesisOptions): GenesisJson {
  const preset = opts.preset ?? 'dev'
  const log2 = plotLog2For(preset)
  if (opts.members.length === 0) throw new InvalidArgumentError('a genesis needs at least one member')
  const validators = opts.members.filter((m) => m.validator !== false)
  if (validators.length === 0) throw new InvalidArgumentError('a genesis needs at least one validator')
  const state = opts.members.map((m) => {
    const nodeId = nodeIdOf(m.publicKey)
    const { info } = buildPlotTree(opts.kernel, nodeId, 0, log2)
    const [key, value] = plotStateEntry(nodeId, 0, info)
    return { key, value: b64encode(value) }
  })
  const json: GenesisJson = {
    chainId: opts.chainId,
    genesisTime: opts.genesisTime ?? Date.now(),
    proofPreset: preset,
    validators: validators.map((m) => ({ publicKey: b64encode(m.publicKey), power: 1 })),
    allocations: opts.members.map((m) => ({ publicKey: b64encode(m.publicKey), stake: m.stake ?? DEFAULT_STAKE })),
    // Caesar credits with the default constants (5 %/year demurrage, 1-hour epochs); no one starts with credits
    state: [...state, ...caesarGenesisStateJson(defaultCaesarConfig())]
  }
  parseGenesis(json) // validates
  return json
}

/** Reads and validates a genesis file. */
export async function loadGenesisFile (file: string): Promise<{ genesis: Genesis, json: GenesisJson }> {
  let text: string
  try {
    const fh = await open(file, 'r')
    try {
      const st = await fh.stat()
      if (!st.isFile()) throw new GenesisFileError(file, 'is not a regular file')
      if (st.size > MAX_GENESIS_BYTES) throw new GenesisFileError(file, `is ${st.size} bytes, larger than ${MAX_GENESIS_BYTES}`)
      text = await fh.readFile('utf8')
    } finally { await fh.close() }
  } catch (err) {
    if (err instanceof GenesisFileError) throw err
    const code = (err as NodeJS.ErrnoException).code
    throw new GenesisFileError(file, code === 'ENOENT' ? 'does not exist' : `cannot be read: ${(err as Error).message}`, { cause: err })
  }
  let json: unknown
  try { json = JSON.parse(text) } catch (err) { throw new GenesisFileError(file, `is not JSON: ${(err as Error).message}`, { cause: err }) }
  try {
    return { genesis: parseGenesis(json), json: json as GenesisJson }
  } catch (err) {
    throw new GenesisFileError(file, (err as Error).message.replace(/^genesis: /, ''), { cause: err })
  }
}

/** Writes a genesis file atomically (temp + rename). */
export async function writeGenesisFile (file: string, json: GenesisJson): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`)
  await writeFile(tmp, JSON.stringify(json, null, 2) + '\n', { mode: 0o644 })
  await rename(tmp, file)
}

export async function fileExists (file: string): Promise<boolean> {
  try { await access(file); return true } catch { return false }
}
