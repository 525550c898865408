/**
 * A local testnet: N `hypermesh up` processes on loopback with a generated
 * genesis (every node a validator with stake and a registered plot), each
 * bootstrapping to all the others. Used by `hypermesh testnet`, the
 * integration tests and the benchmarks. Processes are started and ended by
 * PID; nothing else is touched.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, type WriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateKeyPair as generateLibp2pKey, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { InvalidArgumentError } from '../../ts/errors.ts'
import { loadOrCreateIdentity, nodeIdOf, nodeIdToHex, type KeyPair } from '../../ts/identity/index.ts'
import type { GenesisJson } from '../../ts/ledger/index.ts'
import type { PresetName } from '../../ts/proofs/params.ts'
import { FileKeystore } from '../identity/file-keystore.ts'
import { selectKernel } from '../kernel/select.ts'
import { makeGenesis, writeGenesisFile } from './genesis.ts'

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'hypermesh.mjs')
export const MAX_TESTNET_NODES = 32

export interface TestnetMember {
  index: number
  dataDir: string
  nodeId: string
  peerId: string
  publicKey: Uint8Array
  p2pPort: number
  httpPort: number
  /** `/ip4/127.0.0.1/tcp/<p2pPort>/p2p/<peerId>` */
  addr: string
  http: string
  proc: ChildProcess | null
  logFile: string
}

export interface TestnetOptions {
  nodes: number
  /** Directory for the genesis, node data and logs. */
  dir: string
  preset?: PresetName
  /** Each node's status-tx interval (ms); 0 for none. Default 250. */
  txIntervalMs?: number
  kernel?: string
  chainId?: string
  /** Progress lines (key generation, starts). */
  log?: (line: string) => void
}

/** Ports this process handed out recently: the kernel may offer a just-released port again, and two nodes must never get the same one. */
const handedOut = new Set<number>()

/**
 * Finds a free TCP port on 127.0.0.1 (bound, read, released), never one this
 * process handed out before (the chaos finding: two nodes of one testnet got
 * the same port from back-to-back bind(0) calls). A start that still loses
 * the race to another process fails with EADDRINUSE and says so.
 */
export async function freePort (): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = net.createServer()
      s.once('error', reject)
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port
        s.close(() => resolve(p))
      })
    })
    if (handedOut.has(port)) continue
    handedOut.add(port)
    if (handedOut.size > 4096) handedOut.delete(handedOut.values().next().value as number)
    return port
  }
  throw new Error('no free TCP port on 127.0.0.1 that this process has not handed out already')
}

function quantile (sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]
}

export interface TestnetSummary {
  nodes: number
  running: number
  durationSeconds: number
  finalizedHeight: number
  minHeight: number
  blocksPerSecond: number
  txCommitted: number
  txPerSecond: number
  finalityP50Ms: number | null
  finalityP99Ms: number | null
  finalitySamples: number
  agree: boolean
  kernel: string | null
  dir: string
}

export class Testnet {
  readonly members: TestnetMember[]
  readonly dir: string
  readonly genesisFile: string
  readonly genesis: GenesisJson
  readonly opts: TestnetOptions
  private readonly logs = new Map<number, WriteStream>()
  private startedAt = 0
  private startHeight = 0
  private startTx = 0

  private constructor (opts: TestnetOptions, members: TestnetMember[], genesisFile: string, genesis: GenesisJson) {
    this.opts = opts; this.dir = opts.dir; this.members = members; this.genesisFile = genesisFile; this.genesis = genesis
  }

  /** Generates keys (or reuses those in `<dir>/node<i>`), ports and the genesis. */
  static async create (opts: TestnetOptions): Promise<Testnet> {
    const n = opts.nodes
    if (!Number.isSafeInteger(n) || n < 1 || n > MAX_TESTNET_NODES) throw new InvalidArgumentError(`--nodes must be 1..${MAX_TESTNET_NODES}`)
    const log = opts.log ?? (() => {})
    const dir = path.resolve(opts.dir)
    await mkdir(dir, { recursive: true })
    const members: TestnetMember[] = []
    const keys: KeyPair[] = []
    for (let i = 0; i < n; i++) {
      const dataDir = path.join(dir, `node${i}`)
      await mkdir(dataDir, { recursive: true, mode: 0o700 })
      const { identity, created } = await loadOrCreateIdentity(new FileKeystore(dataDir), async () => privateKeyToProtobuf(await generateLibp2pKey('Ed25519')))
      if (created) log(`node ${i}: generated a FALCON-1024 identity`)
      const peerId = peerIdFromPrivateKey(privateKeyFromProtobuf(identity.libp2pPrivateKey)).toString()
      const p2pPort = await freePort()
      const httpPort = await freePort()
      keys.push(identity.falcon)
      members.push({
        index: i, dataDir, nodeId: nodeIdToHex(nodeIdOf(identity.falcon.publicKey)), peerId, publicKey: identity.falcon.publicKey,
        p2pPort, httpPort, addr: `/ip4/127.0.0.1/tcp/${p2pPort}/p2p/${peerId}`, http: `http://127.0.0.1:${httpPort}`, proc: null,
        logFile: path.join(dir, `node${i}.log`)
      })
    }
    const kernel = selectKernel().kernel
    const genesis = makeGenesis({
      chainId: opts.chainId ?? `hypermesh-testnet-${n}`,
      preset: opts.preset ?? 'dev',
      members: keys.map((k) => ({ publicKey: k.publicKey })),
      kernel
    })
    const genesisFile = path.join(dir, 'genesis.json')
    await writeGenesisFile(genesisFile, genesis)
    log(`genesis with ${n} validators: ${genesisFile}`)
    return new Testnet(opts, members, genesisFile, genesis)
  }

  /** The arguments `hypermesh up` gets for member `i`. */
  argsFor (i: number, extra: string[] = []): string[] {
    const m = this.members[i]
    return [
      'up', '--data', m.dataDir, '--genesis', this.genesisFile, '--validator', '--json',
      '--listen', `/ip4/127.0.0.1/tcp/${m.p2pPort}`, '--http', `127.0.0.1:${m.httpPort}`,
      '--tx-interval', String(this.opts.txIntervalMs ?? 250),
      ...(this.opts.kernel !== undefined ? ['--kernel', this.opts.kernel] : []),
      ...this.members.filter((o) => o.index !== i).flatMap((o) => ['--bootstrap', o.addr]),
      ...extra
    ]
  }

  /** Starts member `i` as a child process; resolves when it printed its ready line. */
  async start (i: number, opts: { extraArgs?: string[], env?: Record<string, string>, timeoutMs?: number } = {}): Promise<void> {
    const m = this.members[i]
    if (m.proc !== null && m.proc.exitCode === null && m.proc.signalCode === null) throw new InvalidArgumentError(`node ${i} is running`)
    let logStream = this.logs.get(i)
    if (logStream === undefined) { logStream = createWriteStream(m.logFile, { flags: 'a' }); this.logs.set(i, logStream) }
    const proc = spawn(process.execPath, [BIN, ...this.argsFor(i, opts.extraArgs)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...opts.env }
    })
    m.proc = proc
    const ls = logStream
    proc.stderr?.on('data', (d: Buffer) => ls.write(d))
    await new Promise<void>((resolve, reject) => {
      let buf = ''
      const timer = setTimeout(() => { reject(new Error(`node ${i} not ready after ${opts.timeoutMs ?? 30_000} ms (log: ${m.logFile})`)) }, opts.timeoutMs ?? 30_000)
      proc.stdout?.on('data', (d: Buffer) => {
        ls.write(d)
        buf += d.toString('utf8')
        let nl
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl); buf = buf.slice(nl + 1)
          if (line.startsWith('{"event":"ready"')) { clearTimeout(timer); resolve() }
        }
      })
      proc.once('exit', (code, sig) => { clearTimeout(timer); reject(new Error(`node ${i} exited (${code ?? sig}) before it was ready (log: ${m.logFile})`)) })
    })
  }

  async startAll (): Promise<void> {
    this.startedAt = Date.now()
    await Promise.all(this.members.map(async (m) => { await this.start(m.index); this.opts.log?.(`node ${m.index} up: ${m.http}`) }))
    const first = await this.statuses()
    this.startHeight = Math.min(...first.map((s) => s?.height ?? 0))
    this.startTx = Math.max(0, ...first.map((s) => s?.txCommitted ?? 0))
  }

  isRunning (i: number): boolean {
    const p = this.members[i].proc
    return p !== null && p.exitCode === null && p.signalCode === null
  }

  /** Sends `signal` to member `i` (by PID) and waits for it to exit (SIGKILL after `graceMs`). */
  async kill (i: number, signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
    const p = this.members[i].proc
    if (p === null || !this.isRunning(i)) return
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()))
    p.kill(signal)
    const t = setTimeout(() => { if (this.isRunning(i)) p.kill('SIGKILL') }, graceMs)
    await exited
    clearTimeout(t)
  }

  async stopAll (): Promise<void> {
    await Promise.all(this.members.map(async (m) => await this.kill(m.index, 'SIGTERM')))
    for (const s of this.logs.values()) s.end()
    this.logs.clear()
  }

  async get<T = any> (i: number, route: string, timeoutMs = 3000): Promise<T | null> {
    try {
      const r = await fetch(this.members[i].http + route, { signal: AbortSignal.timeout(timeoutMs) })
      if (!r.ok) { await r.body?.cancel().catch(() => {}); return null } // an unread body would error when the timeout fires
      return await r.json() as T
    } catch { return null }
  }

  async statuses (): Promise<Array<Record<string, any> | null>> {
    return await Promise.all(this.members.map(async (m) => this.isRunning(m.index) ? await this.get(m.index, '/api/status') : null))
  }

  /** Waits until `pred(statuses)` holds; throws after `timeoutMs`. */
  async waitFor (pred: (st: Array<Record<string, any> | null>) => boolean, timeoutMs: number, what: string): Promise<Array<Record<string, any> | null>> {
    const end = Date.now() + timeoutMs
    let last: Array<Record<string, any> | null> = []
    while (Date.now() < end) {
      last = await this.statuses()
      if (pred(last)) return last
      await new Promise((r) => setTimeout(r, 250))
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; heights ${last.map((s) => s?.height ?? '-').join(',')}`)
  }

  /** The summary `hypermesh testnet` prints: heights, committed txs and finality over every running node. */
  async summary (): Promise<TestnetSummary> {
    const st = await this.statuses()
    const live = st.filter((s): s is Record<string, any> => s !== null)
    const fins = await Promise.all(this.members.map(async (m) => this.isRunning(m.index) ? await this.get<{ samplesMs: number[] }>(m.index, '/api/finality') : null))
    const samples = fins.flatMap((f) => f?.samplesMs ?? []).sort((a, b) => a - b)
    const secs = Math.max(0.001, (Date.now() - (this.startedAt || Date.now())) / 1000)
    const heights = live.map((s) => s.height as number)
    const maxH = heights.length > 0 ? Math.max(...heights) : 0
    const minH = heights.length > 0 ? Math.min(...heights) : 0
    const tx = Math.max(0, ...live.map((s) => s.txCommitted as number))
    // Replicas at the same height must report the same block and state root.
    const byHeight = new Map<number, string>()
    let agree = true
    for (const s of live) {
      const k = `${String(s.lastBlockHash)}/${String(s.stateRoot)}`
      const prev = byHeight.get(s.height)
      if (prev !== undefined && prev !== k) agree = false
      byHeight.set(s.height, k)
    }
    return {
      nodes: this.members.length,
      running: live.length,
      durationSeconds: Math.round(secs * 10) / 10,
      finalizedHeight: maxH,
      minHeight: minH,
      blocksPerSecond: Math.round(((maxH - this.startHeight) / secs) * 100) / 100,
      txCommitted: tx,
      txPerSecond: Math.round(((tx - this.startTx) / secs) * 100) / 100,
      finalityP50Ms: quantile(samples, 0.5),
      finalityP99Ms: quantile(samples, 0.99),
      finalitySamples: samples.length,
      agree,
      kernel: (live[0]?.kernel as string | undefined) ?? null,
      dir: this.dir
    }
  }
}
