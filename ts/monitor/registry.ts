/**
 * The metrics registry: one per node, shared by every component. Renders the
 * Prometheus text exposition format 0.0.4 and a JSON snapshot.
 */
import { InvalidArgumentError } from '../errors.ts'
import { DEFAULT_MAX_SERIES, DEFAULT_US_BUCKETS, METRIC_NAME_PATTERN, PROMETHEUS_NAME_PATTERN } from './constants.ts'
import { Counter, Gauge, Histogram } from './metrics.ts'
import type { GaugeInit, HistogramInit, Metric, MetricInit, MetricType } from './metrics.ts'

export interface MetricsRegistryInit {
  /** Require `hypermesh_<module>_<what>_<unit>` names and `_total` on counters (default true). */
  strictNames?: boolean
  /** Most label sets one metric may hold (default 10 000). */
  maxSeriesPerMetric?: number
  /** Histogram buckets when a histogram names none (default µs, 1 µs .. 10 s). */
  defaultBuckets?: readonly number[]
}

/** A JSON-safe number: NaN and ±Infinity become null. */
export type JsonNumber = number | null

export interface ValueSeriesSnapshot { labels: Record<string, string>, value: JsonNumber }
export interface HistogramSeriesSnapshot {
  labels: Record<string, string>
  /** Cumulative counts, one per bound in `buckets`, then the +Inf bucket (= count). */
  cumulative: number[]
  sum: JsonNumber
  count: number
}

export type MetricSnapshot =
  | { name: string, help: string, type: 'counter' | 'gauge', series: ValueSeriesSnapshot[] }
  | { name: string, help: string, type: 'histogram', buckets: number[], series: HistogramSeriesSnapshot[] }

export interface MetricsSnapshot {
  /** Milliseconds since the epoch when the snapshot was taken. */
  time: number
  metrics: MetricSnapshot[]
}

/** `value` as Prometheus writes floats: `+Inf`, `-Inf`, `NaN`, else the shortest round-trip decimal. */
export function formatPrometheusValue (value: number): string {
  if (value === Infinity) return '+Inf'
  if (value === -Infinity) return '-Inf'
  if (Number.isNaN(value)) return 'NaN'
  if (Object.is(value, -0)) return '-0'
  return String(value)
}

/** Label values escape `\`, `"` and newline. */
export function escapeLabelValue (value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

/** HELP text escapes `\` and newline (quotes stay as they are). */
export function escapeHelp (help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
}

function labelText (labels: Record<string, string>, extra?: [string, string]): string {
  const parts: string[] = []
  for (const [k, v] of Object.entries(labels)) parts.push(`${k}="${escapeLabelValue(v)}"`)
  if (extra !== undefined) parts.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`)
  return parts.length === 0 ? '' : `{${parts.join(',')}}`
}

function jsonNumber (n: number): JsonNumber {
  return Number.isFinite(n) ? n : null
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>()
  private readonly strictNames: boolean
  private readonly maxSeries: number
  private readonly defaultBuckets: readonly number[]

  constructor (init: MetricsRegistryInit = {}) {
    this.strictNames = init.strictNames ?? true
    this.maxSeries = init.maxSeriesPerMetric ?? DEFAULT_MAX_SERIES
    this.defaultBuckets = init.defaultBuckets ?? DEFAULT_US_BUCKETS
  }

  counter (init: MetricInit): Counter {
    return this.register(init, 'counter', () => new Counter(init, this.maxSeries))
  }

  gauge (init: GaugeInit): Gauge {
    return this.register(init, 'gauge', () => new Gauge(init, this.maxSeries))
  }

  histogram (init: HistogramInit): Histogram {
    const h = this.register(init, 'histogram', () => new Histogram(init, this.maxSeries, this.defaultBuckets))
    if (init.buckets !== undefined && (h.buckets.length !== init.buckets.length || h.buckets.some((b, i) => b !== init.buckets?.[i]))) {
      throw new InvalidArgumentError(`metric ${init.name} already registered with other buckets`)
    }
    return h
  }

  /** The metric registered under `name`, if any. */
  get (name: string): Metric | undefined {
    return this.metrics.get(name)
  }

  /** Registered metrics in registration order. */
  list (): Metric[] {
    return [...this.metrics.values()]
  }

  /**
   * Registering a name again with the same type and labels returns the
   * existing metric, so several components (or restarts of one) can share it.
   */
  private register<M extends Metric> (init: MetricInit, type: MetricType, make: () => M): M {
    this.checkName(init, type)
    const existing = this.metrics.get(init.name)
    if (existing !== undefined) {
      const names = init.labelNames ?? []
      if (existing.type !== type || existing.labelNames.length !== names.length || existing.labelNames.some((n, i) => n !== names[i])) {
        throw new InvalidArgumentError(`metric ${init.name} already registered as a ${existing.type} with labels [${existing.labelNames.join(', ')}]`)
      }
      return existing as M
    }
    const m = make()
    this.metrics.set(init.name, m)
    return m
  }

  private checkName (init: MetricInit, type: MetricType): void {
    if (typeof init.name !== 'string' || !PROMETHEUS_NAME_PATTERN.test(init.name)) throw new InvalidArgumentError(`bad metric name '${String(init.name)}'`)
    if (typeof init.help !== 'string' || init.help.trim() === '') throw new InvalidArgumentError(`${init.name}: help must be a non-empty string`)
    if (!this.strictNames) return
    if (!METRIC_NAME_PATTERN.test(init.name)) throw new InvalidArgumentError(`metric name '${init.name}' is not hypermesh_<module>_<what>_<unit>`)
    if (type === 'counter' && !init.name.endsWith('_total')) throw new InvalidArgumentError(`counter '${init.name}' must end in _total`)
    if (type !== 'counter' && init.name.endsWith('_total')) throw new InvalidArgumentError(`only counters end in _total ('${init.name}')`)
    if (type === 'histogram' && /_(bucket|sum|count)$/.test(init.name)) throw new InvalidArgumentError(`histogram '${init.name}' must not end in _bucket/_sum/_count`)
  }

  private collectAll (): void {
    for (const m of this.metrics.values()) {
      if (m.type === 'gauge' && m.collect !== undefined) m.collect(m)
    }
  }

  /** The Prometheus text exposition format 0.0.4 of every metric. */
  toPrometheus (): string {
    this.collectAll()
    const lines: string[] = []
    for (const m of this.metrics.values()) {
      lines.push(`# HELP ${m.name} ${escapeHelp(m.help)}`)
      lines.push(`# TYPE ${m.name} ${m.type}`)
      if (m.type === 'histogram') {
        for (const { labels, state } of m.entries()) {
          let cum = 0
          for (let i = 0; i < m.buckets.length; i++) {
            cum += state.counts[i]
            lines.push(`${m.name}_bucket${labelText(labels, ['le', formatPrometheusValue(m.buckets[i])])} ${cum}`)
          }
          lines.push(`${m.name}_bucket${labelText(labels, ['le', '+Inf'])} ${state.count}`)
          lines.push(`${m.name}_sum${labelText(labels)} ${formatPrometheusValue(state.sum)}`)
          lines.push(`${m.name}_count${labelText(labels)} ${state.count}`)
        }
      } else {
        for (const { labels, state } of m.entries()) {
          lines.push(`${m.name}${labelText(labels)} ${formatPrometheusValue(state.value)}`)
        }
      }
    }
    return lines.length === 0 ? '' : lines.join('\n') + '\n'
  }

  /** Every metric as JSON-safe data (non-finite numbers become null). */
  snapshot (): MetricsSnapshot {
    this.collectAll()
    const metrics: MetricSnapshot[] = []
    for (const m of this.metrics.values()) {
      if (m.type === 'histogram') {
        metrics.push({
          name: m.name,
          help: m.help,
          type: 'histogram',
          buckets: [...m.buckets],
          series: m.entries().map(({ labels, state }) => {
            const cumulative: number[] = []
            let cum = 0
            for (const c of state.counts) { cum += c; cumulative.push(cum) }
            return { labels, cumulative, sum: jsonNumber(state.sum), count: state.count }
          })
        })
      } else {
        metrics.push({ name: m.name, help: m.help, type: m.type, series: m.entries().map(({ labels, state }) => ({ labels, value: jsonNumber(state.value) })) })
      }
    }
    return { time: Date.now(), metrics }
  }
}

/** A new, empty registry. */
export function createMetricsRegistry (init?: MetricsRegistryInit): MetricsRegistry {
  return new MetricsRegistry(init)
}
