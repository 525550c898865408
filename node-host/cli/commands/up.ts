/** `hypermesh up`: runs a node until SIGINT/SIGTERM. With no flags, a single-validator dev mesh. */
import path from 'node:path'
import { CommandError, UsageError } from '../framework.ts'
import type { LeafCommand } from '../framework.ts'
import { DEFAULT_DATA_DIR, DEFAULT_HTTP } from '../constants.ts'
import { parseHostPort, httpBase } from './status.ts'
import { HyperMeshNode, NodeConfigError } from '../../node/node.ts'
import { GenesisFileError } from '../../node/genesis.ts'
import { KERNEL_NAMES } from '../../kernel/select.ts'
import type { KernelName } from '../../../ts/wasm/kernel.ts'
import { KeystoreError } from '../../../ts/identity/index.ts'
import { readHardware, describeShareable, policyFromStrings, PRIVACY_LEVELS, type ShareableAsset } from '../../hardware/index.ts'

function strings (v: unknown): string[] { return Array.isArray(v) ? v.map(String) : [] }

function intOption (v: unknown, flag: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${flag} expects an integer in ${min}..${max}, got '${String(v)}'`, 'hypermesh up')
  return n
}

export const upCommand: LeafCommand = {
  name: 'up',
  summary: 'Run a node (no flags: a single-validator dev mesh with the dashboard on http://127.0.0.1:8080)',
  description: 'Starts a HyperMesh node: identity from <data>/keys.json (created on first start), the chain in\n' +
    '<data>/chain (LevelDB), consensus, libp2p transport, the HTTP API, /metrics and the dashboard.\n' +
    'Without --genesis, <data>/genesis.json is used, and created as a single-validator dev genesis\n' +
    '(this node as the only validator) when it does not exist. The node commits its own\n' +
    '`node.status` transactions (with all four proofs) every --tx-interval ms.\n' +
    'Stops cleanly on Ctrl-C / SIGTERM (a second signal exits at once).',
  options: {
    data: { type: 'string', value: 'DIR', default: DEFAULT_DATA_DIR, help: 'data directory (keys, chain, plot, genesis)' },
    genesis: { type: 'string', value: 'FILE', help: 'genesis file of the mesh to join (default <data>/genesis.json)' },
    validator: { type: 'boolean', help: 'vote in consensus (this node must be a genesis validator; implied for a dev mesh)' },
    listen: { type: 'string', multiple: true, value: 'MULTIADDR', help: 'libp2p listen address (default TCP and WebSockets on 127.0.0.1, free ports)' },
    bootstrap: { type: 'string', multiple: true, value: 'MULTIADDR', help: 'peer to dial, with /p2p/<peer id>' },
    http: { type: 'string', value: 'HOST:PORT', default: DEFAULT_HTTP, help: "HTTP API and dashboard address ('none' for no HTTP)" },
    webtransport: { type: 'string', value: 'PORT|off', default: '4433', help: 'UDP port on 127.0.0.1 for donating browsers over WebTransport (a Deno gateway the node supervises); off to disable' },
    'job-threads': { type: 'string', value: 'N', default: '2', help: 'worker threads that run jobs for the mesh (0: donors only)' },
    relay: { type: 'string', value: 'URL', help: 'edge relay to stay connected to, so peers that cannot dial this node reach it (room = the chain id)' },
    kernel: { type: 'string', value: 'NAME', help: `hashing kernel: ${KERNEL_NAMES.join(', ')} (default: fastest that passes its self-test)` },
    'tx-interval': { type: 'string', value: 'MS', default: '1000', help: "interval of this node's status transactions; 0 for none" },
    'share-cores': { type: 'string', value: 'N', help: 'register N logical cores as a Cpu asset' },
    'share-memory': { type: 'string', value: 'SIZE', help: 'register memory as a Memory asset, e.g. 4GiB' },
    'share-storage': { type: 'string', multiple: true, value: 'PATH:SIZE', help: 'register storage as a Storage asset, e.g. /data:10GiB' },
    'share-gpu': { type: 'string', multiple: true, value: 'INDEX', help: 'register a GPU as an asset' },
    'share-network': { type: 'string', multiple: true, value: 'IFACE[:MBPS]', help: 'register a network interface as an asset' },
    privacy: { type: 'string', value: 'LEVEL', help: `who may use the shared assets: ${PRIVACY_LEVELS.join(', ')} (default: Private)` },
    json: { type: 'boolean', help: 'print JSON lines (ready, progress, stopped) instead of text' },
    quiet: { type: 'boolean', help: 'no progress lines' }
  },
  examples: [
    'hypermesh up',
    'hypermesh up --share-cores 2 --share-memory 4GiB --privacy P2P',
    'hypermesh up --data ./n1 --genesis mesh.json --validator --listen /ip4/0.0.0.0/tcp/4001 --http 127.0.0.1:8081',
    'hypermesh up --data ./n2 --genesis mesh.json --bootstrap /ip4/10.0.0.5/tcp/4001/p2p/12D3KooW...'
  ],
  async run ({ values, io }) {
    const json = values.json === true
    const out = (obj: Record<string, unknown>, text: string): void => { io.stdout(json ? JSON.stringify(obj) + '\n' : text) }
    const http = values.http === 'none' ? null : parseHostPort(typeof values.http === 'string' ? values.http : DEFAULT_HTTP, '--http')
    const kernel = values.kernel as string | undefined
    if (kernel !== undefined && !(KERNEL_NAMES as readonly string[]).includes(kernel)) throw new UsageError(`--kernel must be one of ${KERNEL_NAMES.join(', ')}`, 'hypermesh up')
    const txIntervalMs = intOption(values['tx-interval'] ?? '1000', '--tx-interval', 0, 3_600_000) as number
    const dataDir = path.resolve(io.cwd, typeof values.data === 'string' ? values.data : DEFAULT_DATA_DIR)
    const genesisFile = typeof values.genesis === 'string' ? path.resolve(io.cwd, values.genesis) : undefined
    let share: ShareableAsset[] | undefined
    if (['share-cores', 'share-memory', 'share-storage', 'share-gpu', 'share-network', 'privacy'].some((k) => values[k] !== undefined)) {
      const str = (v: unknown): string | undefined => typeof v === 'string' ? v : undefined
      let policy
      try {
        policy = policyFromStrings({ cores: str(values['share-cores']), memory: str(values['share-memory']), storage: strings(values['share-storage']), gpu: strings(values['share-gpu']), network: strings(values['share-network']), privacy: str(values.privacy) })
      } catch (err) { throw new UsageError((err as Error).message, 'hypermesh up') }
      try { share = describeShareable(await readHardware(), policy) } catch (err) { throw new CommandError((err as Error).message, { cause: err }) }
    }
    const signal = io.signal
    const logLines: string[] = []
    const log = (line: string): void => {
      if (json) io.stdout(JSON.stringify({ event: 'log', message: line, at: Date.now() }) + '\n')
      else if (values.quiet !== true || line.startsWith('error')) io.stderr(`${new Date().toISOString().slice(11, 19)} ${line}\n`)
      logLines.push(line)
    }
    if (!json) io.stderr(`starting HyperMesh node (data ${dataDir})…\n`)
    let node: HyperMeshNode
    try {
      node = await HyperMeshNode.start({
        dataDir,
        ...(genesisFile !== undefined ? { genesisFile } : {}),
        dev: genesisFile === undefined,
        ...(values.validator === true ? { validator: true } : {}),
        listen: strings(values.listen),
        bootstrap: strings(values.bootstrap),
        http,
        ...(kernel !== undefined ? { kernel: kernel as KernelName } : {}),
        txIntervalMs,
        ...(share !== undefined ? { share } : {}),
        ...(typeof values.relay === 'string' ? { relay: values.relay } : {}),
        jobThreads: jobThreads(values['job-threads']),
        ...webTransport(values.webtransport),
        log
      })
    } catch (err) {
      if (err instanceof NodeConfigError || err instanceof GenesisFileError || err instanceof KeystoreError) throw new CommandError(err.message, { cause: err })
      throw err
    }
    node.onOwnTxCommitted((c) => { if (json) io.stdout(JSON.stringify({ event: 'tx-committed', ...c, at: Date.now() }) + '\n') })
    const st = node.status()
    const base = http === null ? null : node.httpUrl ?? httpBase(http)
    out({ event: 'ready', ...st, http: base }, [
      '',
      'HyperMesh node is up',
      `  Node       ${String(st.nodeId)}`,
      `  Chain      ${String(st.chainId)} (${node.genesis.proofPreset} proofs, ${node.validators.validators.length} validator${node.validators.validators.length === 1 ? '' : 's'}; this node: ${st.validator ? 'validator' : 'observer'})`,
      `  Kernel     ${node.kernelReason}`,
      `  Data       ${dataDir}`,
      `  libp2p     ${node.addresses().join('\n             ')}`,
      ...(base !== null
        ? [`  Dashboard  ${base}/`, `  API        ${base}/api/status   ${base}/api/assets   ${base}/metrics`, `  Status     hypermesh status${http !== null && `${http.host}:${http.port}` !== DEFAULT_HTTP ? ` --http ${http.host}:${http.port}` : ''}`]
        : ['  HTTP       off']),
      '',
      'Press Ctrl-C to stop.',
      ''
    ].join('\n'))

    let lastHeight = st.height
    const progress = setInterval(() => {
      if (values.quiet === true) return
      const s = node.status()
      const f = s.finality as { p50Ms: number | null }
      out({ event: 'progress', height: s.height, peers: s.peers, txCommitted: s.txCommitted, mempool: s.mempool, finalityP50Ms: f.p50Ms, at: Date.now() },
        `${new Date().toISOString().slice(11, 19)} height ${s.height} (+${s.height - lastHeight}) · ${s.peers} peer${s.peers === 1 ? '' : 's'} · ${String(s.txCommitted)} tx committed · finality p50 ${f.p50Ms ?? '–'} ms\n`)
      lastHeight = s.height
    }, 10_000)

    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve()
      else signal.addEventListener('abort', () => resolve(), { once: true })
    })
    clearInterval(progress)
    if (!json) io.stderr('\nstopping…\n')
    const height = node.ledger.height
    await node.stop()
    out({ event: 'stopped', height, at: Date.now() }, `stopped at height ${height}; data kept in ${dataDir}\n`)
    return 0
  }
}

function jobThreads (v: unknown): number {
  const n = Number(typeof v === 'string' ? v : '2')
  if (!Number.isSafeInteger(n) || n < 0 || n > 64) throw new UsageError('--job-threads must be an integer in 0..64', 'hypermesh up')
  return n
}

function webTransport (v: unknown): { webtransport?: { port: number } } {
  if (v === 'off') return {}
  const n = Number(v)
  if (typeof v !== 'string' || !/^\d+$/.test(v) || n > 65535) throw new UsageError('--webtransport expects a UDP port (0..65535) or off', 'hypermesh up')
  return { webtransport: { port: n } }
}
