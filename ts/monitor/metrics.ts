/**
 * Counters, gauges and histograms with labels. Plain data and arithmetic, no
 * host APIs: the same registry runs in Node, browsers and edge workers.
 */
import { InvalidArgumentError } from '../errors.ts'
import { LABEL_NAME_PATTERN } from './constants.ts'

export type Labels = Readonly<Record<string, string | number>>
export type MetricType = 'counter' | 'gauge' | 'histogram'

export interface MetricInit {
  /** `hypermesh_<module>_<what>_<unit>`; counters end in `_total`. */
  name: string
  help: string
  /** Label names every sample of this metric carries (default none). */
  labelNames?: readonly string[]
}

export interface GaugeInit extends MetricInit {
  /** Called before every exposition/snapshot, to set values computed on demand. */
  collect?: (gauge: Gauge) => void
}

export interface HistogramInit extends MetricInit {
  /** Upper bounds, strictly increasing and finite (`+Inf` is implicit). Default: µs buckets 1 µs .. 10 s. */
  buckets?: readonly number[]
}

/** One label set's key: the values in `labelNames` order. */
function seriesKey (metric: string, labelNames: readonly string[], labels: Labels | undefined): { key: string, values: string[] } {
  const given = labels === undefined ? 0 : Object.keys(labels).length
  if (given !== labelNames.length) throw new InvalidArgumentError(`${metric}: expected labels [${labelNames.join(', ')}], got [${labels === undefined ? '' : Object.keys(labels).join(', ')}]`)
  if (labelNames.length === 0) return { key: '', values: [] }
  const values: string[] = []
  for (const n of labelNames) {
    const v = labels?.[n]
    if (v === undefined) throw new InvalidArgumentError(`${metric}: label ${n} missing`)
    values.push(String(v))
  }
  return { key: values.join('\u0000'), values }
}

abstract class BaseMetric<S> {
  readonly name: string
  readonly help: string
  readonly labelNames: readonly string[]
  abstract readonly type: MetricType
  protected readonly series = new Map<string, { values: string[], state: S }>()
  private readonly maxSeries: number

  constructor (init: MetricInit, maxSeries: number) {
    this.name = init.name
    this.help = init.help
    const names = init.labelNames ?? []
    for (const n of names) {
      if (!LABEL_NAME_PATTERN.test(n) || n.startsWith('__')) throw new InvalidArgumentError(`${init.name}: bad label name '${n}'`)
    }
    if (new Set(names).size !== names.length) throw new InvalidArgumentError(`${init.name}: repeated label name`)
    this.labelNames = Object.freeze([...names])
    this.maxSeries = maxSeries
  }

  protected abstract fresh (): S

  protected state (labels: Labels | undefined): S {
    const { key, values } = seriesKey(this.name, this.labelNames, labels)
    let s = this.series.get(key)
    if (s === undefined) {
      if (this.series.size >= this.maxSeries) throw new InvalidArgumentError(`${this.name}: more than ${this.maxSeries} label sets`)
      s = { values, state: this.fresh() }
      this.series.set(key, s)
    }
    return s.state
  }

  /** Label sets seen so far with their state, in first-seen order. */
  entries (): Array<{ labels: Record<string, string>, state: Readonly<S> }> {
    const out: Array<{ labels: Record<string, string>, state: S }> = []
    for (const { values, state } of this.series.values()) {
      const labels: Record<string, string> = {}
      this.labelNames.forEach((n, i) => { labels[n] = values[i] })
      out.push({ labels, state })
    }
    return out
  }

  /** Forgets every label set (unlabelled metrics go back to zero). */
  reset (): void {
    this.series.clear()
  }
}

interface ValueState { value: number }

/** A value that only goes up (events, bytes). */
export class Counter extends BaseMetric<ValueState> {
  readonly type = 'counter' as const

  constructor (init: MetricInit, maxSeries: number) {
    super(init, maxSeries)
    if (this.labelNames.length === 0) this.state(undefined)
  }

  protected fresh (): ValueState { return { value: 0 } }

  inc (value = 1, labels?: Labels): void {
    if (!(value >= 0) || !Number.isFinite(value)) throw new InvalidArgumentError(`${this.name}: counter increment must be finite and >= 0, got ${value}`)
    this.state(labels).value += value
  }

  get (labels?: Labels): number {
    return this.state(labels).value
  }
}

/** A value that goes up and down (peers connected, bytes buffered). */
export class Gauge extends BaseMetric<ValueState> {
  readonly type = 'gauge' as const
  readonly collect: ((gauge: Gauge) => void) | undefined

  constructor (init: GaugeInit, maxSeries: number) {
    super(init, maxSeries)
    this.collect = init.collect
    if (this.labelNames.length === 0) this.state(undefined)
  }

  protected fresh (): ValueState { return { value: 0 } }

  set (value: number, labels?: Labels): void {
    if (typeof value !== 'number') throw new InvalidArgumentError(`${this.name}: gauge value must be a number`)
    this.state(labels).value = value
  }

  inc (value = 1, labels?: Labels): void {
    this.state(labels).value += value
  }

  dec (value = 1, labels?: Labels): void {
    this.state(labels).value -= value
  }

  get (labels?: Labels): number {
    return this.state(labels).value
  }
}

export interface HistogramState {
  /** Observations per bucket (NOT cumulative); the last entry is the +Inf bucket. */
  counts: number[]
  sum: number
  count: number
}

/** Distribution of observed values in fixed buckets (latencies in µs, sizes in bytes). */
export class Histogram extends BaseMetric<HistogramState> {
  readonly type = 'histogram' as const
  readonly buckets: readonly number[]

  constructor (init: HistogramInit, maxSeries: number, defaultBuckets: readonly number[]) {
    super(init, maxSeries)
    if (this.labelNames.includes('le')) throw new InvalidArgumentError(`${init.name}: 'le' is reserved in histograms`)
    const b = init.buckets ?? defaultBuckets
    if (b.length === 0) throw new InvalidArgumentError(`${init.name}: at least one bucket`)
    for (let i = 0; i < b.length; i++) {
      if (!Number.isFinite(b[i])) throw new InvalidArgumentError(`${init.name}: bucket bounds must be finite (+Inf is implicit)`)
      if (i > 0 && !(b[i] > b[i - 1])) throw new InvalidArgumentError(`${init.name}: bucket bounds must be strictly increasing`)
    }
    this.buckets = Object.freeze([...b])
    if (this.labelNames.length === 0) this.state(undefined)
  }

  protected fresh (): HistogramState {
    return { counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 }
  }

  observe (value: number, labels?: Labels): void {
    if (Number.isNaN(value)) throw new InvalidArgumentError(`${this.name}: cannot observe NaN`)
    const s = this.state(labels)
    // Buckets are few (~20): a linear scan beats binary search here.
    let i = 0
    const b = this.buckets
    while (i < b.length && value > b[i]) i++
    s.counts[i]++
    s.sum += value
    s.count++
  }

  /** Starts a timer; calling the result observes the elapsed time in µs and returns it. */
  startTimer (labels?: Labels): () => number {
    const t0 = performance.now()
    return () => {
      const us = (performance.now() - t0) * 1000
      this.observe(us, labels)
      return us
    }
  }

  get (labels?: Labels): Readonly<HistogramState> {
    return this.state(labels)
  }
}

export type Metric = Counter | Gauge | Histogram
