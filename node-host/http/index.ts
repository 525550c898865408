/**
 * The node's HTTP API and dashboard server, and the Prometheus text parser.
 *
 * @example
 * ```ts
 * import { createHttpServer } from './node-host/http/index.ts'
 * const http = createHttpServer({ status: () => node.status(), metrics: () => registry.prometheus() })
 * await http.start()   // http://127.0.0.1:8080
 * ```
 * @module
 */
export { createHttpServer, HttpServer, ApiError, DEFAULT_HTTP_HOST, DEFAULT_HTTP_PORT } from './server.ts'
export type { HttpServerInit, NodeStatus, HostLoad, ApiRequest, ApiResult } from './server.ts'
export { parsePrometheusText, familiesToJson, PROMETHEUS_CONTENT_TYPE } from './prometheus.ts'
export type { MetricFamily, MetricType, Sample } from './prometheus.ts'
