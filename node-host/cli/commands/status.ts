/** `hypermesh status`: asks a running node's HTTP API for its status. */
import { CommandError, UsageError } from '../framework.ts'
import type { LeafCommand } from '../framework.ts'
import { DEFAULT_HTTP } from '../constants.ts'

/** Parses "HOST:PORT" or "[v6]:PORT". */
export function parseHostPort (text: string, flag: string): { host: string, port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text)
  const port = m !== null ? Number(m[3]) : NaN
  if (m === null || port < 1 || port > 65535) throw new UsageError(`${flag} expects HOST:PORT (e.g. 127.0.0.1:8080), got '${text}'`, `hypermesh ${flag}`)
  return { host: m[1] ?? m[2], port }
}

export function httpBase (hp: { host: string, port: number }): string {
  return `http://${hp.host.includes(':') ? `[${hp.host}]` : hp.host}:${hp.port}`
}

function fmtDuration (s: number): string {
  if (s < 60) return `${Math.round(s)} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
}

export function renderStatus (st: Record<string, unknown>): string {
  const lines: string[] = []
  const row = (k: string, v: unknown): void => { if (v !== undefined && v !== null) lines.push(`${k.padEnd(11)}${String(v)}`) }
  row('Node', st.nodeId)
  row('Peer', st.peerId)
  row('Chain', st.chainId)
  row('Height', st.height)
  row('Round', st.round)
  row('Peers', st.peers)
  row('Validator', st.validator)
  row('Kernel', st.kernel)
  if (typeof st.uptimeSeconds === 'number') row('Uptime', fmtDuration(st.uptimeSeconds))
  row('Version', st.version)
  return lines.join('\n') + '\n'
}

export const statusCommand: LeafCommand = {
  name: 'status',
  summary: "Show a running node's status (height, peers, kernel, uptime)",
  options: {
    http: { type: 'string', value: 'HOST:PORT', default: DEFAULT_HTTP, help: "the node's HTTP API address" },
    timeout: { type: 'string', value: 'MS', default: '3000', help: 'give up after this many milliseconds' },
    json: { type: 'boolean', help: 'print JSON' }
  },
  examples: ['hypermesh status', 'hypermesh status --http 127.0.0.1:8081 --json'],
  async run ({ values, print, io }) {
    const hp = parseHostPort(typeof values.http === 'string' ? values.http : DEFAULT_HTTP, '--http')
    const timeout = Number(values.timeout ?? '3000')
    if (!Number.isSafeInteger(timeout) || timeout <= 0) throw new UsageError(`--timeout expects a positive number of milliseconds`, 'hypermesh status')
    const url = `${httpBase(hp)}/api/status`
    let res: Response
    try {
      res = await fetch(url, { signal: AbortSignal.any([AbortSignal.timeout(timeout), io.signal]), headers: { accept: 'application/json' } })
    } catch (err) {
      const code = (err as { cause?: { code?: string } }).cause?.code
      const why = code === 'ECONNREFUSED'
        ? 'nothing is listening there'
        : (err as Error).name === 'TimeoutError' ? `no answer within ${timeout} ms` : ((err as { cause?: Error }).cause?.message ?? (err as Error).message)
      throw new CommandError(`no HyperMesh node answers at ${httpBase(hp)} (${why}).\nStart one with \`hypermesh up\`, or point --http at a running node.`, { cause: err })
    }
    if (!res.ok) throw new CommandError(`${url} answered HTTP ${res.status}: is this a HyperMesh node?`)
    let body: Record<string, unknown>
    try {
      body = await res.json() as Record<string, unknown>
    } catch (err) {
      throw new CommandError(`${url} did not return JSON: is this a HyperMesh node?`, { cause: err })
    }
    if (typeof body !== 'object' || body === null || typeof body.height !== 'number') throw new CommandError(`${url} returned something that is not a HyperMesh status`)
    print(body, renderStatus)
    return 0
  }
}
