/** `hypermesh testnet`: N node processes on loopback with a generated genesis, a live summary, a final report. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { UsageError } from '../framework.ts'
import type { LeafCommand } from '../framework.ts'
import { KERNEL_NAMES } from '../../kernel/select.ts'
import { MAX_TESTNET_NODES, Testnet, type TestnetSummary } from '../../node/testnet.ts'
import { ManifestError, generateManifest, parseManifestText, runManifest, type RunReport } from '../../chaos/index.ts'

function renderChaos (r: RunReport): string {
  const fmt = (v: number | null): string => v === null ? '–' : String(v)
  return [
    '',
    `Chaos run ${r.name}${r.seed !== null ? ` (seed ${r.seed})` : ''}: ${r.ok ? 'all checks passed' : `${r.violations.length} VIOLATIONS`}`,
    `  nodes              ${r.nodes} (${r.validators} validators), ${r.durationS} s, final height ${r.finalHeight}`,
    `  acknowledged txs   ${r.acknowledged}, lost ${r.lostAcknowledged}; ${r.txPerSecond} tx/s`,
    `  finality calm      p50 ${fmt(r.calm.p50Ms)} ms, p99 ${fmt(r.calm.p99Ms)} ms`,
    ...r.perturbations.map((p) => `  ${p.type.padEnd(11)} n${p.node}    ${fmt(p.startS)}–${fmt(p.endS)} s, ${p.skipped ?? `recovery ${fmt(p.recoveryMs)} ms, finality during p50 ${fmt(p.during.p50Ms)} ms`}`),
    ...r.halts.map((h) => `  halt               ${h.startS}–${fmt(h.endS)} s`),
    ...r.violations.map((v) => `  VIOLATION ${v.check}: ${v.message}`),
    `  report             ${r.dir}`,
    ''
  ].join('\n')
}

function renderSummary (s: TestnetSummary): string {
  return [
    '',
    `Testnet of ${s.nodes} nodes (${s.running} running at the end), ${s.durationSeconds} s`,
    `  finalized height   ${s.finalizedHeight} (lowest node ${s.minHeight}), ${s.blocksPerSecond} blocks/s`,
    `  txs committed      ${s.txCommitted} (${s.txPerSecond} tx/s)`,
    `  finality           p50 ${s.finalityP50Ms ?? '–'} ms, p99 ${s.finalityP99Ms ?? '–'} ms over ${s.finalitySamples} block commits`,
    `  replicas agree     ${s.agree ? 'yes' : 'NO'}`,
    `  kernel             ${s.kernel ?? '–'}`,
    `  data and logs      ${s.dir}`,
    ''
  ].join('\n')
}

export const testnetCommand: LeafCommand = {
  name: 'testnet',
  summary: 'Run N node processes on loopback with a generated genesis and report finality and throughput',
  description: 'Generates N identities and a genesis where every node is a validator with stake and a\n' +
    'registered plot, starts N `hypermesh up` processes on 127.0.0.1 that bootstrap to each other,\n' +
    'prints a live line every second, and at the end (after --duration, or on Ctrl-C) stops them all\n' +
    'and prints {nodes, finalizedHeight, txCommitted, finalityP50Ms, finalityP99Ms, ...}.\n' +
    'Each node commits its own status transactions (all four proofs) every --tx-interval ms.',
  options: {
    nodes: { type: 'string', value: 'N', default: '4', help: `number of nodes (1..${MAX_TESTNET_NODES})` },
    duration: { type: 'string', value: 'S', help: 'stop after S seconds (default: run until Ctrl-C)' },
    'tx-interval': { type: 'string', value: 'MS', default: '250', help: "each node's status-transaction interval; 0 for none" },
    kernel: { type: 'string', value: 'NAME', help: `force a hashing kernel in every node: ${KERNEL_NAMES.join(', ')}` },
    dir: { type: 'string', value: 'DIR', help: 'keep genesis, data and logs here (default: a temporary directory, removed at the end)' },
    json: { type: 'boolean', help: 'print the final summary as JSON (live lines go to stderr)' },
    manifest: { type: 'string', value: 'FILE', help: 'run a chaos manifest (docs/chaos.md): perturbations, then the store checks; exit 1 on a violation' },
    generate: { type: 'boolean', help: 'write a random valid chaos manifest for --seed (to --out or stdout)' },
    seed: { type: 'string', value: 'S', help: 'seed for --generate (0..4294967295)' },
    out: { type: 'string', value: 'FILE', help: 'with --generate: write the manifest here' }
  },
  examples: ['hypermesh testnet --nodes 4 --duration 30', 'hypermesh testnet --nodes 7 --json --duration 60 --dir ./tn7',
    'hypermesh testnet --generate --seed 7 --out m.json', 'hypermesh testnet --manifest m.json --dir ./chaos7'],
  async run ({ values, io, print }) {
    if (values.generate === true) {
      const seed = Number(values.seed)
      if (values.seed === undefined || !Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError('--generate needs --seed S (an integer in 0..4294967295)', 'hypermesh testnet')
      const text = JSON.stringify(generateManifest(seed), null, 2) + '\n'
      if (typeof values.out === 'string') { await writeFile(path.resolve(io.cwd, values.out), text); io.stderr(`wrote ${path.resolve(io.cwd, values.out)}\n`) } else io.stdout(text)
      return 0
    }
    if (typeof values.manifest === 'string') {
      const file = path.resolve(io.cwd, values.manifest)
      let text: string
      try { text = await readFile(file, 'utf8') } catch (err) { throw new UsageError(`--manifest ${file}: ${(err as Error).message}`, 'hypermesh testnet') }
      let manifest
      try { manifest = parseManifestText(text) } catch (err) { if (err instanceof ManifestError) throw new UsageError(`${file}: ${err.message}`, 'hypermesh testnet'); throw err }
      const dir = typeof values.dir === 'string' ? path.resolve(io.cwd, values.dir) : await mkdtemp(path.join(os.tmpdir(), `hypermesh-chaos-${manifest.name}-`))
      const { report, reportFiles } = await runManifest(manifest, { dir, keep: typeof values.dir === 'string', log: (l) => { io.stderr(l + '\n') } })
      if (!report.ok) io.stderr(`FAILED: reproduce with\n  hypermesh testnet --manifest ${file}\nmanifest:\n${JSON.stringify(manifest)}\n`)
      io.stderr(`report: ${reportFiles.html}\n`)
      print(report, renderChaos)
      return report.ok ? 0 : 1
    }
    const nodes = Number(values.nodes ?? '4')
    if (!Number.isSafeInteger(nodes) || nodes < 1 || nodes > MAX_TESTNET_NODES) throw new UsageError(`--nodes expects 1..${MAX_TESTNET_NODES}`, 'hypermesh testnet')
    const duration = values.duration === undefined ? null : Number(values.duration)
    if (duration !== null && (!Number.isFinite(duration) || duration <= 0 || duration > 86_400)) throw new UsageError('--duration expects seconds in (0, 86400]', 'hypermesh testnet')
    const txIntervalMs = Number(values['tx-interval'] ?? '250')
    if (!Number.isSafeInteger(txIntervalMs) || txIntervalMs < 0) throw new UsageError('--tx-interval expects milliseconds ≥ 0', 'hypermesh testnet')
    const kernel = values.kernel as string | undefined
    if (kernel !== undefined && !(KERNEL_NAMES as readonly string[]).includes(kernel)) throw new UsageError(`--kernel must be one of ${KERNEL_NAMES.join(', ')}`, 'hypermesh testnet')
    const keep = typeof values.dir === 'string'
    const dir = keep ? path.resolve(io.cwd, values.dir as string) : await mkdtemp(path.join(os.tmpdir(), 'hypermesh-testnet-'))
    const json = values.json === true
    const say = (line: string): void => { io.stderr(line + '\n') }
    const signal = io.signal

    say(`setting up ${nodes} nodes in ${dir}…`)
    const tn = await Testnet.create({ nodes, dir, txIntervalMs, ...(kernel !== undefined ? { kernel } : {}), log: say })
    let summary: TestnetSummary
    try {
      await tn.startAll()
      say(`all ${nodes} nodes running; ${duration !== null ? `stopping in ${duration} s` : 'Ctrl-C to stop'}`)
      const t0 = Date.now()
      const end = duration === null ? Infinity : t0 + duration * 1000
      while (!signal.aborted && Date.now() < end) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(1000, Math.max(0, end - Date.now())))
          signal.addEventListener('abort', () => { clearTimeout(t); resolve() }, { once: true })
        })
        if (signal.aborted) break
        const st = await tn.statuses()
        const heights = st.map((s) => s?.height ?? '–').join(' ')
        const tx = Math.max(0, ...st.map((s) => (s?.txCommitted as number | undefined) ?? 0))
        const p50 = st.map((s) => s?.finality?.p50Ms).filter((x): x is number => typeof x === 'number')
        say(`${String(Math.round((Date.now() - t0) / 1000)).padStart(4)} s  heights ${heights}  ·  ${tx} tx  ·  finality p50 ${p50.length > 0 ? Math.round(p50.reduce((a, b) => a + b, 0) / p50.length) : '–'} ms`)
      }
      summary = await tn.summary()
    } finally {
      say('stopping nodes…')
      await tn.stopAll()
    }
    if (!keep) { await rm(dir, { recursive: true, force: true }); summary.dir = '(removed)' }
    print(summary, renderSummary)
    if (!json) io.stdout('')
    return summary.agree ? 0 : 1
  }
}
