/**
 * Runs one chaos manifest against real `hypermesh up` processes: per-node data
 * directories (on a small tmpfs for nodes that get a full disk), a generated
 * genesis (validators first, then observers), each node in its own network
 * namespace when the manifest partitions the network (loopback otherwise),
 * the perturbations at their times, a 500 ms status sampler for the timeline
 * and recovery times, then a clean stop and the store checks (checks.ts).
 * Processes are signalled by PID only; namespaces, links and mounts made
 * here are removed by name, also after failures.
 */
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process'
import { createWriteStream, existsSync, type WriteStream } from 'node:fs'
import { mkdir, open, rm, statfs } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateKeyPair as generateLibp2pKey, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { loadOrCreateIdentity, nodeIdOf, nodeIdToHex } from '../../ts/identity/index.ts'
import { FileKeystore } from '../identity/file-keystore.ts'
import { selectKernel } from '../kernel/select.ts'
import { makeGenesis, writeGenesisFile } from '../node/genesis.ts'
import net from 'node:net'
import { parsePrometheusText } from '../http/index.ts'
import { perturbationEnd, type Manifest, type Perturbation } from './manifest.ts'
import { NetnsTopology, netnsUnavailable } from './netns.ts'

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'hypermesh.mjs')
export const FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1'
const TMPFS_MIB = 48
const SAMPLE_MS = 500
const HALT_MS = 6000

export interface Ack { node: number, hash: string, sequence: number, height: number, blockHash: string, latencyMs: number, t: number }
export interface Sample { t: number, node: number, height: number, peers: number }
export interface ExitRecord { node: number, t: number, code: number | null, signal: string | null, expected: boolean, lastLines: string[] }
export interface PerturbationRecord {
  index: number
  type: Perturbation['type']
  node: number
  /** ms from the run's start. */
  start: number | null
  end: number | null
  skipped: string | null
  detail: string[]
  /** ms from the fault's end to finality resumed and the node caught up; null when it did not within the bound. */
  recoveryMs: number | null
  heightAtEnd: number | null
}

export interface RunOptions {
  dir: string
  log?: (line: string) => void
  /** Keep the data directories after the run (default: removed when every check passed). */
  keep?: boolean
}

interface Member {
  index: number
  dataDir: string
  nodeIdHex: string
  peerId: string
  p2pHost: string
  p2pPort: number
  httpHost: string
  httpPort: number
  addr: string
  http: string
  proc: ChildProcess | null
  expectedExit: boolean
  tmpfs: boolean
  logFile: string
  tail: string[]
  env: Record<string, string>
}

export interface RawRun {
  manifest: Manifest
  dir: string
  t0: number
  endedAt: number
  samples: Sample[]
  acks: Ack[]
  exits: ExitRecord[]
  perturbations: PerturbationRecord[]
  equivocations: number[]
  halts: Array<{ start: number, end: number | null }>
  members: Array<{ index: number, dataDir: string, nodeId: string, role: string, faults: string[], logFile: string }>
  netns: string | null
  setupErrors: string[]
}

/**
 * A free TCP port below the kernel's ephemeral range (32768+), so no outgoing
 * connection of another process takes it between this check and the node's
 * bind (ports from bind(0) are ephemeral and were seen reused by then).
 */
async function chaosPort (host: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20000 + Math.floor(Math.random() * 12000)
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.createServer()
      s.once('error', () => resolve(false))
      s.listen(port, host, () => s.close(() => resolve(true)))
    })
    if (ok) return port
  }
  throw new Error('no free port in 20000..31999')
}

const sleep = async (ms: number): Promise<void> => { await new Promise((r) => setTimeout(r, Math.max(0, ms))) }

async function sh (cmd: string, args: string[]): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    execFile(cmd, args, { timeout: 20_000 }, (err, _o, stderr) => { if (err !== null) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`)); else resolve() })
  })
}

export class ChaosRun {
  readonly manifest: Manifest
  readonly dir: string
  private readonly log: (line: string) => void
  private members: Member[] = []
  private topo: NetnsTopology | null = null
  private genesisFile = ''
  private t0 = 0
  private readonly samples: Sample[] = []
  private readonly acks: Ack[] = []
  private readonly exits: ExitRecord[] = []
  private records: PerturbationRecord[] = []
  private readonly equiv: number[] = []
  private readonly lastEquiv: number[] = []
  private readonly heights: number[] = []
  private readonly logs = new Map<number, WriteStream>()
  private readonly pendingRecovery: Array<{ rec: PerturbationRecord, endAt: number, target: number }> = []
  private readonly setupErrors: string[] = []
  private stopping = false

  constructor (manifest: Manifest, opts: RunOptions) {
    this.manifest = manifest
    this.dir = path.resolve(opts.dir)
    this.log = opts.log ?? (() => {})
  }

  private now (): number { return Date.now() - this.t0 }

  /** Keys, mounts, namespaces and the genesis. */
  private async setup (): Promise<void> {
    const m = this.manifest
    await mkdir(this.dir, { recursive: true })
    const wantsNetns = m.perturbations.some((p) => p.type === 'disconnect')
    if (wantsNetns) {
      const why = await netnsUnavailable()
      if (why === null) {
        this.topo = await NetnsTopology.create(m.nodes.length)
        this.log(`network namespaces ${this.topo.prefix}-00..${String(m.nodes.length - 1).padStart(2, '0')} on bridge ${this.topo.bridge}`)
      } else {
        this.setupErrors.push(`netns unavailable: ${why}`)
        this.log(`disconnect perturbations will be skipped: ${why}`)
      }
    }
    const diskNodes = new Set(m.perturbations.filter((p) => p.type === 'disk-full').map((p) => p.node))
    const keys: Uint8Array[] = []
    // validators first, so a node's validator index is its position among validators
    const order = [...m.nodes.keys()].sort((a, b) => (m.nodes[a].role === 'validator' ? 0 : 1) - (m.nodes[b].role === 'validator' ? 0 : 1) || a - b)
    for (let i = 0; i < m.nodes.length; i++) {
      const dataDir = path.join(this.dir, `node${i}`)
      await mkdir(dataDir, { recursive: true, mode: 0o700 })
      let tmpfs = false
      if (diskNodes.has(i)) {
        await sh('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_MIB}m,mode=0700`, 'hmchaos-tmpfs', dataDir])
        tmpfs = true
      }
      const { identity } = await loadOrCreateIdentity(new FileKeystore(dataDir), async () => privateKeyToProtobuf(await generateLibp2pKey('Ed25519')))
      const peerId = peerIdFromPrivateKey(privateKeyFromProtobuf(identity.libp2pPrivateKey)).toString()
      keys[i] = identity.falcon.publicKey
      const ns = this.topo?.nodes[i]
      const p2pHost = ns?.meshAddr ?? '127.0.0.1'
      const httpHost = ns?.mgmtAddr ?? '127.0.0.1'
      const p2pPort = ns !== undefined ? 4001 : await chaosPort(p2pHost)
      const httpPort = ns !== undefined ? 8080 : await chaosPort(httpHost)
      this.members.push({
        index: i, dataDir, nodeIdHex: nodeIdToHex(nodeIdOf(identity.falcon.publicKey)), peerId, p2pHost, p2pPort, httpHost, httpPort,
        addr: `/ip4/${p2pHost}/tcp/${p2pPort}/p2p/${peerId}`, http: `http://${httpHost}:${httpPort}`, proc: null, expectedExit: false, tmpfs,
        logFile: path.join(this.dir, `node${i}.log`), tail: [], env: {}
      })
      this.heights[i] = 0; this.equiv[i] = 0; this.lastEquiv[i] = 0
    }
    const genesis = makeGenesis({
      chainId: `hypermesh-chaos-${m.name}`.slice(0, 64),
      preset: 'dev',
      members: order.map((i) => ({ publicKey: keys[i], validator: m.nodes[i].role === 'validator' })),
      kernel: selectKernel().kernel
    })
    this.genesisFile = path.join(this.dir, 'genesis.json')
    await writeGenesisFile(this.genesisFile, genesis)
    this.records = m.perturbations.map((p, index) => ({ index, type: p.type, node: p.node, start: null, end: null, skipped: null, detail: [], recoveryMs: null, heightAtEnd: null }))
  }

  private argsFor (i: number): string[] {
    const m = this.members[i]
    const spec = this.manifest.nodes[i]
    return [
      'up', '--data', m.dataDir, '--genesis', this.genesisFile, ...(spec.role === 'validator' ? ['--validator'] : []), '--json',
      '--listen', `/ip4/${m.p2pHost}/tcp/${m.p2pPort}`, '--http', `${m.httpHost}:${m.httpPort}`,
      '--tx-interval', String(spec.txIntervalMs ?? this.manifest.load.txIntervalMs),
      ...(spec.kernel !== undefined ? ['--kernel', spec.kernel] : []),
      ...this.members.filter((o) => o.index !== i).flatMap((o) => ['--bootstrap', o.addr])
    ]
  }

  isRunning (i: number): boolean {
    const p = this.members[i].proc
    return p !== null && p.exitCode === null && p.signalCode === null
  }

  /** Starts node `i`; resolves at its ready line. `extraEnv` e.g. libfaketime. An HTTP port taken meanwhile is replaced. */
  async start (i: number, extraEnv: Record<string, string> = {}, timeoutMs = 90_000): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try { await this.startOnce(i, extraEnv, timeoutMs); return } catch (err) {
        const m = this.members[i]
        const msg = `${(err as Error).message}\n${m.tail.join('\n')}`
        const httpTaken = /HTTP .* is already in use/.test(msg)
        const p2pTaken = /EADDRINUSE/.test(msg) && !httpTaken
        if (attempt >= 3 || this.topo !== null || !(httpTaken || p2pTaken)) throw err
        // the harness's port race (another process bound the port first), not the node's fault
        const last = [...this.exits].reverse().find((e) => e.node === i)
        if (last !== undefined) last.expected = true
        if (httpTaken) {
          m.httpPort = await chaosPort(m.httpHost)
          m.http = `http://${m.httpHost}:${m.httpPort}`
        } else {
          // the others' bootstrap lists name the old port until their next start; this node dials them
          m.p2pPort = await chaosPort(m.p2pHost)
          m.addr = `/ip4/${m.p2pHost}/tcp/${m.p2pPort}/p2p/${m.peerId}`
        }
        this.log(`node ${i}: ${httpTaken ? 'HTTP' : 'libp2p'} port taken by another process; retrying on a new one`)
      }
    }
  }

  private async startOnce (i: number, extraEnv: Record<string, string>, timeoutMs: number): Promise<void> {
    const m = this.members[i]
    if (this.isRunning(i)) throw new Error(`node ${i} is running`)
    let ls = this.logs.get(i)
    if (ls === undefined) { ls = createWriteStream(m.logFile, { flags: 'a' }); this.logs.set(i, ls) }
    const faults = this.manifest.nodes[i].faults
    const env: Record<string, string> = { ...process.env as Record<string, string>, ...extraEnv }
    if (faults.length > 0) { env.HYPERMESH_TEST_BUILD = '1'; env.HYPERMESH_TEST_FAULTS = faults.join(',') }
    m.env = extraEnv
    m.tail = []
    const ns = this.topo?.nodes[i]
    const cmd = ns !== undefined ? 'ip' : process.execPath
    const args = ns !== undefined ? ['netns', 'exec', ns.ns, process.execPath, BIN, ...this.argsFor(i)] : [BIN, ...this.argsFor(i)]
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env })
    m.proc = proc
    m.expectedExit = false
    const stream = ls
    stream.write(`# ${new Date().toISOString()} start ${Object.keys(extraEnv).length > 0 ? JSON.stringify(extraEnv) : ''}\n`)
    const keepTail = (line: string): void => { m.tail.push(line); if (m.tail.length > 12) m.tail.shift() }
    let errBuf = ''
    proc.stderr?.on('data', (d: Buffer) => {
      stream.write(d)
      errBuf += d.toString('utf8')
      let nl
      while ((nl = errBuf.indexOf('\n')) >= 0) { keepTail(errBuf.slice(0, nl)); errBuf = errBuf.slice(nl + 1) }
    })
    let ready: () => void = () => {}
    let failed: (e: Error) => void = () => {}
    const readyP = new Promise<void>((resolve, reject) => { ready = resolve; failed = reject })
    let buf = ''
    proc.stdout?.on('data', (d: Buffer) => {
      stream.write(d)
      buf += d.toString('utf8')
      let nl
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl); buf = buf.slice(nl + 1)
        if (line.startsWith('{"event":"ready"')) { ready(); continue }
        if (line.startsWith('{"event":"tx-committed"')) {
          try {
            const e = JSON.parse(line) as { hash: string, sequence: number, height: number, blockHash: string, latencyMs: number }
            this.acks.push({ node: i, hash: e.hash, sequence: e.sequence, height: e.height, blockHash: e.blockHash, latencyMs: e.latencyMs, t: this.now() })
          } catch { keepTail(line) }
          continue
        }
        if (line.startsWith('{"event":"log"')) {
          try { keepTail((JSON.parse(line) as { message: string }).message) } catch { keepTail(line) }
        } else if (!line.startsWith('{"event":"progress"')) keepTail(line)
      }
    })
    proc.once('exit', (code, signal) => {
      this.exits.push({ node: i, t: this.now(), code, signal, expected: m.expectedExit, lastLines: [...m.tail] })
      if (!m.expectedExit && !this.stopping) this.log(`node ${i} exited on its own (${code ?? signal}): ${m.tail.slice(-3).join(' | ')}`)
      failed(new Error(`node ${i} exited (${code ?? signal}) before it was ready: ${m.tail.slice(-4).join(' | ')}`))
    })
    const timer = setTimeout(() => failed(new Error(`node ${i} not ready after ${timeoutMs} ms (log ${m.logFile})`)), timeoutMs)
    try { await readyP } finally { clearTimeout(timer) }
  }

  /** Sends `signal` by PID and waits for the exit (SIGKILL after graceMs). */
  async kill (i: number, signal: NodeJS.Signals, graceMs = 20_000): Promise<void> {
    const m = this.members[i]
    const p = m.proc
    if (p === null || !this.isRunning(i)) return
    m.expectedExit = true
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()))
    if (signal !== 'SIGKILL') p.kill('SIGCONT')
    p.kill(signal)
    const t = setTimeout(() => { if (this.isRunning(i)) p.kill('SIGKILL') }, graceMs)
    await exited
    clearTimeout(t)
  }

  private async status (i: number): Promise<{ height: number, peers: number } | null> {
    if (!this.isRunning(i)) return null
    try {
      const r = await fetch(this.members[i].http + '/api/status', { signal: AbortSignal.timeout(1500) })
      if (!r.ok) { await r.body?.cancel().catch(() => {}); return null }
      return await r.json() as { height: number, peers: number }
    } catch { return null }
  }

  private async scrapeEquivocations (i: number): Promise<void> {
    if (!this.isRunning(i)) return
    try {
      const r = await fetch(this.members[i].http + '/metrics', { signal: AbortSignal.timeout(2000) })
      const fams = parsePrometheusText(await r.text())
      const v = fams.flatMap((f) => f.samples).filter((s) => s.name === 'hypermesh_consensus_rejected_messages_total' && s.labels.reason === 'equivocation')
        .reduce((a, s) => a + Number(s.value), 0)
      // a restarted process counts from 0 again
      const delta = v >= this.lastEquiv[i] ? v - this.lastEquiv[i] : v
      this.equiv[i] += delta
      this.lastEquiv[i] = v
    } catch { /* not reachable now */ }
  }

  private maxHeight (): number { return Math.max(0, ...this.heights) }

  private async sampleLoop (until: () => boolean): Promise<void> {
    let n = 0
    while (!until()) {
      const t = this.now()
      const st = await Promise.all(this.members.map(async (m) => await this.status(m.index)))
      st.forEach((s, i) => { if (s !== null) { this.heights[i] = s.height; this.samples.push({ t, node: i, height: s.height, peers: s.peers }) } })
      if (n++ % 6 === 0) await Promise.all(this.members.map(async (m) => { await this.scrapeEquivocations(m.index) }))
      const max = this.maxHeight()
      for (let j = this.pendingRecovery.length - 1; j >= 0; j--) {
        const pr = this.pendingRecovery[j]
        if (max >= pr.target && this.heights[pr.rec.node] >= pr.target && this.isRunning(pr.rec.node)) {
          pr.rec.recoveryMs = Math.max(0, t - pr.endAt)
          this.pendingRecovery.splice(j, 1)
        } else if (t - pr.endAt > this.manifest.recoveryBoundSeconds * 1000) {
          pr.rec.detail.push(`not recovered within ${this.manifest.recoveryBoundSeconds} s (node ${pr.rec.node} at ${this.heights[pr.rec.node]}, network at ${max}, needed ${pr.target})`)
          this.pendingRecovery.splice(j, 1)
        }
      }
      await sleep(SAMPLE_MS - (this.now() - t))
    }
  }

  private faultEnded (rec: PerturbationRecord): void {
    rec.end = this.now()
    rec.heightAtEnd = this.maxHeight()
    this.pendingRecovery.push({ rec, endAt: rec.end, target: rec.heightAtEnd + 1 })
  }

  private async fill (dir: string): Promise<number> {
    const fh = await open(path.join(dir, 'hmchaos-fill'), 'w')
    const chunk = Buffer.alloc(1 << 20)
    let written = 0
    try {
      for (;;) { await fh.write(chunk); written += chunk.length }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err
    } finally { await fh.close() }
    // the last partial megabyte too
    const small = await open(path.join(dir, 'hmchaos-fill2'), 'w')
    try { for (;;) { await small.write(Buffer.alloc(4096)); written += 4096 } } catch { /* full */ } finally { await small.close() }
    return written
  }

  private async perturb (p: Perturbation, rec: PerturbationRecord): Promise<void> {
    const i = p.node
    const m = this.members[i]
    await sleep(p.at * 1000 - this.now())
    if (p.whenProposer !== undefined) {
      // proposer of (h, 0) is validator (h mod total power) with unit powers
      const vIndex = this.manifest.nodes.slice(0, p.whenProposer).filter((n) => n.role === 'validator').length
      const vCount = this.manifest.nodes.filter((n) => n.role === 'validator').length
      const deadline = this.now() + 30_000
      for (;;) {
        const h = Math.max(0, ...(await Promise.all(this.members.map(async (x) => (await this.status(x.index))?.height ?? 0))))
        if ((h + 1) % vCount === vIndex || this.now() > deadline) { rec.detail.push(`fired at height ${h}`); break }
        await sleep(40)
      }
    }
    rec.start = this.now()
    const dur = p.durationSeconds * 1000
    switch (p.type) {
      case 'kill':
        await this.kill(i, 'SIGKILL')
        await sleep(dur)
        await this.start(i)
        this.faultEnded(rec)
        return
      case 'restart':
        await this.kill(i, 'SIGTERM')
        await this.start(i)
        this.faultEnded(rec)
        return
      case 'pause':
        m.proc?.kill('SIGSTOP')
        await sleep(dur)
        m.proc?.kill('SIGCONT')
        this.faultEnded(rec)
        return
      case 'disconnect':
        if (this.topo === null) { rec.skipped = `skipped: ${this.setupErrors.find((e) => e.startsWith('netns'))?.slice(20) ?? 'no network namespaces'}`; rec.end = rec.start; return }
        await this.topo.disconnect(i)
        rec.detail.push(`link ${this.topo.nodes[i].meshLink} down`)
        await sleep(dur)
        await this.topo.reconnect(i)
        this.faultEnded(rec)
        return
      case 'disk-full': {
        const before = await statfs(m.dataDir)
        const written = await this.fill(m.dataDir)
        rec.detail.push(`filled ${Math.round(written / 2 ** 20)} MiB of ${Math.round((before.blocks * before.bsize) / 2 ** 20)} MiB tmpfs`)
        await sleep(dur)
        await rm(path.join(m.dataDir, 'hmchaos-fill'), { force: true })
        await rm(path.join(m.dataDir, 'hmchaos-fill2'), { force: true })
        const exited = this.exits.filter((e) => e.node === i && !e.expected && e.t >= (rec.start ?? 0))
        if (exited.length > 0) {
          rec.detail.push(`node stopped during the full disk: ${exited[0].lastLines.slice(-3).join(' | ')}`)
          if (!this.isRunning(i)) await this.start(i)
          rec.detail.push('started again after the disk was freed')
        } else rec.detail.push(this.isRunning(i) ? 'node kept running' : 'node not running')
        this.faultEnded(rec)
        return
      }
      case 'clock-skew': {
        if (!existsSync(FAKETIME_LIB)) { rec.skipped = `skipped: ${FAKETIME_LIB} not found (apt-get install libfaketime)`; rec.end = rec.start; return }
        const skew = p.skewSeconds ?? 0
        await this.kill(i, 'SIGTERM')
        await this.start(i, { LD_PRELOAD: FAKETIME_LIB, FAKETIME: `${skew > 0 ? '+' : ''}${skew}s`, FAKETIME_DONT_FAKE_MONOTONIC: '1', FAKETIME_NO_CACHE: '1' })
        rec.detail.push(`restarted with FAKETIME=${skew > 0 ? '+' : ''}${skew}s`)
        await sleep(dur - (this.now() - rec.start))
        await this.kill(i, 'SIGTERM')
        await this.start(i)
        rec.detail.push('restarted with the true clock')
        this.faultEnded(rec)
      }
    }
  }

  /** Runs the manifest; always stops every process and removes mounts and namespaces. */
  async run (): Promise<RawRun> {
    let endedAt = 0
    const halts: Array<{ start: number, end: number | null }> = []
    // Ctrl-C / SIGTERM of the runner: end our node processes (by PID), unmount, exit (the exit hook removes the namespaces)
    const onSignal = (sig: NodeJS.Signals): void => {
      for (const m of this.members) { try { m.proc?.kill('SIGKILL') } catch { /* gone */ } }
      for (const m of this.members) if (m.tmpfs) { try { execFileSync('umount', ['-l', m.dataDir]) } catch { /* not mounted */ } }
      process.exit(sig === 'SIGINT' ? 130 : 143)
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    try {
      await this.setup()
      this.t0 = Date.now()
      const stagger = this.members.map(async (m, k) => { await sleep(k * 150); await this.start(m.index) })
      await Promise.all(stagger)
      this.t0 = Date.now() // perturbation times count from "all up"
      this.log(`all ${this.members.length} nodes up; running ${this.manifest.durationSeconds} s`)
      let done = false
      const sampler = this.sampleLoop(() => done)
      // faults of one node never overlap: a perturbation whose node is still coming back from the
      // previous one (a slow start on a loaded machine) waits for it
      const lastOfNode = new Map<number, Promise<void>>()
      const tasks = this.manifest.perturbations.map(async (p, k) => {
        const prev = lastOfNode.get(p.node) ?? Promise.resolve()
        let release: () => void = () => {}
        lastOfNode.set(p.node, new Promise<void>((resolve) => { release = resolve }))
        try {
          await sleep(p.at * 1000 - this.now())
          await prev
          await this.perturb(p, this.records[k])
        } catch (err) {
          this.records[k].detail.push(`error: ${(err as Error).message}`)
          if (this.records[k].end === null) this.records[k].end = this.now()
        } finally { release() }
      })
      await sleep(this.manifest.durationSeconds * 1000 - this.now())
      await Promise.all(tasks)
      // wait for recoveries still pending (bounded by recoveryBoundSeconds each)
      while (this.pendingRecovery.length > 0) await sleep(250)
      done = true
      await sampler
      await Promise.all(this.members.map(async (m) => { await this.scrapeEquivocations(m.index) }))
      endedAt = this.now()
    } finally {
      this.stopping = true
      for (const m of this.members) m.proc?.kill('SIGCONT')
      if (this.topo !== null) for (let i = 0; i < this.members.length; i++) await this.topo.reconnect(i).catch(() => {})
      await Promise.all(this.members.map(async (m) => { await this.kill(m.index, 'SIGTERM') }))
      for (const s of this.logs.values()) s.end()
      await this.topo?.destroy().catch(() => {})
      process.removeListener('SIGINT', onSignal)
      process.removeListener('SIGTERM', onSignal)
      if (endedAt === 0) endedAt = this.now()
    }
    // halts: the highest sampled height did not move for HALT_MS
    let maxH = -1
    let lastMove = 0
    let open: { start: number, end: number | null } | null = null
    const byT = [...this.samples].sort((a, b) => a.t - b.t)
    for (const s of byT) {
      if (s.height > maxH) {
        maxH = s.height
        if (open !== null) { open.end = s.t; open = null }
        lastMove = s.t
      } else if (open === null && s.t - lastMove > HALT_MS) { open = { start: lastMove, end: null }; halts.push(open) }
    }
    return {
      manifest: this.manifest,
      dir: this.dir,
      t0: this.t0,
      endedAt,
      samples: this.samples,
      acks: this.acks,
      exits: this.exits,
      perturbations: this.records,
      equivocations: [...this.equiv],
      halts,
      members: this.members.map((m) => ({ index: m.index, dataDir: m.dataDir, nodeId: m.nodeIdHex, role: this.manifest.nodes[m.index].role, faults: this.manifest.nodes[m.index].faults, logFile: m.logFile })),
      netns: this.topo?.prefix ?? null,
      setupErrors: this.setupErrors
    }
  }

  /** Unmounts the tmpfs data directories (after the checks read them). */
  async unmount (): Promise<void> {
    for (const m of this.members) if (m.tmpfs) { await sh('umount', ['-l', m.dataDir]).catch(() => {}); m.tmpfs = false }
  }

  /** Removes the nodes' data directories (logs, genesis and reports stay). */
  async removeDir (): Promise<void> {
    await this.unmount()
    for (const m of this.members) await rm(m.dataDir, { recursive: true, force: true })
  }
}

export { perturbationEnd }
