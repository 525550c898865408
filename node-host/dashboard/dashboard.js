// HyperMesh node dashboard: polls /api/status and /api/metrics once a second
// and draws live charts. No build step, no external resources.
import { LineChart, formatNumber } from './charts.js'

const POLL_MS = 1000
const $ = (id) => document.getElementById(id)

const charts = {
  height: new LineChart($('chart-height'), { series: [{ label: 'height', color: '--c1' }], integer: true }),
  finality: new LineChart($('chart-finality'), { series: [{ label: 'p50', color: '--c2' }, { label: 'p99', color: '--c3' }], min: 0 }),
  peers: new LineChart($('chart-peers'), { series: [{ label: 'peers', color: '--c4' }], min: 0, integer: true }),
  throughput: new LineChart($('chart-throughput'), { series: [{ label: 'tx/s', color: '--c5' }], min: 0 }),
  cpu: new LineChart($('chart-cpu'), { series: [{ label: 'cpu %', color: '--c6' }, { label: 'load', color: '--c3' }], min: 0 }),
  assets: new LineChart($('chart-assets'), {
    series: [{ label: 'cpu', color: '--c1' }, { label: 'memory', color: '--c2' }, { label: 'storage', color: '--c3' }, { label: 'gpu', color: '--c4' }, { label: 'network', color: '--c5' }],
    min: 0,
    integer: true
  })
}

/** Registered assets of one kind, from the hypermesh_assets_registered_count family. */
function assetsOfKind (fams, kind) {
  const f = fams.find((x) => x.name === 'hypermesh_assets_registered_count')
  if (!f) return null
  const s = f.samples.find((x) => x.labels.kind === kind)
  return s ? num(s.value) : 0
}

/** Scale to milliseconds from a metric name's unit suffix. */
function toMs (name) {
  if (/_seconds$/.test(name)) return 1000
  if (/_(us|microseconds)$/.test(name)) return 1e-3
  if (/_(ns|nanoseconds)$/.test(name)) return 1e-6
  return 1 // _ms, _milliseconds, or unitless
}

const num = (v) => (typeof v === 'number' ? v : v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v))

/** Sum of a family's samples named `name` (all label sets). */
function total (fam, name) {
  return fam.samples.filter((s) => s.name === name).reduce((a, s) => a + num(s.value), 0)
}

/** Cumulative buckets (le -> count), summed over label sets. */
function buckets (fam) {
  const m = new Map()
  for (const s of fam.samples) if (s.name === fam.name + '_bucket') m.set(num(s.labels.le), (m.get(num(s.labels.le)) ?? 0) + num(s.value))
  return [...m.entries()].sort((a, b) => a[0] - b[0])
}

/** Quantile from cumulative bucket counts (linear inside the bucket, as Prometheus' histogram_quantile). */
function quantile (bs, q) {
  const n = bs.length ? bs[bs.length - 1][1] : 0
  if (n <= 0) return null
  const rank = q * n
  let prevLe = 0; let prevC = 0
  for (const [le, c] of bs) {
    if (c >= rank) {
      if (le === Infinity) return prevLe
      return prevLe + (le - prevLe) * ((rank - prevC) / Math.max(1e-12, c - prevC))
    }
    prevLe = le; prevC = c
  }
  return prevLe
}

function pick (families, type, re) {
  return families.find((f) => f.type === type && re.test(f.name))
}

let prev = null
let failures = 0

function shortId (s) { return typeof s === 'string' && s.length > 16 ? `${s.slice(0, 8)}…${s.slice(-6)}` : (s ?? '–') }

function uptime (s) {
  if (!Number.isFinite(s)) return '–'
  const h = Math.floor(s / 3600); const m = Math.floor((s % 3600) / 60); const sec = Math.floor(s % 60)
  return h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${sec}s` : `${sec}s`
}

function setText (id, text) { const el = $(id); if (el.textContent !== text) el.textContent = text }

async function poll () {
  const t = Date.now()
  let status, metrics
  try {
    const [a, b] = await Promise.all([fetch('/api/status', { cache: 'no-store' }), fetch('/api/metrics', { cache: 'no-store' })])
    if (!a.ok || !b.ok) throw new Error(`HTTP ${a.status}/${b.status}`)
    status = await a.json(); metrics = await b.json()
    failures = 0
  } catch (err) {
    failures++
    document.body.dataset.state = 'offline'
    setText('live', failures > 2 ? 'node unreachable' : 'reconnecting…')
    return
  }
  document.body.dataset.state = 'live'
  setText('live', 'live')
  const fams = metrics.families ?? []

  // finality: quantiles over the observations since the previous poll (what happened in the last second)
  const finFam = pick(fams, 'histogram', /finality|finali[sz]ation/)
  const finBuckets = finFam ? buckets(finFam) : []
  const txFam = pick(fams, 'counter', /(tx|transaction)s?_.*(committed|finali[sz]ed|total)|committed_tx/)
  const txTotal = txFam ? total(txFam, txFam.samples[0]?.name ?? txFam.name) : null
  let p50 = null; let p99 = null; let tps = null
  if (finFam) {
    const scale = toMs(finFam.name)
    let window = finBuckets
    if (prev && prev.finBuckets.length === finBuckets.length) {
      const d = finBuckets.map(([le, c], i) => [le, c - prev.finBuckets[i][1]])
      if (d.length && d[d.length - 1][1] > 0) window = d
      else window = null // no new blocks finalized this second: keep the line, draw a gap
    }
    if (window) { p50 = quantile(window, 0.5); p99 = quantile(window, 0.99) }
    if (p50 !== null) p50 *= scale
    if (p99 !== null) p99 *= scale
  }
  if (txTotal !== null && prev && prev.txTotal !== null) tps = Math.max(0, (txTotal - prev.txTotal) / ((t - prev.t) / 1000))
  const host = status.host ?? {}
  const cpuPct = Number.isFinite(host.cpuUsage) ? host.cpuUsage * 100 : null
  const load = Array.isArray(host.loadAverage) ? host.loadAverage[0] : null

  charts.height.push(t, [status.height])
  charts.finality.push(t, [p50, p99])
  charts.peers.push(t, [status.peers])
  charts.throughput.push(t, [tps])
  charts.cpu.push(t, [cpuPct, load !== null && host.cores ? (load / host.cores) * 100 : null])
  charts.assets.push(t, ['Cpu', 'Memory', 'Storage', 'Gpu', 'Network'].map((k) => assetsOfKind(fams, k)))

  setText('stat-height', formatNumber(status.height))
  setText('stat-finality', p50 !== null ? formatNumber(p50, 'ms') : (prev?.lastP50 != null ? formatNumber(prev.lastP50, 'ms') : '–'))
  setText('stat-peers', formatNumber(status.peers))
  setText('stat-tps', tps !== null ? formatNumber(tps) : '–')
  setText('stat-cpu', cpuPct !== null ? `${cpuPct.toFixed(0)}%` : '–')
  setText('stat-uptime', uptime(status.uptimeSeconds))
  setText('node-id', shortId(status.nodeId))
  $('node-id').title = status.nodeId ?? ''
  setText('chain-id', status.chainId ?? '–')
  setText('kernel', status.kernel ?? '–')
  setText('role', status.validator ? 'validator' : 'observer')
  setText('version', status.version ?? '')
  setText('round', status.round ?? '–')
  setText('load', load !== null ? `load ${load.toFixed(2)} · ${host.cores} cores` : '')
  setText('memory', host.memoryTotalBytes ? `${formatNumber(host.memoryUsedBytes / 2 ** 30)} / ${formatNumber(host.memoryTotalBytes / 2 ** 30)} GiB` : '–')
  setText('metric-count', `${fams.length} metric families`)
  setText('updated', new Date(t).toLocaleTimeString())
  prev = { t, finBuckets, txTotal, lastP50: p50 ?? prev?.lastP50 ?? null }
}

/** The node's own assets, refreshed every few seconds (text only: nothing from the API becomes markup). */
let assetsAt = 0
async function refreshAssets () {
  if (performance.now() - assetsAt < 4000) return
  assetsAt = performance.now()
  let r
  try { r = await (await fetch('/api/assets', { cache: 'no-store' })).json() } catch { return }
  const body = document.querySelector('#assets-table tbody')
  if (!body || !Array.isArray(r.mine)) return
  const rows = r.mine.map((a) => {
    const tr = document.createElement('tr')
    for (const v of [String(a.id).replace(/^(\w+:[0-9a-f]{12}).*$/, '$1…'), a.kind, a.state, a.privacy, a.description, a.address ?? '–']) {
      const td = document.createElement('td'); td.textContent = String(v); tr.append(td)
    }
    tr.title = String(a.id)
    return tr
  })
  if (rows.length === 0) {
    const tr = document.createElement('tr'); const td = document.createElement('td')
    td.colSpan = 6; td.className = 'muted'; td.textContent = 'none registered'; tr.append(td); rows.push(tr)
  }
  body.replaceChildren(...rows)
}

async function loop () {
  const started = performance.now()
  await poll()
  await refreshAssets()
  setTimeout(loop, Math.max(0, POLL_MS - (performance.now() - started)))
}
loop()
