/**
 * Metrics for every HyperMesh host: counters, gauges and histograms (µs
 * buckets by default) with labels, rendered as Prometheus text exposition
 * 0.0.4 (served at node-host `/metrics`) or as a JSON snapshot. No host APIs:
 * runs unchanged in Node, browsers and edge workers.
 *
 * @example
 * ```ts
 * import { createMetricsRegistry } from '../monitor/index.ts'
 * const registry = createMetricsRegistry()
 * const bytes = registry.counter({ name: 'hypermesh_stoq_bytes_total', help: 'Bytes moved', labelNames: ['direction'] })
 * bytes.inc(1024, { direction: 'in' })
 * const rtt = registry.histogram({ name: 'hypermesh_stoq_rtt_microseconds', help: 'Echo RTT' })
 * rtt.observe(420)
 * registry.toPrometheus() // '# HELP hypermesh_stoq_bytes_total Bytes moved\n# TYPE ...'
 * registry.snapshot()     // { time, metrics: [...] }
 * ```
 * @module
 */
export { MetricsRegistry, createMetricsRegistry, formatPrometheusValue, escapeLabelValue, escapeHelp } from './registry.ts'
export type { MetricsRegistryInit, MetricsSnapshot, MetricSnapshot, ValueSeriesSnapshot, HistogramSeriesSnapshot, JsonNumber } from './registry.ts'
export { Counter, Gauge, Histogram } from './metrics.ts'
export type { Labels, MetricType, MetricInit, GaugeInit, HistogramInit, HistogramState, Metric } from './metrics.ts'
export { DEFAULT_US_BUCKETS, METRIC_NAME_PATTERN, PROMETHEUS_CONTENT_TYPE, DEFAULT_MAX_SERIES } from './constants.ts'
