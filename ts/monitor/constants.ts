/** Default histogram buckets in microseconds: 1 µs .. 10 s. */
export const DEFAULT_US_BUCKETS: readonly number[] = Object.freeze([
  1, 5, 10, 25, 50, 100, 250, 500,
  1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
  1_000_000, 2_500_000, 5_000_000, 10_000_000
])

/** Every HyperMesh metric name: `hypermesh_<module>_<what>_<unit>`. */
export const METRIC_NAME_PATTERN = /^hypermesh_[a-z][a-z0-9]*_[a-z0-9_]*[a-z0-9]$/
/** Any Prometheus metric name (registries created with `strictNames: false`). */
export const PROMETHEUS_NAME_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
/** Prometheus label names; `__` prefixed names are reserved. */
export const LABEL_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/
/** Bound on distinct label sets per metric, so a label fed from the network cannot exhaust memory. */
export const DEFAULT_MAX_SERIES = 10_000
/** The content type of `MetricsRegistry.toPrometheus()`. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'
