/** `hypermesh mem …` and `hypermesh asset …`: remote memory and the asset registry through a running node's API. */
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { CommandError, UsageError } from '../framework.ts'
import type { CliIO, GroupCommand, LeafCommand } from '../framework.ts'
import { DEFAULT_HTTP } from '../constants.ts'
import { parseHostPort, httpBase } from './status.ts'
import { parseSize } from '../../hardware/index.ts'
import { GlobalAddress } from '../../../ts/nat/index.ts'

const httpOption = { type: 'string' as const, value: 'HOST:PORT', default: DEFAULT_HTTP, help: "the node's HTTP API address" }
const jsonOption = { type: 'boolean' as const, help: 'print JSON' }

async function api (io: CliIO, values: Record<string, unknown>, route: string, query: Record<string, string>, init: { method?: string, body?: Uint8Array } = {}): Promise<Response> {
  const hp = parseHostPort(typeof values.http === 'string' ? values.http : DEFAULT_HTTP, '--http')
  const url = `${httpBase(hp)}${route}?${new URLSearchParams(query).toString()}`
  let res: Response
  try {
    res = await fetch(url, { method: init.method ?? 'GET', ...(init.body !== undefined ? { body: init.body as BodyInit } : {}), signal: AbortSignal.any([AbortSignal.timeout(120_000), io.signal]) })
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code
    throw new CommandError(code === 'ECONNREFUSED' ? `no node at ${httpBase(hp)} (start one with \`hypermesh up\`, or pass --http)` : `${url}: ${(err as Error).message}`)
  }
  if (!res.ok) {
    let msg = `${res.status} ${res.statusText}`
    try { msg = ((await res.json()) as { error?: string }).error ?? msg } catch { /* not JSON */ }
    throw new CommandError(msg)
  }
  return res
}

function address (text: string | undefined, cmd: string): string {
  if (text === undefined) throw new UsageError('an address is required (as printed by `hypermesh mem alloc`)', cmd)
  try { return GlobalAddress.parse(text).toString() } catch (err) { throw new UsageError((err as Error).message, cmd) }
}

const allocCommand: LeafCommand = {
  name: 'alloc',
  summary: 'Allocate a memory region on this node as a Memory asset; prints its global address',
  args: 'SIZE',
  maxPositionals: 1,
  options: { privacy: { type: 'string', value: 'LEVEL', default: 'Private', help: 'Private, PrivateNetwork, P2P, PublicNetwork or FullPublic' }, http: httpOption, json: jsonOption },
  examples: ['hypermesh mem alloc 64MiB --privacy PublicNetwork'],
  async run ({ values, positionals, io, print }) {
    const size = positionals[0] === undefined ? undefined : parseSize(positionals[0])
    if (size === undefined || size <= 0) throw new UsageError('SIZE must be a size like 4096, 64MiB or 1GiB', 'hypermesh mem alloc')
    const r = await (await api(io, values, '/api/mem/alloc', { size: String(size), privacy: String(values.privacy ?? 'Private') }, { method: 'POST' })).json() as Record<string, unknown>
    print(r, (x) => `${String(x.address)}\n  ${String(x.url)}\n  asset ${String(x.asset)}, ${String(x.size)} bytes, ${String(x.privacy)}, registered at height ${String(x.height)}\n`)
    return 0
  }
}

const writeCommand: LeafCommand = {
  name: 'write',
  summary: 'Write bytes (a file, or standard input) at a global address',
  args: 'ADDR',
  maxPositionals: 1,
  options: { file: { type: 'string', value: 'F', help: 'read the bytes from F (default: standard input)' }, http: httpOption, json: jsonOption },
  examples: ['hypermesh mem write fd48:4d00:1a2b:3c4d:5e6f:2000:0:0 --file data.bin', 'echo hello | hypermesh mem write hypermesh://fd48:4d00:1a2b:3c4d:5e6f:2000:0:40'],
  async run ({ values, positionals, io, print }) {
    const addr = address(positionals[0], 'hypermesh mem write')
    let data: Uint8Array
    if (typeof values.file === 'string') {
      try { data = await readFile(path.resolve(io.cwd, values.file)) } catch (err) { throw new CommandError(`cannot read ${values.file}: ${(err as Error).message}`) }
    } else {
      const parts: Buffer[] = []
      for await (const c of process.stdin) parts.push(c as Buffer)
      data = Buffer.concat(parts)
    }
    const r = await (await api(io, values, '/api/mem/write', { addr }, { method: 'POST', body: data })).json() as Record<string, unknown>
    print(r, (x) => `wrote ${String(x.written)} bytes at ${String(x.address)}\n`)
    return 0
  }
}

const readCommand: LeafCommand = {
  name: 'read',
  summary: 'Read LEN bytes at a global address (to standard output, or --out F)',
  args: 'ADDR LEN',
  maxPositionals: 2,
  options: { out: { type: 'string', value: 'F', help: 'write the bytes to F' }, http: httpOption },
  examples: ['hypermesh mem read fd48:4d00:1a2b:3c4d:5e6f:2000:0:0 4096 --out copy.bin'],
  async run ({ values, positionals, io }) {
    const addr = address(positionals[0], 'hypermesh mem read')
    const len = positionals[1] === undefined ? undefined : parseSize(positionals[1])
    if (len === undefined) throw new UsageError('LEN must be a byte count', 'hypermesh mem read')
    const bytes = new Uint8Array(await (await api(io, values, '/api/mem/read', { addr, len: String(len) })).arrayBuffer())
    if (typeof values.out === 'string') {
      await writeFile(path.resolve(io.cwd, values.out), bytes)
      io.stderr(`read ${bytes.length} bytes into ${values.out}\n`)
    } else process.stdout.write(bytes)
    return 0
  }
}

const freeCommand: LeafCommand = {
  name: 'free',
  summary: 'Retire the Memory asset at an address (owner only); it is refused everywhere from the block that retires it',
  args: 'ADDR',
  maxPositionals: 1,
  options: { http: httpOption, json: jsonOption },
  async run ({ values, positionals, io, print }) {
    const addr = address(positionals[0], 'hypermesh mem free')
    const r = await (await api(io, values, '/api/mem/free', { addr }, { method: 'POST' })).json() as Record<string, unknown>
    print(r, (x) => `freed ${String(x.address)} in block ${String(x.height)}\n`)
    return 0
  }
}

export const memCommand: GroupCommand = {
  name: 'mem',
  summary: 'Allocate, write, read and free memory with global addresses',
  subcommands: [allocCommand, writeCommand, readCommand, freeCommand]
}

const listCommand: LeafCommand = {
  name: 'list',
  summary: "List this node's assets (kind, state, privacy, address)",
  options: { http: httpOption, json: jsonOption },
  async run ({ values, io, print }) {
    const r = await (await api(io, values, '/api/assets', {})).json() as { mine: Array<Record<string, string | null>>, registered: Record<string, number> }
    print(r, (x) => {
      const lines = x.mine.map((a) => `${String(a.id)}\n  ${String(a.kind)} · ${String(a.state)} · ${String(a.privacy)} · ${String(a.description)}${a.address !== null ? `\n  address ${String(a.address)}` : ''}`)
      return (lines.length > 0 ? lines.join('\n') : 'this node has no assets') + `\non the ledger: ${Object.entries(x.registered).map(([k, n]) => `${n} ${k}`).join(', ')}\n`
    })
    return 0
  }
}

const showCommand: LeafCommand = {
  name: 'show',
  summary: 'Show one asset from the ledger',
  args: 'ID',
  maxPositionals: 1,
  options: { http: httpOption, json: jsonOption },
  async run ({ values, positionals, io, print }) {
    if (positionals[0] === undefined) throw new UsageError('an asset id (<kind>:<hex>) is required', 'hypermesh asset show')
    const r = await (await api(io, values, '/api/asset', { id: positionals[0] })).json() as Record<string, unknown>
    print(r, (x) => Object.entries(x).map(([k, v]) => `${k.padEnd(16)}${Array.isArray(v) ? v.join(', ') || '–' : String(v ?? '–')}`).join('\n') + '\n')
    return 0
  }
}

const allocateCommand: LeafCommand = {
  name: 'allocate',
  summary: 'Allocate an asset to this node (a transaction); for Memory this is a write lease: others can only read it',
  args: 'ID',
  maxPositionals: 1,
  options: { http: httpOption, amount: { type: 'string' as const, value: 'N', help: 'how much of the capacity (default: all of it)' }, json: jsonOption },
  async run ({ values, positionals, io, print }) {
    if (positionals[0] === undefined) throw new UsageError('an asset id (<kind>:<hex>) is required', 'hypermesh asset allocate')
    const q: Record<string, string> = { id: positionals[0] }
    if (typeof values.amount === 'string') q.amount = values.amount
    const r = await (await api(io, values, '/api/asset/allocate', q, { method: 'POST' })).json() as Record<string, unknown>
    print(r, (x) => `${String(x.asset)} is ${String(x.state)} to this node from block ${String(x.height)}\n`)
    return 0
  }
}

const releaseCommand: LeafCommand = {
  name: 'release',
  summary: "Release an allocation of one of this node's assets (owner only)",
  args: 'ID',
  maxPositionals: 1,
  options: { http: httpOption, json: jsonOption },
  async run ({ values, positionals, io, print }) {
    if (positionals[0] === undefined) throw new UsageError('an asset id (<kind>:<hex>) is required', 'hypermesh asset release')
    const r = await (await api(io, values, '/api/asset/release', { id: positionals[0] }, { method: 'POST' })).json() as Record<string, unknown>
    print(r, (x) => `${String(x.asset)} is ${String(x.state)} from block ${String(x.height)}\n`)
    return 0
  }
}

export const assetCommand: GroupCommand = {
  name: 'asset',
  summary: 'List, show, allocate and release assets on the ledger',
  subcommands: [listCommand, showCommand, allocateCommand, releaseCommand]
}
