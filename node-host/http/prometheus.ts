/**
 * A strict parser for the Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/). The HTTP
 * server uses it to serve the same metrics as JSON to the dashboard, and the
 * tests use it to check that /metrics is valid. Bad input throws DecodeError
 * naming the line.
 */
import { DecodeError } from '../../ts/errors.ts'

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped'

export interface Sample {
  /** Full sample name, e.g. `x_bucket` for a histogram family `x`. */
  name: string
  labels: Record<string, string>
  value: number
  timestampMs?: number
}

export interface MetricFamily {
  name: string
  type: MetricType
  help: string
  samples: Sample[]
}

/** Bounds so a hostile or runaway exposition cannot exhaust memory. */
export const MAX_EXPOSITION_BYTES = 16 * 1024 * 1024
export const MAX_LINE_BYTES = 64 * 1024
export const MAX_LABELS = 64

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped'])

function parseValue (s: string, line: number): number {
  if (s === '+Inf' || s === 'Inf') return Infinity
  if (s === '-Inf') return -Infinity
  if (s === 'NaN') return NaN
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new DecodeError(`prometheus: line ${line}: bad value '${s.slice(0, 40)}'`)
  return Number(s)
}

function unescapeHelp (s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => c === 'n' ? '\n' : c)
}

/** Parses `{a="x",b="y\"z"}` starting at `i` (the `{`); returns labels and the index after `}`. */
function parseLabels (text: string, i: number, line: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {}
  let n = 0
  i++ // skip {
  for (;;) {
    while (text[i] === ' ') i++
    if (text[i] === '}') return [labels, i + 1]
    const start = i
    while (i < text.length && /[a-zA-Z0-9_]/.test(text[i])) i++
    const name = text.slice(start, i)
    if (!LABEL_NAME.test(name)) throw new DecodeError(`prometheus: line ${line}: bad label name '${name.slice(0, 40)}'`)
    while (text[i] === ' ') i++
    if (text[i] !== '=' || text[i + 1] !== '"') throw new DecodeError(`prometheus: line ${line}: expected ="value" after label ${name}`)
    i += 2
    let value = ''
    for (;;) {
      if (i >= text.length) throw new DecodeError(`prometheus: line ${line}: unterminated label value`)
      const c = text[i]
      if (c === '"') { i++; break }
      if (c === '\\') {
        const e = text[i + 1]
        if (e === 'n') value += '\n'; else if (e === '\\' || e === '"') value += e
        else throw new DecodeError(`prometheus: line ${line}: bad escape \\${e ?? ''} in label value`)
        i += 2
      } else { value += c; i++ }
    }
    if (Object.hasOwn(labels, name)) throw new DecodeError(`prometheus: line ${line}: label ${name} repeated`)
    if (++n > MAX_LABELS) throw new DecodeError(`prometheus: line ${line}: more than ${MAX_LABELS} labels`)
    labels[name] = value
    while (text[i] === ' ') i++
    if (text[i] === ',') { i++; continue }
    if (text[i] === '}') return [labels, i + 1]
    throw new DecodeError(`prometheus: line ${line}: expected , or } in labels`)
  }
}

/** The family a sample name belongs to, given the declared types. */
function familyOf (name: string, declared: Map<string, MetricFamily>): MetricFamily | undefined {
  const direct = declared.get(name)
  if (direct !== undefined) return direct
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (name.endsWith(suffix)) {
      const f = declared.get(name.slice(0, -suffix.length))
      if (f !== undefined && (f.type === 'histogram' || (f.type === 'summary' && suffix !== '_bucket'))) return f
    }
  }
  return undefined
}

export function parsePrometheusText (text: string): MetricFamily[] {
  if (text.length > MAX_EXPOSITION_BYTES) throw new DecodeError(`prometheus: exposition larger than ${MAX_EXPOSITION_BYTES} bytes`)
  if (text.length > 0 && !text.endsWith('\n')) throw new DecodeError('prometheus: exposition must end with a newline')
  const families = new Map<string, MetricFamily>()
  const out: MetricFamily[] = []
  const seenSeries = new Set<string>()
  const lines = text.split('\n')
  lines.pop() // after the final newline
  for (let ln = 0; ln < lines.length; ln++) {
    const lineNo = ln + 1
    const raw = lines[ln]
    if (raw.length > MAX_LINE_BYTES) throw new DecodeError(`prometheus: line ${lineNo} longer than ${MAX_LINE_BYTES}`)
    const line = raw.replace(/^[ \t]+/, '')
    if (line === '') continue
    if (line.startsWith('#')) {
      const m = /^#[ \t]+(HELP|TYPE)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(line)
      if (m === null) continue // a plain comment
      const [, kind, name, rest = ''] = m
      if (!METRIC_NAME.test(name)) throw new DecodeError(`prometheus: line ${lineNo}: bad metric name '${name.slice(0, 40)}'`)
      let f = families.get(name)
      if (kind === 'TYPE') {
        const t = rest.trim() as MetricType
        if (!TYPES.has(t)) throw new DecodeError(`prometheus: line ${lineNo}: unknown type '${rest.slice(0, 20)}'`)
        if (f !== undefined && (f.samples.length > 0 || f.type !== 'untyped')) throw new DecodeError(`prometheus: line ${lineNo}: TYPE for ${name} after its samples or repeated`)
        if (f === undefined) { f = { name, type: t, help: '', samples: [] }; families.set(name, f); out.push(f) } else f.type = t
      } else {
        if (f === undefined) { f = { name, type: 'untyped', help: '', samples: [] }; families.set(name, f); out.push(f) } else if (f.help !== '') throw new DecodeError(`prometheus: line ${lineNo}: HELP for ${name} repeated`)
        f.help = unescapeHelp(rest)
      }
      continue
    }
    let i = 0
    while (i < line.length && /[a-zA-Z0-9_:]/.test(line[i])) i++
    const name = line.slice(0, i)
    if (!METRIC_NAME.test(name)) throw new DecodeError(`prometheus: line ${lineNo}: bad metric name '${line.slice(0, 40)}'`)
    let labels: Record<string, string> = {}
    if (line[i] === '{') [labels, i] = parseLabels(line, i, lineNo)
    const rest = line.slice(i)
    const m = /^[ \t]+(\S+)(?:[ \t]+(-?\d+))?[ \t]*$/.exec(rest)
    if (m === null) throw new DecodeError(`prometheus: line ${lineNo}: expected a value after ${name}`)
    const value = parseValue(m[1], lineNo)
    let f = familyOf(name, families)
    if (f === undefined) { f = { name, type: 'untyped', help: '', samples: [] }; families.set(name, f); out.push(f) }
    if (f.type === 'histogram') {
      if (name === f.name) throw new DecodeError(`prometheus: line ${lineNo}: histogram ${f.name} sample without _bucket/_sum/_count`)
      if (name.endsWith('_bucket') && labels.le === undefined) throw new DecodeError(`prometheus: line ${lineNo}: bucket without le label`)
    }
    if (f.type === 'counter' && (value < 0 || Number.isNaN(value))) throw new DecodeError(`prometheus: line ${lineNo}: counter ${name} is ${value}`)
    const series = name + JSON.stringify(Object.entries(labels).sort())
    if (seenSeries.has(series)) throw new DecodeError(`prometheus: line ${lineNo}: series ${name} repeated`)
    seenSeries.add(series)
    const sample: Sample = { name, labels, value }
    if (m[2] !== undefined) sample.timestampMs = Number(m[2])
    f.samples.push(sample)
  }
  // histograms must be cumulative and end with +Inf equal to _count
  for (const f of out) {
    if (f.type !== 'histogram') continue
    const groups = new Map<string, { buckets: Array<[number, number]>, count?: number }>()
    for (const s of f.samples) {
      const { le, ...rest } = s.labels
      const key = JSON.stringify(Object.entries(rest).sort())
      const g = groups.get(key) ?? { buckets: [] }
      groups.set(key, g)
      if (s.name.endsWith('_bucket')) g.buckets.push([parseValue(le, 0), s.value])
      if (s.name.endsWith('_count')) g.count = s.value
    }
    for (const g of groups.values()) {
      const b = g.buckets.sort((x, y) => x[0] - y[0])
      for (let k = 1; k < b.length; k++) if (b[k][1] < b[k - 1][1]) throw new DecodeError(`prometheus: histogram ${f.name} buckets are not cumulative`)
      if (b.length > 0 && b[b.length - 1][0] !== Infinity) throw new DecodeError(`prometheus: histogram ${f.name} has no +Inf bucket`)
      if (b.length > 0 && g.count !== undefined && b[b.length - 1][1] !== g.count) throw new DecodeError(`prometheus: histogram ${f.name}: +Inf bucket differs from _count`)
    }
  }
  return out
}

/** JSON-safe form (Infinity/NaN as strings) for /api/metrics. */
export function familiesToJson (families: MetricFamily[]): Array<Omit<MetricFamily, 'samples'> & { samples: Array<Omit<Sample, 'value'> & { value: number | string }> }> {
  return families.map((f) => ({
    ...f,
    samples: f.samples.map((s) => ({ ...s, value: Number.isFinite(s.value) ? s.value : String(s.value === Infinity ? '+Inf' : s.value === -Infinity ? '-Inf' : 'NaN') }))
  }))
}
