/** `hypermesh job submit|status|workers`: run jobs on the mesh through a node's API. */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { CommandError, UsageError } from '../framework.ts'
import type { CliIO, GroupCommand, LeafCommand } from '../framework.ts'
import { DEFAULT_HTTP } from '../constants.ts'
import { parseHostPort, httpBase } from './status.ts'
import { createJob, encodeJob, jobIdHex, jobId } from '../../../ts/vm/index.ts'

const httpOption = { type: 'string' as const, value: 'HOST:PORT', default: DEFAULT_HTTP, help: "the node's HTTP API address" }
const jsonOption = { type: 'boolean' as const, help: 'print JSON' }

async function api (io: CliIO, values: Record<string, unknown>, route: string, query: Record<string, string>, init: { method?: string, body?: Uint8Array } = {}): Promise<Response> {
  const hp = parseHostPort(typeof values.http === 'string' ? values.http : DEFAULT_HTTP, '--http')
  const url = `${httpBase(hp)}${route}?${new URLSearchParams(query).toString()}`
  let res: Response
  try {
    res = await fetch(url, { method: init.method ?? 'GET', ...(init.body !== undefined ? { body: init.body as BodyInit } : {}), signal: AbortSignal.any([AbortSignal.timeout(60_000), io.signal]) })
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

function int (v: unknown, flag: string, min: number, max: number): number {
  const n = Number(v)
  if (typeof v !== 'string' || !/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${flag} expects an integer in ${min}..${max}, got '${String(v)}'`, 'hypermesh job submit')
  return n
}

interface Status { id: string, state: string, k: number, q: number, workers: Array<{ worker: string, kind: string, transport: string, digest: string | null, agreed: boolean | null, error: string | null }>, digest: string | null, fuelUsed: string | null, output: string | null, error: string | null, tx: string | null, height: number | null, latencyMs: number | null }

function describe (s: Status): string {
  const lines = [`job ${s.id}`, `  state ${s.state} (k=${s.k}, q=${s.q})`]
  for (const w of s.workers) lines.push(`  worker ${w.worker.slice(0, 16)}… ${w.kind}/${w.transport}: ${w.digest !== null ? `${w.digest.slice(0, 16)}…${w.agreed === true ? ' agreed' : w.agreed === false ? ' DISAGREED' : ''}` : (w.error ?? 'running')}`)
  if (s.digest !== null) lines.push(`  accepted digest ${s.digest}, fuel ${String(s.fuelUsed)}`)
  if (s.output !== null) {
    const out = Buffer.from(s.output, 'base64')
    lines.push(`  output ${out.length} bytes: ${out.subarray(0, 32).toString('hex')}${out.length > 32 ? '…' : ''}`)
  }
  if (s.error !== null) lines.push(`  ${s.state === 'failed' ? 'failed' : 'outcome'}: ${s.error}`)
  if (s.tx !== null) lines.push(`  on the ledger: tx ${s.tx.slice(0, 16)}…${s.height !== null ? ` in block ${s.height}` : ''}${s.latencyMs !== null ? `, ${s.latencyMs} ms after submission` : ''}`)
  return lines.join('\n') + '\n'
}

async function waitFor (io: CliIO, values: Record<string, unknown>, id: string, totalMs: number): Promise<Status> {
  const end = Date.now() + totalMs
  for (;;) {
    const s = await (await api(io, values, '/api/job', { id, wait: '20000' })).json() as Status
    if (s.state === 'committed' || s.state === 'failed' || Date.now() > end) return s
    io.stderr(`job ${id.slice(0, 16)}… ${s.state}\n`)
  }
}

const submitCommand: LeafCommand = {
  name: 'submit',
  summary: 'Submit a job (a .wasm module or a .js file) to run on k workers of the mesh; accepted when q results agree',
  args: 'FILE',
  maxPositionals: 1,
  options: {
    http: httpOption,
    input: { type: 'string', value: 'FILE', help: 'input bytes for the job (default: none)' },
    k: { type: 'string', value: 'N', default: '3', help: 'workers that run the job' },
    q: { type: 'string', value: 'N', default: '2', help: 'agreeing results that accept it (a strict majority of k)' },
    memory: { type: 'string', value: 'BYTES', default: String(64 << 20), help: 'memory limit' },
    fuel: { type: 'string', value: 'N', default: String(10n ** 10n), help: 'instruction budget (deterministic)' },
    'wall-ms': { type: 'string', value: 'MS', default: '30000', help: 'wall-time limit' },
    'output-bytes': { type: 'string', value: 'BYTES', default: String(1 << 20), help: 'longest output accepted' },
    wait: { type: 'boolean', help: 'wait until the result is on the ledger (or the job failed)' },
    json: jsonOption
  },
  async run ({ values, positionals, io, print }) {
    const file = positionals[0]
    if (file === undefined) throw new UsageError('a job file (.wasm or .js) is required', 'hypermesh job submit')
    let bytes: Uint8Array
    try { bytes = new Uint8Array(await readFile(file)) } catch (err) { throw new CommandError(`${file}: ${(err as Error).message}`) }
    const input = typeof values.input === 'string' ? new Uint8Array(await readFile(values.input).catch((err: Error) => { throw new CommandError(`${String(values.input)}: ${err.message}`) })) : new Uint8Array(0)
    const js = path.extname(file) === '.js' || path.extname(file) === '.mjs'
    if (!js && !WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) throw new CommandError(`${file} is not a WebAssembly module (name a .js file for a JavaScript job)`)
    if (typeof values.fuel !== 'string' || !/^\d{1,19}$/.test(values.fuel)) throw new UsageError('--fuel expects a positive integer', 'hypermesh job submit')
    let job
    try {
      job = createJob(js ? { js: new TextDecoder().decode(bytes) } : bytes, input, {
        memoryBytes: int(values.memory, '--memory', 65536, 1 << 30), fuel: BigInt(values.fuel), wallMs: int(values['wall-ms'], '--wall-ms', 1, 3_600_000), outputBytes: int(values['output-bytes'], '--output-bytes', 0, 64 << 20)
      })
    } catch (err) { throw new UsageError((err as Error).message, 'hypermesh job submit') }
    const k = int(values.k, '--k', 1, 16)
    const q = int(values.q, '--q', 1, 16)
    const r = await (await api(io, values, '/api/jobs', { k: String(k), q: String(q) }, { method: 'POST', body: encodeJob(job) })).json() as { id: string }
    if (r.id !== jobIdHex(jobId(job))) throw new CommandError(`the node answered for job ${r.id}, not ${jobIdHex(jobId(job))}`)
    if (values.wait !== true) {
      print(r, (x) => `submitted job ${String(x.id)}\n  follow it with: hypermesh job status ${String(x.id)}\n`)
      return 0
    }
    const s = await waitFor(io, values, r.id, job.limits.wallMs + 120_000)
    print(s, describe)
    return s.state === 'committed' ? 0 : 1
  }
}

const statusCommand: LeafCommand = {
  name: 'status',
  summary: 'Show a job: its workers, what each returned, the accepted result and its ledger transaction',
  args: 'ID',
  maxPositionals: 1,
  options: { http: httpOption, wait: { type: 'boolean', help: 'wait until it is on the ledger or failed' }, json: jsonOption },
  async run ({ values, positionals, io, print }) {
    const id = positionals[0]
    if (id === undefined || !/^[0-9a-fA-F]{64}$/.test(id)) throw new UsageError('a job id (64 hex digits, as printed by `hypermesh job submit`) is required', 'hypermesh job status')
    const s = values.wait === true ? await waitFor(io, values, id, 600_000) : await (await api(io, values, '/api/job', { id })).json() as Status
    print(s, describe)
    return 0
  }
}

const workersCommand: LeafCommand = {
  name: 'workers',
  summary: "List the workers a node can give jobs to (its threads and connected donors) with their ledger records",
  options: { http: httpOption, json: jsonOption },
  async run ({ values, io, print }) {
    const r = await (await api(io, values, '/api/jobs/workers', {})).json() as { workers: Array<{ worker: string, kind: string, transport: string, valid: number, invalid: number }> }
    print(r, (x) => x.workers.map((w) => `${w.worker.slice(0, 16)}…  ${w.kind.padEnd(7)} ${w.transport.padEnd(12)} valid ${w.valid}  invalid ${w.invalid}`).join('\n') + '\n')
    return 0
  }
}

export const jobCommand: GroupCommand = {
  name: 'job',
  summary: 'Submit jobs to the mesh and follow them',
  subcommands: [submitCommand, statusCommand, workersCommand]
}
