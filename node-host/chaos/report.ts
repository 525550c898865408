/**
 * Per-run report: the figures (transaction finality p50/p99 calm and
 * before/during/after each perturbation, recovery times, tx/s, lost
 * acknowledged transactions, halts) as JSON, and a self-contained HTML page
 * with an inline SVG timeline (height per node over time, perturbations
 * shaded). Finality here is a node's own transaction from creation to its
 * commit on that node (the `tx-committed` latency), stamped with the
 * runner's clock when the line arrived.
 */
import type { Manifest } from './manifest.ts'
import type { CheckResult, Violation } from './checks.ts'
import type { RawRun } from './runner.ts'

export interface Window { samples: number, p50Ms: number | null, p99Ms: number | null }

export interface PerturbationReport {
  index: number
  type: string
  node: number
  startS: number | null
  endS: number | null
  skipped: string | null
  detail: string[]
  recoveryMs: number | null
  before: Window
  during: Window
  after: Window
}

export interface RunReport {
  name: string
  seed: number | null
  ok: boolean
  violations: Violation[]
  durationS: number
  nodes: number
  validators: number
  finalHeight: number
  acknowledged: number
  lostAcknowledged: number
  unverifiableAcknowledged: number
  txPerSecond: number
  calm: Window
  overall: Window
  perturbations: PerturbationReport[]
  recoveryMs: number[]
  halts: Array<{ startS: number, endS: number | null }>
  equivocationsSeen: number[]
  stores: CheckResult['stores']
  netns: string | null
  notes: string[]
  dir: string
  manifest: Manifest
}

function quantile (sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]
}

export function window (values: number[]): Window {
  const s = [...values].sort((a, b) => a - b)
  return { samples: s.length, p50Ms: quantile(s, 0.5), p99Ms: quantile(s, 0.99) }
}

const BEFORE_MS = 10_000
const AFTER_MS = 15_000

export function buildReport (run: RawRun, checks: CheckResult): RunReport {
  const m = run.manifest
  const lat = (from: number, to: number): number[] => run.acks.filter((a) => a.t >= from && a.t < to).map((a) => a.latencyMs)
  const starts = run.perturbations.map((p) => p.start).filter((x): x is number => x !== null)
  const firstStart = starts.length > 0 ? Math.min(...starts) : run.endedAt
  const perturbations = run.perturbations.map((p): PerturbationReport => {
    const s = p.start ?? 0
    const e = p.end ?? s
    return {
      index: p.index, type: p.type, node: p.node,
      startS: p.start === null ? null : Math.round(p.start / 100) / 10,
      endS: p.end === null ? null : Math.round(p.end / 100) / 10,
      skipped: p.skipped, detail: p.detail, recoveryMs: p.recoveryMs,
      before: window(lat(s - BEFORE_MS, s)),
      during: window(lat(s, Math.max(e, s + 1))),
      after: window(lat(e, e + AFTER_MS))
    }
  })
  const notes: string[] = [...run.setupErrors]
  if (run.members.some((x) => x.faults.includes('equivocate') || x.faults.includes('invalid-proofs')) && run.equivocations.some((v) => v > 0)) {
    notes.push('equivocations seen; a validator is configured to equivocate, and the metric does not name the sender, so they are not attributed')
  }
  if (checks.unverifiableAcknowledged > 0) notes.push(`${checks.unverifiableAcknowledged} acknowledged transactions are below every store's base (snapshot) and could not be checked`)
  const dur = Math.max(0.001, run.endedAt / 1000)
  return {
    name: m.name,
    seed: m.seed ?? null,
    ok: checks.violations.length === 0,
    violations: checks.violations,
    durationS: Math.round(dur * 10) / 10,
    nodes: m.nodes.length,
    validators: m.nodes.filter((n) => n.role === 'validator').length,
    finalHeight: checks.finalHeight,
    acknowledged: checks.acknowledged,
    lostAcknowledged: checks.lostAcknowledged,
    unverifiableAcknowledged: checks.unverifiableAcknowledged,
    txPerSecond: Math.round((run.acks.length / dur) * 100) / 100,
    calm: window(lat(-Infinity, firstStart)),
    overall: window(run.acks.map((a) => a.latencyMs)),
    perturbations,
    recoveryMs: run.perturbations.map((p) => p.recoveryMs).filter((x): x is number => x !== null),
    halts: run.halts.map((h) => ({ startS: Math.round(h.start / 100) / 10, endS: h.end === null ? null : Math.round(h.end / 100) / 10 })),
    equivocationsSeen: run.equivocations,
    stores: checks.stores,
    netns: run.netns,
    notes,
    dir: run.dir,
    manifest: m
  }
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#393b79', '#637939', '#8c6d31', '#843c39', '#7b4173', '#3182bd']
const PCOLORS: Record<string, string> = { kill: '#d62728', restart: '#ff9896', pause: '#9467bd', disconnect: '#1f77b4', 'disk-full': '#8c564b', 'clock-skew': '#bcbd22' }

/** The timeline as an inline SVG: height per node over time, perturbations shaded per node row. */
export function timelineSvg (run: RawRun, width = 960, height = 420): string {
  const pad = { l: 56, r: 16, t: 16, b: 40 }
  const lanes = run.manifest.nodes.length
  const laneH = 12
  const plotH = height - pad.t - pad.b - lanes * laneH - 10
  const tMax = Math.max(1, run.endedAt) / 1000
  const hMax = Math.max(1, ...run.samples.map((s) => s.height))
  const x = (t: number): number => pad.l + (t / tMax) * (width - pad.l - pad.r)
  const y = (h: number): number => pad.t + plotH - (h / hMax) * plotH
  const parts: string[] = []
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`)
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`)
  // perturbation bands across the plot
  for (const p of run.perturbations) {
    if (p.start === null) continue
    const s = p.start / 1000
    const e = Math.max(s + 0.2, (p.end ?? p.start) / 1000)
    const c = PCOLORS[p.type] ?? '#999'
    parts.push(`<rect x="${x(s).toFixed(1)}" y="${pad.t}" width="${(x(e) - x(s)).toFixed(1)}" height="${plotH}" fill="${c}" opacity="0.12"><title>${esc(`${p.type} node ${p.node} ${s.toFixed(1)}–${e.toFixed(1)} s${p.skipped !== null ? ` (${p.skipped})` : ''}`)}</title></rect>`)
  }
  // axes and grid
  for (let k = 0; k <= 5; k++) {
    const hv = Math.round((hMax * k) / 5)
    parts.push(`<line x1="${pad.l}" x2="${width - pad.r}" y1="${y(hv).toFixed(1)}" y2="${y(hv).toFixed(1)}" stroke="#eee"/><text x="${pad.l - 6}" y="${(y(hv) + 4).toFixed(1)}" text-anchor="end" fill="#555">${hv}</text>`)
  }
  const step = tMax > 300 ? 60 : tMax > 120 ? 30 : tMax > 40 ? 10 : 5
  for (let t = 0; t <= tMax; t += step) {
    parts.push(`<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${pad.t}" y2="${pad.t + plotH}" stroke="#f2f2f2"/><text x="${x(t).toFixed(1)}" y="${height - 8}" text-anchor="middle" fill="#555">${t} s</text>`)
  }
  parts.push(`<text x="12" y="${pad.t + plotH / 2}" transform="rotate(-90 12 ${pad.t + plotH / 2})" text-anchor="middle" fill="#333">height</text>`)
  // one line per node (a gap where it was not reachable)
  for (let n = 0; n < lanes; n++) {
    const pts = run.samples.filter((s) => s.node === n).sort((a, b) => a.t - b.t)
    let d = ''
    let prevT = -Infinity
    for (const s of pts) {
      const t = s.t / 1000
      d += `${t - prevT > 1.6 ? 'M' : 'L'}${x(t).toFixed(1)},${y(s.height).toFixed(1)}`
      prevT = t
    }
    if (d !== '') parts.push(`<path d="${d}" fill="none" stroke="${COLORS[n % COLORS.length]}" stroke-width="1.6"><title>node ${n}</title></path>`)
  }
  // lanes: each node's perturbations
  const laneTop = pad.t + plotH + 8
  for (let n = 0; n < lanes; n++) {
    const ly = laneTop + n * laneH
    parts.push(`<text x="${pad.l - 6}" y="${ly + 9}" text-anchor="end" fill="${COLORS[n % COLORS.length]}">n${n}</text><line x1="${pad.l}" x2="${width - pad.r}" y1="${ly + 6}" y2="${ly + 6}" stroke="#eee"/>`)
    for (const p of run.perturbations.filter((q) => q.node === n && q.start !== null)) {
      const s = (p.start ?? 0) / 1000
      const e = Math.max(s + 0.3, (p.end ?? p.start ?? 0) / 1000)
      parts.push(`<rect x="${x(s).toFixed(1)}" y="${ly + 1}" width="${(x(e) - x(s)).toFixed(1)}" height="${laneH - 2}" fill="${PCOLORS[p.type] ?? '#999'}" opacity="${p.skipped !== null ? 0.3 : 0.9}"><title>${esc(`${p.type} ${s.toFixed(1)}–${e.toFixed(1)} s; recovery ${p.recoveryMs ?? '–'} ms`)}</title></rect>`)
    }
  }
  parts.push('</svg>')
  return parts.join('')
}

const fmt = (v: number | null): string => v === null ? '–' : String(v)

export function renderHtml (run: RawRun, r: RunReport): string {
  const legend = Object.entries(PCOLORS).map(([k, c]) => `<span class="key"><i style="background:${c}"></i>${k}</span>`).join(' ')
  const rows = r.perturbations.map((p) => `<tr><td>${p.index}</td><td>${esc(p.type)}</td><td>n${p.node}</td><td>${fmt(p.startS)}–${fmt(p.endS)}</td>` +
    `<td>${fmt(p.before.p50Ms)} / ${fmt(p.before.p99Ms)}</td><td>${fmt(p.during.p50Ms)} / ${fmt(p.during.p99Ms)}</td><td>${fmt(p.after.p50Ms)} / ${fmt(p.after.p99Ms)}</td>` +
    `<td>${p.skipped !== null ? esc(p.skipped) : fmt(p.recoveryMs)}</td><td>${esc(p.detail.join('; '))}</td></tr>`).join('\n')
  const viol = r.violations.length === 0 ? '<p class="ok">All checks passed.</p>' : `<ul class="bad">${r.violations.map((v) => `<li><b>${esc(v.check)}</b>: ${esc(v.message)}</li>`).join('')}</ul>`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>HyperMesh chaos run ${esc(r.name)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 7px;text-align:left}th{background:#f6f6f6}
.ok{color:#2a7d2a;font-weight:bold}.bad{color:#b00}.key{margin-right:10px;font-size:12px}.key i{display:inline-block;width:12px;height:10px;margin-right:4px;vertical-align:middle}
.fig{display:flex;gap:24px;flex-wrap:wrap}.fig div{background:#f7f7f9;padding:8px 12px;border-radius:6px}.fig b{display:block;font-size:20px}
pre{background:#f7f7f9;padding:8px;font-size:12px;overflow:auto}
</style></head><body>
<h1>Chaos run <code>${esc(r.name)}</code>${r.seed !== null ? ` (seed ${r.seed})` : ''}: ${r.ok ? '<span class="ok">passed</span>' : '<span class="bad">FAILED</span>'}</h1>
<div class="fig">
<div>nodes<b>${r.nodes} (${r.validators} validators)</b></div>
<div>final height<b>${r.finalHeight}</b></div>
<div>tx/s<b>${r.txPerSecond}</b></div>
<div>finality calm p50/p99<b>${fmt(r.calm.p50Ms)} / ${fmt(r.calm.p99Ms)} ms</b></div>
<div>acknowledged / lost<b>${r.acknowledged} / ${r.lostAcknowledged}</b></div>
<div>halts<b>${r.halts.length}</b></div>
</div>
<h2>Timeline</h2>
<p>${legend}</p>
${timelineSvg(run)}
<h2>Checks</h2>
${viol}
<h2>Perturbations</h2>
<table><tr><th>#</th><th>type</th><th>node</th><th>time (s)</th><th>finality before p50/p99 ms</th><th>during</th><th>after</th><th>recovery ms</th><th>detail</th></tr>
${rows}
</table>
${r.halts.length > 0 ? `<p>Halts (no new height for ≥ 6 s): ${r.halts.map((h) => `${h.startS}–${fmt(h.endS)} s`).join(', ')}</p>` : ''}
${r.notes.length > 0 ? `<p>Notes: ${r.notes.map(esc).join('; ')}</p>` : ''}
<h2>Manifest</h2>
<pre>${esc(JSON.stringify(r.manifest, null, 2))}</pre>
</body></html>
`
}
