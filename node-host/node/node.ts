/**
 * The running node: the composition root of node-host. It wires
 *  - the identity (FALCON-1024 + libp2p key) from the data directory's keystore,
 *  - the hashing kernel picked by a start-up self-test (native, simd, scalar, ts),
 *  - the ledger on LevelDB (`<data>/chain`) with its transaction handlers and
 *    a mempool that verifies each transaction's ConsensusProof once,
 *  - the Tendermint engine (ts/consensus), whose actions this file performs
 *    with real timers, real FALCON signatures, gossipsub and LevelDB,
 *  - stoq (libp2p: TCP + noise + yamux, WebSockets, gossipsub, framed sync),
 *  - the HTTP API, /metrics and the dashboard,
 *  - a producer of real transactions (`node.status` reports with all four proofs).
 *
 * Engine events and everything that touches the ledger run one at a time on
 * a serial queue, so the engine sees exactly the event order the simulator
 * proves safe, and the write-ahead record is durable before any later action.
 */
import { fileURLToPath } from 'node:url'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { generateKeyPair as generateLibp2pKey, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import {
  Ledger, Mempool, ProofCache, blockHash, bytesEqual, computeTxRoot, decodeTx, encodeTx, operationHash, toHex, txHash,
  type Block, type CommitCertificate, type Genesis, type Transaction
} from '../../ts/ledger/index.ts'
import { consensusProofVerifier } from '../../ts/ledger/proof-verifier.ts'
import {
  TendermintEngine, ValidatorSet, decodeMessage, encodeMessage, proposalSignBytes, serveSync, verifyCommitCertificate,
  type EngineAction, type EngineEvent, type Message, type Proposal, type ProposalBody, type Timeouts, type Vote, type VoteBody
} from '../../ts/consensus/index.ts'
import { createConsensusProof } from '../../ts/proofs/bundle.ts'
import { encodeConsensusProof } from '../../ts/proofs/encoding.ts'
import type { PlotStore } from '../../ts/proofs/plot.ts'
import { DOMAINS, loadOrCreateIdentity, nodeIdOf, sign, verify, type Domain, type KeyPair } from '../../ts/identity/index.ts'
import { createStoq, identityBindingAuthority, TOPICS, protocolId, DROP_REASONS, type Stoq } from '../../ts/stoq/index.ts'
import { createMetricsRegistry, type MetricsRegistry, type Histogram, type Counter, type Gauge } from '../../ts/monitor/index.ts'
import type { Kernel } from '../../ts/wasm/kernel.ts'
import { FileKeystore } from '../identity/file-keystore.ts'
import { LevelBlockStore } from '../store/index.ts'
import { createHttpServer, type HttpServer, type NodeStatus } from '../http/index.ts'
import { selectKernel } from '../kernel/select.ts'
import type { KernelName } from '../../ts/wasm/kernel.ts'
import { createFilePlot, openFilePlot, type FilePlotStore } from '../proofs/plot-file-store.ts'
import { GENESIS_FILE, fileExists, loadGenesisFile, makeGenesis, plotLog2For, writeGenesisFile } from './genesis.ts'
import { STATUS_TX_KIND, STATUS_WORK_KIND, encodeStatusReport, registerStatusTx } from './status-tx.ts'
import { HelloMessage, encodeHello } from './hello.ts'
import { testFaultsFromEnv, type TestFault } from './test-faults.ts'
import {
  ASSET_KINDS, ASSET_TX, PRIVACY_LEVELS, assetsOf, countAssets, encodeAllocate, encodeRegister, encodeRelease, formatAssetId, getAsset, kindName, privacyName, registerAssets, stateName,
  type AssetKind, type AssetRecordValue, type Privacy
} from '../../ts/assets/index.ts'
import type { ShareableAsset } from '../hardware/index.ts'
import { MemService, MemServiceError } from './mem-service.ts'
import { BlockLog } from './block-log.ts'
import { RelayLink } from './relay-link.ts'
import { JobService, JobServiceError } from './job-service.ts'
import { staticDir, DONATE_CSP } from '../http/static-dir.ts'
import { WebTransportGateway } from '../webtransport/gateway.ts'
import { registerJobs } from '../../ts/jobs/ledger.ts'
import { registerCaesar, auditCaesar, KEY_CONFIG as CAESAR_CONFIG_KEY, type Caesar } from '../../ts/caesar/index.ts'
import { GlobalAddress, AddressError } from '../../ts/nat/index.ts'
import { ApiError, type ApiRequest, type ApiResult } from '../http/index.ts'
import { parseAssetId, privacyFromName } from '../../ts/assets/index.ts'

export const SYNC_PROTOCOL = protocolId('sync', 1)
export const HELLO_PROTOCOL = protocolId('hello', 1)
/** Largest sync answer (a snapshot of the whole state). */
export const MAX_SYNC_BYTES = 32 * 1024 * 1024
const SYNC_BATCH = 64
const FINALITY_WINDOW = 1000
/** Most transaction bytes in a block this node proposes (the proposal must fit stoq's 1 MiB gossip message). */
export const MAX_PROPOSAL_TX_BYTES = 768 * 1024
const DEV_TIMEOUTS: Partial<Timeouts> = { propose: 1000, prevote: 500, precommit: 500, delta: 250, commit: 250, rebroadcast: 1000, sync: 500 }

const EMPTY_COUNTS: ReadonlyMap<string, number> = new Map()

/** The built donate page (browser-host/, `npm run build`), served at /donate/. */
const DONATE_DIR = fileURLToPath(new URL('../../browser-host/dist', import.meta.url))

export interface NodeOptions {
  /** Data directory (keys, chain, plot, genesis). */
  dataDir: string
  /** Genesis file. Default `<dataDir>/genesis.json`; with `dev`, written on first start when absent. */
  genesisFile?: string
  /** Create a single-validator dev genesis when none exists (what `hypermesh up` with no flags does). */
  dev?: boolean
  /** Vote in consensus (this node's key must be a genesis validator). Default: true with `dev`. */
  validator?: boolean
  /** libp2p listen multiaddrs (default TCP + WebSockets on 127.0.0.1, free ports). */
  listen?: string[]
  /** Peers to dial at start and keep dialing while disconnected. */
  bootstrap?: string[]
  /** HTTP API address; null for none. Default 127.0.0.1:8080. */
  http?: { host: string, port: number } | null
  /** Force a kernel (default: HYPERMESH_KERNEL, else the fastest that passes its self-test). */
  kernel?: KernelName
  /** Interval of this node's `node.status` transactions in ms; 0 for none. Default 1000. */
  txIntervalMs?: number
  maxTxsPerBlock?: number
  timeouts?: Partial<Timeouts>
  /** One line per notable event (default: nothing). */
  log?: (line: string) => void
  /** Edge relay to stay connected to (room = the chain id), e.g. https://relay.example.workers.dev. */
  relay?: string
  /** Most bytes of memory regions this node allocates for its Memory assets (default 1 GiB). */
  memBudget?: number
  /** Serve donors over WebTransport through a supervised Deno gateway on this UDP port of 127.0.0.1 (0: any free port); needs `http`. Default: off. */
  webtransport?: { port: number }
  /** Worker threads that run jobs for the mesh (default 2; 0 for none — donors only). */
  jobThreads?: number
  /** Hardware to register as assets at start (from a sharing policy); an offer already registered by this node is not registered again. */
  share?: readonly ShareableAsset[]
  /** Deliberate faults (test builds only; default from HYPERMESH_TEST_FAULTS, see test-faults.ts). */
  testFaults?: ReadonlySet<TestFault>
}

/** One of this node's own transactions, reported committed. */
export interface OwnTxCommit { hash: string, sequence: number, height: number, blockHash: string, latencyMs: number }

export interface FinalitySummary { samples: number, p50Ms: number | null, p99Ms: number | null, meanMs: number | null }

/** Thrown when the node cannot start with its configuration (named file, clear reason). */
export class NodeConfigError extends Error {
  static override readonly name = 'NodeConfigError'
  override readonly name = 'NodeConfigError'
  constructor (message: string, options?: ErrorOptions) { super(message, options) }
}

function quantile (sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]
}

const signatureVerify = (publicKey: Uint8Array, domain: string, message: Uint8Array, signature: Uint8Array): boolean => {
  try { return verify(publicKey, domain as Domain, message, signature) } catch { return false }
}

interface NodeMetrics {
  height: Gauge
  round: Gauge
  blocks: Counter
  txs: Counter
  finality: Histogram
  txFinality: Histogram
  proofVerify: Histogram
  mempool: Gauge
  rounds: Counter
  syncs: Counter
  malformed: Counter
  equivocations: Counter
  txRejected: Counter
}

/** A running HyperMesh node. Create with `HyperMeshNode.start(opts)`, end with `stop()`. */
export class HyperMeshNode {
  readonly opts: NodeOptions
  readonly dataDir: string
  readonly identity: KeyPair
  readonly nodeId: Uint8Array
  readonly genesis: Genesis
  readonly kernelName: string
  readonly kernelReason: string
  readonly validators: ValidatorSet
  readonly selfIndex: number
  readonly registry: MetricsRegistry
  readonly stoq: Stoq
  readonly ledger: Ledger
  readonly mempool: Mempool
  private readonly store: LevelBlockStore
  private readonly kernel: Kernel
  private engine: TendermintEngine
  private plot: FilePlotStore | null
  private http: HttpServer | null = null
  private readonly m: NodeMetrics
  private readonly log: (line: string) => void
  private readonly startedAt = Date.now()
  private queue: Promise<void> = Promise.resolve()
  private readonly timers = new Set<NodeJS.Timeout>()
  private stopping = false
  private stopped: Promise<void> | null = null
  private readonly finalitySamples: number[] = []
  private readonly ownTxs = new Map<string, number>()
  private nextSequence = 1
  private producing = false
  private readonly syncing = new Set<string>()
  private readonly listeners = new Set<(block: Block) => void>()
  private readonly ownTxListeners = new Set<(c: OwnTxCommit) => void>()
  readonly faults: ReadonlySet<TestFault>
  mem: MemService | null = null
  blockLog: BlockLog | null = null
  relay: RelayLink | null = null
  jobs: JobService | null = null
  webtransport: WebTransportGateway | null = null
  caesar: Caesar | null = null
  private txCommitted = 0
  private assetCounts = new Map<AssetKind, number>()
  private ownTxChain: Promise<unknown> = Promise.resolve()

  private constructor (init: {
    opts: NodeOptions, identity: KeyPair, genesis: Genesis, kernel: Kernel, kernelName: string, kernelReason: string,
    store: LevelBlockStore, ledger: Ledger, registry: MetricsRegistry, stoq: Stoq, plot: FilePlotStore | null, selfIndex: number, validators: ValidatorSet
  }) {
    this.opts = init.opts
    this.dataDir = path.resolve(init.opts.dataDir)
    this.identity = init.identity
    this.nodeId = nodeIdOf(init.identity.publicKey)
    this.genesis = init.genesis
    this.kernel = init.kernel
    this.kernelName = init.kernelName
    this.kernelReason = init.kernelReason
    this.store = init.store
    this.ledger = init.ledger
    this.registry = init.registry
    this.stoq = init.stoq
    this.plot = init.plot
    this.selfIndex = init.selfIndex
    this.validators = init.validators
    this.log = init.opts.log ?? (() => {})
    this.faults = init.opts.testFaults ?? testFaultsFromEnv()
    if (this.faults.size > 0) this.log(`WARNING: test faults enabled: ${[...this.faults].join(', ')} — this node is deliberately broken`)
    this.mempool = new Mempool(this.ledger)
    const r = this.registry
    this.m = {
      height: r.gauge({ name: 'hypermesh_consensus_height_blocks', help: 'Height of the latest finalized block' }),
      round: r.gauge({ name: 'hypermesh_consensus_round_count', help: 'Round of the height being decided' }),
      blocks: r.counter({ name: 'hypermesh_consensus_blocks_total', help: 'Blocks finalized by this node (consensus and sync)', labelNames: ['how'] }),
      rounds: r.counter({ name: 'hypermesh_consensus_round_changes_total', help: 'Rounds entered after round 0 (timeouts, view changes)' }),
      txs: r.counter({ name: 'hypermesh_ledger_txs_committed_total', help: 'Transactions in finalized blocks' }),
      finality: r.histogram({
        name: 'hypermesh_consensus_finality_microseconds',
        help: 'Time from a block\'s proposal (its time) to its commit on this node',
        buckets: [1e3, 5e3, 1e4, 2.5e4, 5e4, 1e5, 2.5e5, 5e5, 7.5e5, 1e6, 1.5e6, 2.5e6, 5e6, 1e7, 3e7]
      }),
      txFinality: r.histogram({
        name: 'hypermesh_ledger_tx_finality_microseconds',
        help: 'Time from creating one of our transactions to its commit',
        buckets: [1e4, 5e4, 1e5, 2.5e5, 5e5, 7.5e5, 1e6, 1.5e6, 2.5e6, 5e6, 1e7, 3e7]
      }),
      proofVerify: r.histogram({ name: 'hypermesh_ledger_proof_verify_microseconds', help: 'Full ConsensusProof verification of one transaction (cache misses)' }),
      mempool: r.gauge({ name: 'hypermesh_ledger_mempool_txs', help: 'Transactions waiting in the mempool', collect: (g) => g.set(this.mempool.size) }),
      syncs: r.counter({ name: 'hypermesh_consensus_sync_requests_total', help: 'State-sync requests sent', labelNames: ['result'] }),
      malformed: r.counter({ name: 'hypermesh_consensus_rejected_messages_total', help: 'Consensus messages dropped by the engine', labelNames: ['reason'], }),
      equivocations: r.counter({ name: 'hypermesh_consensus_equivocations_total', help: 'Conflicting proposals or votes seen, by validator (first 16 hex digits of its NodeId)', labelNames: ['validator'] }),
      txRejected: r.counter({ name: 'hypermesh_ledger_txs_rejected_total', help: 'Transactions refused by the mempool', labelNames: ['reason'] })
    }
    r.gauge({ name: 'hypermesh_node_info', help: 'Constant 1, labelled with this node\'s kernel, chain and role', labelNames: ['kernel', 'chain', 'role'] })
      .set(1, { kernel: this.kernelName, chain: this.genesis.chainId, role: this.selfIndex >= 0 ? 'validator' : 'observer' })
    this.assetCounts = countAssets(this.ledger.snapshotEntries())
    r.gauge({
      name: 'hypermesh_assets_registered_count', help: 'Assets registered on the ledger, by kind', labelNames: ['kind'],
      collect: (g) => { for (const k of Object.values(ASSET_KINDS)) g.set(this.assetCounts.get(k) ?? 0, { kind: kindName(k) }) }
    })
    r.gauge({ name: 'hypermesh_node_uptime_seconds', help: 'Seconds since this node started', collect: (g) => g.set(Math.round((Date.now() - this.startedAt) / 1000)) })
    this.m.height.set(this.ledger.height)
    this.engine = TendermintEngine.restore(this.engineConfig(), undefined, this.ledger.height + 1, this.ledger.lastBlock.time)
  }

  private engineConfig (): ConstructorParameters<typeof TendermintEngine>[0] {
    return {
      chainId: this.genesis.chainId,
      validators: this.validators,
      self: this.selfIndex,
      verify: signatureVerify,
      timeouts: { ...DEV_TIMEOUTS, ...this.opts.timeouts }
    }
  }

  /** Opens everything, joins the mesh and starts consensus. */
  static async start (opts: NodeOptions): Promise<HyperMeshNode> {
    const log = opts.log ?? (() => {})
    const dataDir = path.resolve(opts.dataDir)
    await mkdir(dataDir, { recursive: true, mode: 0o700 })

    const { identity: stored, created } = await loadOrCreateIdentity(new FileKeystore(dataDir),
      async () => privateKeyToProtobuf(await generateLibp2pKey('Ed25519')))
    const identity = stored.falcon
    const nodeId = nodeIdOf(identity.publicKey)
    log(`${created ? 'created' : 'loaded'} identity ${toHex(nodeId)} (${path.join(dataDir, 'keys.json')})`)

    const sel = selectKernel({ ...(opts.kernel !== undefined ? { force: opts.kernel } : {}) })
    const kernelName = sel.kernel.name
    log(`kernel: ${sel.reason}`)

    const genesisFile = path.resolve(opts.genesisFile ?? path.join(dataDir, GENESIS_FILE))
    if (!(await fileExists(genesisFile))) {
      if (opts.dev !== true) throw new NodeConfigError(`no genesis at ${genesisFile}: pass --genesis FILE (hypermesh testnet and hypermesh genesis write one), or run hypermesh up without --genesis for a dev mesh`)
      const json = makeGenesis({ chainId: `hypermesh-dev-${toHex(nodeId).slice(0, 8)}`, preset: 'dev', members: [{ publicKey: identity.publicKey }], kernel: sel.kernel })
      await writeGenesisFile(genesisFile, json)
      log(`wrote a single-validator dev genesis to ${genesisFile}`)
    }
    const { genesis } = await loadGenesisFile(genesisFile)

    // The chain directory belongs to one genesis: refuse to mix chains.
    const marker = path.join(dataDir, 'chain.genesis')
    const hashHex = toHex(genesis.hash)
    let markerText: string | null = null
    try { markerText = (await readFile(marker, 'utf8')).trim() } catch { markerText = null }
    if (markerText !== null && markerText !== hashHex) {
      throw new NodeConfigError(`${path.join(dataDir, 'chain')} holds the chain of genesis ${markerText.slice(0, 16)}…, but ${genesisFile} is genesis ${hashHex.slice(0, 16)}…; use another --data directory or the matching genesis`)
    }

    const validators = ValidatorSet.fromGenesis(genesis)
    const selfIndex = validators.validators.findIndex((v) => bytesEqual(v.nodeId, nodeId))
    const wantValidator = opts.validator ?? opts.dev === true
    if (wantValidator && selfIndex < 0) throw new NodeConfigError(`--validator: this node (${toHex(nodeId).slice(0, 16)}…) is not a validator in ${genesisFile}`)

    const store = await LevelBlockStore.open(path.join(dataDir, 'chain'))
    let ledger: Ledger
    try {
      ledger = await Ledger.open({ genesis, store, verifier: new ProofCache(consensusProofVerifier({ kernel: sel.kernel, preset: genesis.proofPreset })) })
    } catch (err) { await store.close(); throw err }
    if (markerText === null) await writeFile(marker, hashHex + '\n')
    registerStatusTx(ledger)
    registerAssets(ledger)
    registerJobs(ledger)
    // Caesar credits, when the genesis configures them (every genesis hypermesh writes does)
    const caesar = ledger.stateReader.get(CAESAR_CONFIG_KEY) !== undefined ? registerCaesar(ledger) : null

    // Plot 0 (PoSpace): built once, kept in the data directory.
    let plot: FilePlotStore | null = null
    const registered = ledger.view().plotOf(nodeId, 0)
    if (registered !== undefined) {
      const plotPath = path.join(dataDir, 'plots', `${toHex(nodeId).slice(0, 16)}-0.plot`)
      await mkdir(path.dirname(plotPath), { recursive: true })
      try { plot = await openFilePlot(plotPath) } catch {
        plot = await createFilePlot(plotPath, sel.kernel, nodeId, 0, registered.log2Size)
        log(`built plot 0 (2^${registered.log2Size} labels) at ${plotPath}`)
      }
      if (!bytesEqual(plot.info.root, registered.root)) {
        await plot.close(); plot = null
        log('warning: plot 0 does not match the root registered in the genesis; this node will not send transactions')
      }
    }

    const registry = createMetricsRegistry()
    const libp2pKey = privateKeyFromProtobuf(stored.libp2pPrivateKey)
    const stoq = createStoq({
      binding: identityBindingAuthority({ keyPair: identity }),
      privateKey: libp2pKey,
      metrics: registry,
      ...(opts.listen !== undefined && opts.listen.length > 0 ? { listen: opts.listen } : {})
    })
    const node = new HyperMeshNode({ opts, identity, genesis, kernel: sel.kernel, kernelName, kernelReason: sel.reason, store, ledger, registry, stoq, plot, selfIndex, validators })
    node.caesar = caesar
    try {
      await node.open()
    } catch (err) {
      await node.stop().catch(() => {})
      throw err
    }
    return node
  }

  private async open (): Promise<void> {
    const wal = await this.store.getConsensusState()
    this.engine = TendermintEngine.restore(this.engineConfig(), wal, this.ledger.height + 1, this.ledger.lastBlock.time)
    const seq = this.ledger.view().lastSequence(this.nodeId)
    this.nextSequence = seq + 1

    const stoq = this.stoq
    stoq.setGossipValidator(TOPICS.consensus, (msg) => {
      try { const m = decodeMessage(msg.data); return m.type === 'proposal' || m.type === 'prevote' || m.type === 'precommit' ? 'accept' : 'reject' } catch { return 'reject' }
    })
    stoq.subscribe(TOPICS.consensus, (msg) => { this.enqueue({ type: 'receive', bytes: msg.data, now: Date.now() }) })
    stoq.setGossipValidator(TOPICS.mempool, (msg) => this.admitGossipTx(msg.data))
    stoq.subscribe(TOPICS.mempool, () => {})
    // Sync answers read the store (snapshots can be large) and hellos are once per connection:
    // a peer asking much more often than that is flooding, is throttled, then dropped.
    await stoq.handleFramed(SYNC_PROTOCOL, async (bytes) => await this.serveSyncRequest(bytes), {
      maxMessageBytes: MAX_SYNC_BYTES,
      rateLimit: { messagesPerSecond: 20, burstMessages: 40, bytesPerSecond: 1024 * 1024, burstBytes: 1024 * 1024 }
    })
    await stoq.handleFramed(HELLO_PROTOCOL, (bytes, ctx) => this.onHello(bytes, ctx.peerId), {
      maxMessageBytes: 1024,
      rateLimit: { messagesPerSecond: 2, burstMessages: 8, bytesPerSecond: 16 * 1024, burstBytes: 16 * 1024 }
    })
    this.mem = await MemService.create({
      stoq, ledger: this.ledger, identity: this.identity, nodeId: this.nodeId, log: this.log,
      submitOwnTx: async (k, op, w) => await this.submitOwnTx(k, op, w),
      waitForCommit: async (h, t) => await this.waitForCommit(h, t)
    }, this.opts.memBudget)
    this.onBlock((b) => { this.mem?.onBlock(b) })
    this.jobs = new JobService({
      nodeId: this.nodeId, identity: this.identity, ledger: this.ledger, log: this.log,
      submitOwnTx: async (k, op, w, o) => await this.submitOwnTx(k, op, w, o),
      waitForCommit: async (h, t) => await this.waitForCommit(h, t),
      credits: (id) => this.caesar === null ? 0n : this.caesar.account(this.ledger.stateReader, id, this.caesar.epochOf(this.ledger.lastBlock.time)).balance
    }, { threads: this.opts.jobThreads ?? 2 })
    this.blockLog = await BlockLog.open(this.dataDir, `hypermesh.mesh/${this.genesis.chainId}/blocks`, this.identity, this.store, this.ledger.height)
    this.onBlock((b) => { this.blockLog?.onBlock(b) })
    stoq.addEventListener('peer:admitted', (ev) => { void this.sayHello((ev as CustomEvent<{ peerId: string }>).detail.peerId) })
    await stoq.start()
    this.log(`libp2p peer ${stoq.peerId} listening on ${stoq.addresses().join(' ')}`)

    if (this.opts.http !== null) {
      const hp = this.opts.http ?? { host: '127.0.0.1', port: 8080 }
      this.http = createHttpServer({
        host: hp.host,
        port: hp.port,
        status: () => this.status(),
        metrics: () => this.registry.toPrometheus(),
        api: this.apiRoutes(),
        prefixes: {
          '/log': async (p) => await (this.blockLog?.serve(p) ?? Promise.resolve(null)),
          '/donate': staticDir(DONATE_DIR, { csp: DONATE_CSP, missing: 'The donate page is not built: run `npm run build` (it builds browser-host/ into browser-host/dist).\n' })
        },
        upgrades: { '/jobs/ws': (req, socket, head) => { if (this.jobs === null) socket.destroy(); else this.jobs.upgrade(req, socket, head) } },
        routes: {
          '/api/donate/config': () => this.jobs?.donateConfig(this.http?.url ?? '') ?? null,
          '/api/jobs/workers': () => ({ workers: this.jobs?.listWorkers() ?? [] }),
          '/api/finality': () => ({ ...this.finality(), samplesMs: [...this.finalitySamples] }),
          '/api/credits': () => {
            if (this.caesar === null) return { enabled: false }
            const epoch = this.caesar.epochOf(this.ledger.lastBlock.time)
            const mine = this.caesar.account(this.ledger.stateReader, this.nodeId, epoch)
            const a = auditCaesar(this.ledger.snapshotEntries(), epoch)
            const s = (x: bigint | undefined): string | null => x === undefined ? null : x.toString()
            return {
              enabled: true, unit: 'micro-credits', epoch,
              account: { nodeId: toHex(this.nodeId), balance: mine.balance.toString(), principal: mine.principal.toString(), referenceEpoch: mine.referenceEpoch },
              supply: { minted: s(a.minted), burned: s(a.burned), feePool: s(a.feePool), demurragePool: s(a.demurragePool), principal: s(a.principal), accounts: a.accounts, invariantHolds: a.holds }
            }
          },
          '/api/log': () => ({
            origin: this.blockLog?.origin ?? null,
            size: this.blockLog?.size ?? 0,
            verifierKeys: this.blockLog?.vkeys ?? null,
            checkpoint: '/log/checkpoint',
            entry: 'u64be height ‖ block hash (32) ‖ state root (32)'
          }),
          '/api/assets': () => ({
            mine: this.assets(),
            registered: Object.fromEntries(Object.values(ASSET_KINDS).map((k) => [kindName(k), this.assetCounts.get(k) ?? 0]))
          })
        }
      })
      try { await this.http.start() } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        throw new NodeConfigError(code === 'EADDRINUSE' ? `HTTP ${hp.host}:${hp.port} is already in use (another node running?); pick another with --http HOST:PORT` : `HTTP ${hp.host}:${hp.port}: ${(err as Error).message}`, { cause: err })
      }
    }

    if (this.opts.webtransport !== undefined && this.http !== null && this.jobs !== null) {
      const jobs = this.jobs
      try {
        this.webtransport = await WebTransportGateway.start({
          upstream: `${this.http.url.replace(/^http/, 'ws')}/jobs/ws`, port: this.opts.webtransport.port, log: this.log,
          onInfo: (info) => { jobs.setWebTransport(info) }
        })
        this.log(`WebTransport for donors at ${this.webtransport.info?.url ?? '?'} (Deno gateway, pid ${String(this.webtransport.pid)})`)
      } catch (err) { this.log(`WebTransport off: ${(err as Error).message}`) }
    }
    for (const addr of this.opts.bootstrap ?? []) this.keepDialing(addr)
    if (this.opts.relay !== undefined) {
      this.relay = new RelayLink(this.opts.relay, {
        identity: this.identity, meshId: this.genesis.chainId, registry: this.registry, log: this.log,
        status: () => ({ nodeId: toHex(this.nodeId), chainId: this.genesis.chainId, genesisHash: toHex(this.genesis.hash), height: this.ledger.height, peers: this.stoq.peers().length }),
        submit: (tx) => this.submit(tx)
      })
      this.relay.start()
      if (this.jobs !== null) {
        const jobs = this.jobs
        this.relay.setChannelAcceptor((ch) => { jobs.acceptChannel(ch) })
        jobs.relayInfo = { url: this.opts.relay, room: this.genesis.chainId }
      }
    }
    this.enqueue({ type: 'start', now: Date.now() })
    const interval = this.opts.txIntervalMs ?? 1000
    if (interval > 0 && this.plot !== null) this.every(interval, () => { void this.produceStatusTx() })
    if (this.opts.share !== undefined && this.opts.share.length > 0) void this.registerShared(this.opts.share)
    this.every(5000, () => { this.pruneOwnTxs() })
  }

  /** The HTTP API base URL (null without HTTP). */
  get httpUrl (): string | null { return this.http?.url ?? null }

  /** libp2p addresses including /p2p/<peerId>. */
  addresses (): string[] { return this.stoq.addresses() }

  /** Called when one of this node's own transactions is reported committed. */
  onOwnTxCommitted (fn: (c: OwnTxCommit) => void): () => void { this.ownTxListeners.add(fn); return () => this.ownTxListeners.delete(fn) }

  /** Resolves with the block that includes the transaction `hashHex`, or rejects after `timeoutMs`. */
  async waitForCommit (hashHex: string, timeoutMs = 30_000): Promise<Block> {
    return await new Promise<Block>((resolve, reject) => {
      const timer = setTimeout(() => { off(); reject(new Error(`transaction ${hashHex.slice(0, 16)}… not committed within ${timeoutMs} ms`)) }, timeoutMs)
      const off = this.onBlock((b) => {
        if (b.txs.some((tx) => toHex(txHash(tx)) === hashHex)) { clearTimeout(timer); off(); resolve(b) }
      })
    })
  }

  /** Called after every finalized block (consensus or sync). */
  onBlock (fn: (block: Block) => void): () => void { this.listeners.add(fn); return () => this.listeners.delete(fn) }

  // ------------------------------------------------------------- serial queue

  private run (job: () => Promise<void> | void): Promise<void> {
    const p = this.queue.then(async () => { if (!this.stopping) await job() })
    this.queue = p.catch((err: unknown) => { this.log(`error: ${(err as Error).stack ?? String(err)}`) })
    return this.queue
  }

  private enqueue (ev: EngineEvent): void {
    void this.run(async () => { await this.feed(ev) })
  }

  private async feed (ev: EngineEvent): Promise<void> {
    const pending: EngineEvent[] = [ev]
    while (pending.length > 0 && !this.stopping) {
      const e = pending.shift() as EngineEvent
      const before = { ...this.engine.stats }
      const beforeBy = this.engine.equivocationsBy.size === 0 ? EMPTY_COUNTS : new Map(this.engine.equivocationsBy)
      const round = this.engine.round
      const actions = this.engine.handle(e)
      const s = this.engine.stats
      if (s.malformed > before.malformed) this.m.malformed.inc(s.malformed - before.malformed, { reason: 'malformed' })
      if (s.badSignatures > before.badSignatures) this.m.malformed.inc(s.badSignatures - before.badSignatures, { reason: 'bad-signature' })
      if (s.equivocations > before.equivocations) {
        this.m.malformed.inc(s.equivocations - before.equivocations, { reason: 'equivocation' })
        for (const [v, n] of this.engine.equivocationsBy) {
          const seen = beforeBy.get(v) ?? 0
          if (n > seen) this.m.equivocations.inc(n - seen, { validator: v.slice(0, 16) })
        }
      }
      if (this.engine.round > round && this.engine.round > 0) this.m.rounds.inc(this.engine.round - Math.max(round, 0))
      this.m.round.set(Math.max(0, this.engine.round))
      for (const a of actions) await this.perform(a, pending)
    }
  }

  private async perform (a: EngineAction, pending: EngineEvent[]): Promise<void> {
    switch (a.type) {
      case 'sign-and-broadcast': {
        const signature = sign(this.identity.secretKey, a.domain as Domain, a.signBytes)
        const bytes = encodeMessage({ ...a.body, signature } as Proposal | Vote)
        pending.push({ type: 'receive', bytes, now: Date.now() })
        if (this.faults.size > 0 && this.byzantineSend(a.body, bytes)) return
        this.gossip(TOPICS.consensus, bytes)
        return
      }
      case 'broadcast':
        if (this.faults.has('withhold')) return
        for (const m of a.messages) this.gossip(TOPICS.consensus, m)
        return
      case 'schedule-timeout': {
        const { kind, height, round } = a
        this.after(a.after, () => { this.enqueue({ type: 'timeout', kind, height, round, now: Date.now() }) })
        return
      }
      case 'build-block': {
        // A proposal travels as ONE gossip message (stoq's limit: 1 MiB): keep its transactions under
        // MAX_PROPOSAL_TX_BYTES. Found by the chaos tests: after a halt, a backlog of full-proof
        // transactions (~7.7 KB each) built 2 MB proposals that no peer received, and the chain never resumed.
        const candidates: Transaction[] = []
        let txBytes = 0
        for (const tx of this.mempool.select(this.opts.maxTxsPerBlock ?? 256)) {
          txBytes += encodeTx(tx).length
          if (txBytes > MAX_PROPOSAL_TX_BYTES) break
          candidates.push(tx)
        }
        const block = this.ledger.buildBlock({ round: a.round, proposer: this.nodeId, time: a.time, candidates })
        pending.push({ type: 'block-built', height: a.height, round: a.round, block, now: Date.now() })
        return
      }
      case 'validate-block': {
        const t0 = performance.now()
        const misses = this.ledger.proofs.stats.verifications
        const check = this.ledger.validateBlock(a.block)
        const verified = this.ledger.proofs.stats.verifications - misses
        if (verified > 0) {
          const per = ((performance.now() - t0) * 1000) / verified
          for (let i = 0; i < verified; i++) this.m.proofVerify.observe(per)
        }
        if (!check.ok) this.log(`rejected block ${a.block.height}: ${check.reason}`)
        pending.push({ type: 'block-validated', hash: blockHash(a.block), valid: check.ok, now: Date.now() })
        return
      }
      case 'persist':
        if (this.faults.has('vote-without-persist')) return
        await this.store.putConsensusState(a.wal)
        return
      case 'commit':
        await this.commit(a.block, a.cert, 'consensus')
        return
      case 'request-sync':
        this.requestSync(a.validator, a.fromHeight)
    }
  }

  private async commit (block: Block, cert: CommitCertificate, how: 'consensus' | 'sync'): Promise<void> {
    const writes = this.ledger.prepareCommit(block, cert)
    if (this.faults.has('ack-before-durable')) {
      // BROKEN ON PURPOSE: applied and acknowledged now, written later.
      const store = this.store
      setTimeout(() => { store.put(block, cert, writes).catch(() => {}) }, 400)
    } else {
      await this.store.put(block, cert, writes)
    }
    this.ledger.finishCommit(block, writes)
    this.mempool.prune()
    const now = Date.now()
    const ms = Math.max(0, now - block.time)
    if (how === 'consensus') {
      this.m.finality.observe(ms * 1000)
      this.finalitySamples.push(ms)
      if (this.finalitySamples.length > FINALITY_WINDOW) this.finalitySamples.shift()
    }
    this.m.blocks.inc(1, { how })
    this.m.txs.inc(block.txs.length)
    for (const tx of block.txs) {
      if (tx.kind !== ASSET_TX.register) continue
      const k = tx.op[0] as AssetKind // RegisterOp starts with its kind byte
      this.assetCounts.set(k, (this.assetCounts.get(k) ?? 0) + 1)
    }
    this.txCommitted += block.txs.length
    this.m.height.set(block.height)
    for (const tx of block.txs) {
      const k = toHex(txHash(tx))
      const created = this.ownTxs.get(k)
      if (created !== undefined) {
        this.m.txFinality.observe((now - created) * 1000)
        this.ownTxs.delete(k)
        const c: OwnTxCommit = { hash: k, sequence: tx.sequence, height: block.height, blockHash: toHex(blockHash(block)), latencyMs: now - created }
        for (const fn of this.ownTxListeners) { try { fn(c) } catch { /* the listener's problem */ } }
      }
    }
    for (const fn of this.listeners) { try { fn(block) } catch { /* a listener's failure is its own */ } }
  }

  /** Test builds: Byzantine sending. True when the message was handled (not to be gossiped as is). */
  private byzantineSend (body: ProposalBody | VoteBody, bytes: Uint8Array): boolean {
    if (body.type !== 'proposal') {
      return this.faults.has('withhold') // signed, never sent
    }
    if (this.faults.has('equivocate')) {
      const other: Block = { ...body.block, time: body.block.time + 1 }
      const sig = sign(this.identity.secretKey, DOMAINS.Proposal, proposalSignBytes(this.genesis.chainId, body, blockHash(other)))
      this.gossip(TOPICS.consensus, bytes)
      this.gossip(TOPICS.consensus, encodeMessage({ ...body, block: other, signature: sig }))
      return true
    }
    if (this.faults.has('invalid-proofs') && body.block.txs.length > 0) {
      const txs = body.block.txs.map((tx, i) => {
        if (i !== 0) return tx
        const proof = tx.proof.slice(); proof[proof.length - 5] ^= 0x40 // a flipped bit in the FALCON signature
        return { ...tx, proof }
      })
      const bad: Block = { ...body.block, txs, txRoot: computeTxRoot(txs) }
      const sig = sign(this.identity.secretKey, DOMAINS.Proposal, proposalSignBytes(this.genesis.chainId, body, blockHash(bad)))
      this.gossip(TOPICS.consensus, encodeMessage({ ...body, block: bad, signature: sig }))
      return true
    }
    return false
  }

  // ------------------------------------------------------------------- network

  private gossip (topic: string, bytes: Uint8Array): void {
    if (this.stopping) return
    this.stoq.publish(topic, bytes).catch((err: unknown) => { this.log(`gossip ${topic}: ${(err as Error).message}`) })
  }

  private keepDialing (addr: string): void {
    let delay = 250
    const attempt = async (): Promise<void> => {
      if (this.stopping) return
      const target = addr.split('/p2p/')[1]
      if (target !== undefined && this.stoq.isAdmitted(target)) { this.after(5000, () => { void attempt() }); return }
      try {
        const p = await this.stoq.connect(addr, { signal: AbortSignal.timeout(10_000) })
        this.log(`connected to ${p.nodeId.slice(0, 16)}… (${p.peerId})`)
        delay = 250
        this.after(5000, () => { void attempt() })
      } catch (err) {
        if (this.stopping) return
        if (delay >= 4000) this.log(`bootstrap ${addr}: ${(err as Error).message}; retrying`)
        delay = Math.min(delay * 2, 10_000)
        this.after(delay, () => { void attempt() })
      }
    }
    void attempt()
  }

  private async sayHello (peerId: string): Promise<void> {
    try {
      const reply = await this.stoq.requestFramed(peerId, HELLO_PROTOCOL, encodeHello(this.helloValue()), { timeoutMs: 5000 })
      this.checkHello(reply, peerId)
    } catch (err) {
      if (!this.stopping) this.log(`hello to ${peerId}: ${(err as Error).message}`)
    }
  }

  private helloValue (): ReturnType<typeof HelloMessage.decode> {
    return { chainId: this.genesis.chainId, genesisHash: this.genesis.hash, height: BigInt(this.ledger.height) }
  }

  private onHello (bytes: Uint8Array, peerId: string): Uint8Array {
    // Answer first, drop a moment later: the other side learns from our hello why it is refused.
    this.checkHello(bytes, peerId, 200)
    return encodeHello(this.helloValue())
  }

  /** A peer on another chain (other genesis) is dropped and banned; one ahead of us triggers a sync. */
  private checkHello (bytes: Uint8Array, peerId: string, dropAfterMs = 0): void {
    let h: ReturnType<typeof HelloMessage.decode> | null = null
    try { h = HelloMessage.decode(bytes) } catch { h = null }
    if (h === null || h.chainId !== this.genesis.chainId || !bytesEqual(h.genesisHash, this.genesis.hash)) {
      this.log(`dropping ${peerId}: ${h === null ? 'malformed hello' : `other chain ${h.chainId} (genesis ${toHex(h.genesisHash).slice(0, 16)}…)`}`)
      if (dropAfterMs > 0) this.after(dropAfterMs, () => { void this.stoq.ban(peerId, DROP_REASONS.wrongChain) })
      else void this.stoq.ban(peerId, DROP_REASONS.wrongChain)
      return
    }
    if (Number(h.height) > this.ledger.height) this.syncFrom(peerId)
  }

  private requestSync (validator: number, _fromHeight: number): void {
    const want = toHex(this.validators.validators[validator]?.nodeId ?? new Uint8Array(0))
    const peers = this.stoq.peers()
    const peer = peers.find((p) => p.nodeId === want) ?? peers[0]
    if (peer !== undefined) this.syncFrom(peer.peerId)
  }

  /** Fetches certified blocks (or a snapshot) from `peerId` until caught up with it. */
  private syncFrom (peerId: string): void {
    if (this.syncing.has(peerId) || this.stopping) return
    this.syncing.add(peerId)
    void (async () => {
      try {
        for (let i = 0; i < 1000 && !this.stopping; i++) {
          const req: Message = { type: 'sync-request', fromHeight: this.ledger.height + 1, max: SYNC_BATCH }
          const bytes = await this.stoq.requestFramed(peerId, SYNC_PROTOCOL, encodeMessage(req), { timeoutMs: 20_000, maxMessageBytes: MAX_SYNC_BYTES })
          if (bytes.length === 0) { this.m.syncs.inc(1, { result: 'nothing-new' }); return }
          let advanced = false
          await this.run(async () => { advanced = await this.applySync(bytes, peerId) })
          this.m.syncs.inc(1, { result: advanced ? 'applied' : 'rejected' })
          if (!advanced) return
        }
      } catch (err) {
        this.m.syncs.inc(1, { result: 'failed' })
        if (!this.stopping) this.log(`sync from ${peerId}: ${(err as Error).message}`)
      } finally { this.syncing.delete(peerId) }
    })()
  }

  private async serveSyncRequest (bytes: Uint8Array): Promise<Uint8Array> {
    let m: Message
    try { m = decodeMessage(bytes) } catch { return new Uint8Array(0) }
    if (m.type !== 'sync-request') return new Uint8Array(0)
    const res = await serveSync(this.store, m)
    return res === null ? new Uint8Array(0) : encodeMessage(res)
  }

  /** Applies a sync answer (serial queue). True when the ledger advanced. */
  private async applySync (bytes: Uint8Array, from: string): Promise<boolean> {
    let m: Message
    try { m = decodeMessage(bytes) } catch { this.log(`sync from ${from}: malformed answer`); return false }
    const chainId = this.genesis.chainId
    const start = this.ledger.height
    if (m.type === 'sync-response') {
      for (const { block, cert } of m.blocks) {
        if (block.height !== this.ledger.height + 1) continue
        const c = verifyCommitCertificate(cert, this.validators, chainId, signatureVerify, { height: block.height, blockHash: blockHash(block) })
        if (!c.ok) { this.log(`sync from ${from}: bad certificate for ${block.height}: ${c.reason}`); break }
        const v = this.ledger.validateBlock(block)
        if (!v.ok) { this.log(`sync from ${from}: invalid block ${block.height}: ${v.reason}`); break }
        await this.commit(block, cert, 'sync')
      }
    } else if (m.type === 'snapshot-response') {
      if (m.block.height <= this.ledger.height) return false
      const c = verifyCommitCertificate(m.cert, this.validators, chainId, signatureVerify, { height: m.block.height, blockHash: blockHash(m.block) })
      if (!c.ok) { this.log(`snapshot from ${from}: bad certificate: ${c.reason}`); return false }
      try {
        const state = this.ledger.checkSnapshot(m.block, m.cert, m.entries)
        await this.store.installSnapshot(m.block, m.cert, m.entries)
        this.ledger.adoptSnapshot(m.block, state)
      } catch (err) { this.log(`snapshot from ${from} rejected: ${(err as Error).message}`); return false }
      this.m.blocks.inc(1, { how: 'snapshot' })
      this.assetCounts = countAssets(this.ledger.snapshotEntries())
      this.m.height.set(m.block.height)
      this.mempool.prune()
      this.log(`installed snapshot at height ${m.block.height} from ${from}`)
    } else return false
    if (this.ledger.height > start) {
      this.nextSequence = Math.max(this.nextSequence, this.ledger.view().lastSequence(this.nodeId) + 1)
      await this.feed({ type: 'synced', height: this.ledger.height, time: this.ledger.lastBlock.time, now: Date.now() })
      return true
    }
    return false
  }

  // ------------------------------------------------------------- transactions

  private admitGossipTx (bytes: Uint8Array): 'accept' | 'ignore' | 'reject' {
    let tx: Transaction
    try { tx = decodeTx(bytes) } catch { this.m.txRejected.inc(1, { reason: 'malformed' }); return 'reject' }
    const r = this.admit(tx)
    if (r === 'duplicate') return 'ignore'
    return r === null ? 'accept' : 'reject'
  }

  /** Adds a transaction to the mempool (proofs verified once); null when admitted, else the reason. */
  admit (tx: Transaction): string | null {
    const before = this.ledger.proofs.stats.verifications
    const t0 = performance.now()
    const res = this.mempool.add(tx)
    if (this.ledger.proofs.stats.verifications > before) this.m.proofVerify.observe((performance.now() - t0) * 1000)
    if (res.accepted) return null
    const reason = res.reason === 'duplicate' || res.reason === 'full' ? res.reason : 'invalid'
    this.m.txRejected.inc(1, { reason })
    return res.reason
  }

  /** Submits a transaction: admitted locally, then gossiped. */
  submit (tx: Transaction): string | null {
    const r = this.admit(tx)
    if (r === null) this.gossip(TOPICS.mempool, encodeTx(tx))
    return r
  }

  /**
   * Makes one transaction of ours with all four proofs and submits it; own
   * transactions are made one at a time so their sequence numbers stay in order.
   * Resolves with null when admitted, else the mempool's reason.
   */
  async submitOwn (kind: string, op: Uint8Array, workKind: number): Promise<string | null> {
    return (await this.submitOwnTx(kind, op, workKind)).reason
  }

  /** As submitOwn, also giving the transaction made (null when none was made). */
  async submitOwnTx (kind: string, op: Uint8Array, workKind: number, opts: { dryRun?: boolean } = {}): Promise<{ reason: string | null, tx: Transaction | null }> {
    const run = async (): Promise<{ reason: string | null, tx: Transaction | null }> => {
      if (this.stopping) return { reason: 'stopping', tx: null }
      if (this.plot === null) return { reason: 'this node has no registered plot (it is not a member with stake in the genesis)', tx: null }
      const view = this.ledger.view()
      const sequence = Math.max(this.nextSequence, view.lastSequence(this.nodeId) + 1)
      const body = { kind, sender: this.nodeId, sequence, op }
      const created = Date.now()
      const proof = await createConsensusProof({ opHash: operationHash(body), kind: workKind as 0 }, {
        latest: this.ledger.lastHash,
        identity: this.identity,
        plot: this.plot as PlotStore,
        position: { zone: this.genesis.chainId, address: this.nodeId.subarray(0, 6) },
        sequence
      }, { kernel: this.kernel, preset: this.genesis.proofPreset })
      if (this.stopping) return { reason: 'stopping', tx: null }
      const tx: Transaction = { ...body, proof: encodeConsensusProof(proof) }
      if (opts.dryRun === true) {
        // refuse now what the next block would drop (the sequence number is not used up)
        const why = this.ledger.dryRun(tx)
        if (why !== null) return { reason: why, tx: null }
      }
      const r = this.submit(tx)
      if (r === null) {
        this.nextSequence = sequence + 1
        this.ownTxs.set(toHex(txHash(tx)), created)
      }
      return { reason: r, tx }
    }
    const p = this.ownTxChain.then(run, run)
    this.ownTxChain = p.catch(() => {})
    return await p
  }

  /** Makes one `node.status` transaction with all four proofs and submits it. */
  private async produceStatusTx (): Promise<void> {
    if (this.producing || this.stopping || this.plot === null) return
    this.producing = true
    try {
      const mem = os.freemem()
      const op = encodeStatusReport({
        seenHeight: BigInt(this.ledger.height),
        load100: Math.min(0xffffffff, Math.round(os.loadavg()[0] * 100)),
        cores: Math.min(0xffff, os.availableParallelism()),
        memFreeMiB: Math.min(0xffffffff, Math.floor(mem / 2 ** 20)),
        time: BigInt(Date.now())
      })
      const r = await this.submitOwn(STATUS_TX_KIND, op, STATUS_WORK_KIND)
      if (r !== null && r !== 'full' && r !== 'stopping') this.log(`own status tx refused: ${r}`)
    } catch (err) {
      if (!this.stopping) this.log(`status tx: ${(err as Error).message}`)
    } finally { this.producing = false }
  }

  /** Registers the offered hardware as assets (skipping offers this node registered before). */
  private async registerShared (offers: readonly ShareableAsset[]): Promise<void> {
    const mine = new Set(assetsOf(this.ledger.stateReader, this.nodeId).map((id) => getAsset(this.ledger.stateReader, id)?.description))
    for (const o of offers) {
      const { kind, capacity, description } = describeOffer(o)
      if (mine.has(description)) { this.log(`asset already registered: ${description}`); continue }
      const privacy = PRIVACY_LEVELS[o.privacy] as Privacy
      const r = await this.submitOwn(ASSET_TX.register, encodeRegister({ kind, capacity, privacy, allow: [], description }), 0)
      this.log(r === null ? `registering ${description} (${privacyName(privacy)})` : `could not register ${description}: ${r}`)
    }
  }

  /** This node's assets as JSON (for /api/assets). */
  assets (): Array<Record<string, unknown>> {
    const st = this.ledger.stateReader
    return assetsOf(st, this.nodeId).flatMap((id) => {
      const a = getAsset(st, id)
      if (a === undefined) return []
      return [{
        id: formatAssetId(a.kind, a.id), kind: kindName(a.kind), state: stateName(a.state), privacy: privacyName(a.privacy),
        capacity: a.capacity.toString(), slot: a.slot, description: a.description,
        allocatedTo: a.allocatedTo === undefined ? null : toHex(a.allocatedTo), allocatedAmount: a.allocatedAmount.toString(),
        address: a.kind === ASSET_KINDS.Memory ? MemService.addressOf(a).toString() : null
      }]
    })
  }

  private pruneOwnTxs (): void {
    const old = Date.now() - 120_000
    for (const [k, t] of this.ownTxs) if (t < old) this.ownTxs.delete(k)
  }

  // ------------------------------------------------------------ operator API

  /** POST/GET routes the CLI's mem and asset commands use (bound to the HTTP address, 127.0.0.1 by default). */
  private apiRoutes (): Record<string, (req: ApiRequest) => Promise<ApiResult>> {
    const mem = (): MemService => { if (this.mem === null) throw new ApiError(503, 'memory service not running'); return this.mem }
    const addr = (q: URLSearchParams): GlobalAddress => {
      const a = q.get('addr')
      if (a === null) throw new ApiError(400, 'addr is required')
      try { return GlobalAddress.parse(a) } catch (err) { throw new ApiError(400, (err as AddressError).message) }
    }
    const int = (q: URLSearchParams, name: string, max: number): number => {
      const v = Number(q.get(name))
      if (!Number.isSafeInteger(v) || v < 0 || v > max) throw new ApiError(400, `${name} must be an integer in 0..${max}`)
      return v
    }
    const method = (req: ApiRequest, m: string): void => { if (req.method !== m) throw new ApiError(405, `use ${m}`) }
    const wrap = (f: (req: ApiRequest) => Promise<ApiResult>) => async (req: ApiRequest): Promise<ApiResult> => {
      try { return await f(req) } catch (err) {
        if (err instanceof MemServiceError) throw new ApiError(err.status, err.message)
        if (err instanceof ApiError) throw err
        if ((err as Error).name === 'MemError') throw new ApiError(400, (err as Error).message)
        throw new ApiError(500, (err as Error).message)
      }
    }
    return {
      '/api/mem/alloc': wrap(async (req) => {
        method(req, 'POST')
        const size = int(req.query, 'size', 0xffffffff)
        let privacy
        try { privacy = privacyFromName(req.query.get('privacy') ?? 'Private') } catch (err) { throw new ApiError(400, (err as Error).message) }
        const r = await mem().alloc(size, privacy)
        return { json: { address: r.address.toString(), url: r.address.toUrl(), asset: formatAssetId(r.asset.kind, r.asset.id), size, privacy: privacyName(r.asset.privacy), height: this.ledger.height } }
      }),
      '/api/mem/write': wrap(async (req) => {
        method(req, 'POST')
        const a = addr(req.query)
        await mem().write(a, req.body)
        return { json: { address: a.toString(), written: req.body.length } }
      }),
      '/api/mem/read': wrap(async (req) => {
        const a = addr(req.query)
        return { bytes: await mem().read(a, int(req.query, 'len', 256 * 1024 * 1024)) }
      }),
      '/api/mem/fadd': wrap(async (req) => {
        method(req, 'POST')
        const d = req.query.get('delta') ?? '1'
        if (!/^\d{1,20}$/.test(d)) throw new ApiError(400, 'delta must be a non-negative integer')
        return { json: { previous: (await mem().fetchAdd(addr(req.query), BigInt(d))).toString() } }
      }),
      '/api/mem/free': wrap(async (req) => {
        method(req, 'POST')
        const a = addr(req.query)
        return { json: { address: a.toString(), freed: true, height: await mem().free(a) } }
      }),
      '/api/jobs': async (req) => {
        method(req, 'POST')
        if (this.jobs === null) throw new ApiError(503, 'job service not running')
        const k = int(req.query, 'k', 16)
        const q = int(req.query, 'q', 16)
        try {
          const { id, status } = await this.jobs.submit(req.body, k, q)
          return { status: 202, json: { id, state: status.state, workers: status.workers } }
        } catch (err) {
          if (err instanceof JobServiceError) throw new ApiError(err.status, err.message)
          throw err
        }
      },
      '/api/job': async (req) => {
        if (this.jobs === null) throw new ApiError(503, 'job service not running')
        const id = req.query.get('id') ?? ''
        if (!/^[0-9a-fA-F]{64}$/.test(id)) throw new ApiError(400, 'id must be a job id (64 hex digits)')
        const waitMs = req.query.has('wait') ? int(req.query, 'wait', 25_000) : 0
        const s = waitMs > 0 ? await this.jobs.wait(id, waitMs) : this.jobs.get(id)
        if (s === undefined) throw new ApiError(404, `no job ${id} on this node`)
        return { json: s }
      },
      '/api/asset/allocate': wrap(async (req) => {
        method(req, 'POST')
        const a = this.assetFromQuery(req.query)
        const amount = req.query.get('amount') ?? a.capacity.toString()
        if (!/^\d{1,20}$/.test(amount)) throw new ApiError(400, 'amount must be a positive integer')
        return { json: await this.submitAssetOp(ASSET_TX.allocate, encodeAllocate({ asset: a.id, amount: BigInt(amount) }), a) }
      }),
      '/api/asset/release': wrap(async (req) => {
        method(req, 'POST')
        const a = this.assetFromQuery(req.query)
        return { json: await this.submitAssetOp(ASSET_TX.release, encodeRelease({ asset: a.id }), a) }
      }),
      '/api/asset': wrap(async (req) => {
        const id = req.query.get('id')
        if (id === null) throw new ApiError(400, 'id is required')
        let parsed
        try { parsed = parseAssetId(id) } catch (err) { throw new ApiError(400, (err as Error).message) }
        const a = getAsset(this.ledger.stateReader, parsed.id)
        if (a === undefined) throw new ApiError(404, `no asset ${id}`)
        return {
          json: {
            id: formatAssetId(a.kind, a.id), kind: kindName(a.kind), owner: toHex(a.owner), state: stateName(a.state), privacy: privacyName(a.privacy),
            capacity: a.capacity.toString(), slot: a.slot, description: a.description, allow: a.allow.map(toHex),
            allocatedTo: a.allocatedTo === undefined ? null : toHex(a.allocatedTo), allocatedAmount: a.allocatedAmount.toString(),
            registeredAt: Number(a.registeredAt),
            address: a.kind === ASSET_KINDS.Memory ? MemService.addressOf(a).toString() : null
          }
        }
      })
    }
  }

  /** The asset named by `?id=<kind>:<hex>`, from the ledger (400 / 404 otherwise). */
  private assetFromQuery (q: URLSearchParams): AssetRecordValue {
    const id = q.get('id')
    if (id === null) throw new ApiError(400, 'id is required')
    let parsed
    try { parsed = parseAssetId(id) } catch (err) { throw new ApiError(400, (err as Error).message) }
    const a = getAsset(this.ledger.stateReader, parsed.id)
    if (a === undefined) throw new ApiError(404, `no asset ${id}`)
    return a
  }

  /** Submits an asset operation signed by this node and waits for its block; the ledger's refusal is a 409. */
  private async submitAssetOp (kind: string, op: Uint8Array, a: AssetRecordValue): Promise<{ asset: string, tx: string, height: number, state: string }> {
    const { reason, tx } = await this.submitOwnTx(kind, op, 1, { dryRun: true })
    if (reason !== null || tx === null) throw new ApiError(409, `${kind} refused: ${reason ?? 'unknown'}`)
    const b = await this.waitForCommit(toHex(txHash(tx)), 60_000)
    const after = getAsset(this.ledger.stateReader, a.id)
    return { asset: formatAssetId(a.kind, a.id), tx: toHex(txHash(tx)), height: b.height, state: after === undefined ? 'Retired' : stateName(after.state) }
  }

  // --------------------------------------------------------------- reporting

  finality (): FinalitySummary {
    const s = [...this.finalitySamples].sort((a, b) => a - b)
    return {
      samples: s.length,
      p50Ms: quantile(s, 0.5),
      p99Ms: quantile(s, 0.99),
      meanMs: s.length === 0 ? null : Math.round((s.reduce((a, b) => a + b, 0) / s.length) * 10) / 10
    }
  }

  status (): NodeStatus {
    return {
      nodeId: toHex(this.nodeId),
      peerId: this.stoq.isStarted() ? this.stoq.peerId : null,
      chainId: this.genesis.chainId,
      genesisHash: toHex(this.genesis.hash),
      height: this.ledger.height,
      round: this.engine.round < 0 ? null : this.engine.round,
      peers: this.stoq.isStarted() ? this.stoq.peers().length : 0,
      validator: this.selfIndex >= 0,
      validators: this.validators.validators.length,
      kernel: this.kernelName,
      kernelReason: this.kernelReason,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      version: '0.1.0',
      lastBlockTime: this.ledger.lastBlock.time,
      lastBlockHash: toHex(this.ledger.lastHash),
      stateRoot: toHex(this.ledger.stateRoot),
      txCommitted: this.txCommitted,
      mempool: this.mempool.size,
      finality: this.finality(),
      addresses: this.stoq.isStarted() ? this.stoq.addresses() : [],
      dataDir: this.dataDir,
      relay: this.relay === null ? null : { url: this.relay.url, connected: this.relay.connected, peers: this.relay.peers }
    }
  }

  // ------------------------------------------------------------------ timers

  private after (ms: number, fn: () => void): void {
    if (this.stopping) return
    const t = setTimeout(() => { this.timers.delete(t); fn() }, ms)
    this.timers.add(t)
  }

  private every (ms: number, fn: () => void): void {
    const t = setInterval(() => { if (!this.stopping) fn() }, ms)
    this.timers.add(t)
  }

  /** Stops consensus, the network and the HTTP server, and closes the store. Idempotent. */
  async stop (): Promise<void> {
    if (this.stopped !== null) return await this.stopped
    this.stopping = true
    this.stopped = (async () => {
      for (const t of this.timers) { clearTimeout(t); clearInterval(t) }
      this.timers.clear()
      await this.queue.catch(() => {})
      this.jobs?.stop()
      await this.webtransport?.stop().catch(() => {})
      await this.relay?.stop().catch(() => {})
      await this.http?.stop().catch(() => {})
      await this.stoq.stop().catch(() => {})
      await this.plot?.close().catch(() => {})
      await this.blockLog?.close().catch(() => {})
      await this.store.close().catch(() => {})
    })()
    return await this.stopped
  }
}

/** Ledger form of a hardware offer: asset kind, capacity in the kind's unit, a description. */
export function describeOffer (o: ShareableAsset): { kind: AssetKind, capacity: bigint, description: string } {
  const short = (n: number): string => n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : `${Math.round(n / 2 ** 20)} MiB`
  switch (o.kind) {
    case 'Cpu': return { kind: ASSET_KINDS.Cpu, capacity: BigInt(o.cores), description: `${o.cores} cores of ${o.model}`.slice(0, 200) }
    case 'Memory': return { kind: ASSET_KINDS.Memory, capacity: BigInt(o.bytes), description: `${short(o.bytes)} memory` }
    case 'Storage': return { kind: ASSET_KINDS.Storage, capacity: BigInt(o.bytes), description: `${short(o.bytes)} storage at ${o.path}`.slice(0, 200) }
    case 'Gpu': return { kind: ASSET_KINDS.Gpu, capacity: 1n, description: `GPU #${o.index} ${o.name}`.slice(0, 200) }
    case 'Network': return { kind: ASSET_KINDS.Network, capacity: BigInt(Math.max(1, o.mbps ?? 1)), description: `network ${o.interface}${o.mbps !== null ? ` ${o.mbps} Mb/s` : ''}`.slice(0, 200) }
  }
}
