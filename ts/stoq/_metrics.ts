import type { Counter, Gauge, Histogram, MetricsRegistry } from '../monitor/index.ts'
import { LINK_TIERS } from './constants.ts'

/** The transport's metrics, registered once per registry (re-registering returns the same objects). */
export interface StoqMetrics {
  peers: Gauge
  connections: Gauge
  streamsOpen: Gauge
  linkTierPeers: Gauge
  bytes: Counter
  messages: Counter
  streams: Counter
  admissions: Counter
  bindingFailures: Counter
  drops: Counter
  throttles: Counter
  rateDisconnects: Counter
  frameErrors: Counter
  gossip: Counter
  requestDuration: Histogram
  probeRtt: Histogram
  probeThroughput: Histogram
}

/** Live state the scrape-time gauges read (the latest transport using a registry wins). */
export interface StoqLiveState {
  peers: () => number
  connections: () => number
  streamsOpen: () => number
  /** Tier name of every probed admitted peer. */
  tiers: () => Iterable<string>
}

const live = new WeakMap<MetricsRegistry, StoqLiveState>()

export function createStoqMetrics (r: MetricsRegistry, state: StoqLiveState): StoqMetrics {
  live.set(r, state)
  return {
    peers: r.gauge({ name: 'hypermesh_stoq_peers_count', help: 'Peers admitted (verified identity binding)', collect: g => g.set(live.get(r)?.peers() ?? 0) }),
    connections: r.gauge({ name: 'hypermesh_stoq_connections_count', help: 'Open libp2p connections', collect: g => g.set(live.get(r)?.connections() ?? 0) }),
    streamsOpen: r.gauge({ name: 'hypermesh_stoq_streams_open_count', help: 'Open streams over all connections', collect: g => g.set(live.get(r)?.streamsOpen() ?? 0) }),
    linkTierPeers: r.gauge({
      name: 'hypermesh_stoq_link_tier_peers_count',
      help: 'Admitted peers per probed link tier',
      labelNames: ['tier'],
      collect: g => {
        const counts = new Map<string, number>(LINK_TIERS.map(t => [t.name, 0]))
        for (const t of live.get(r)?.tiers() ?? []) counts.set(t, (counts.get(t) ?? 0) + 1)
        for (const [tier, n] of counts) g.set(n, { tier })
      }
    }),
    bytes: r.counter({ name: 'hypermesh_stoq_bytes_total', help: 'Bytes moved on hypermesh protocols and gossip, by direction and protocol', labelNames: ['direction', 'protocol'] }),
    messages: r.counter({ name: 'hypermesh_stoq_messages_total', help: 'Framed messages and gossip messages, by direction and protocol', labelNames: ['direction', 'protocol'] }),
    streams: r.counter({ name: 'hypermesh_stoq_streams_total', help: 'Streams opened on hypermesh protocols, by direction and protocol', labelNames: ['direction', 'protocol'] }),
    admissions: r.counter({ name: 'hypermesh_stoq_admissions_total', help: 'Peers admitted after their binding verified' }),
    bindingFailures: r.counter({ name: 'hypermesh_stoq_binding_failures_total', help: 'Connections refused for their identity binding', labelNames: ['reason'] }),
    drops: r.counter({ name: 'hypermesh_stoq_peer_drops_total', help: 'Peers dropped, by reason', labelNames: ['reason'] }),
    throttles: r.counter({ name: 'hypermesh_stoq_ratelimit_throttles_total', help: 'Messages over a rate limit (stream read delayed or gossip dropped)', labelNames: ['protocol'] }),
    rateDisconnects: r.counter({ name: 'hypermesh_stoq_ratelimit_disconnects_total', help: 'Peers disconnected and banned for sustained flooding' }),
    frameErrors: r.counter({ name: 'hypermesh_stoq_frame_errors_total', help: 'Inbound streams failed: oversize or malformed frames, handler errors', labelNames: ['protocol', 'kind'] }),
    gossip: r.counter({ name: 'hypermesh_stoq_gossip_validations_total', help: 'Gossip messages received, by topic and validation result', labelNames: ['topic', 'result'] }),
    requestDuration: r.histogram({ name: 'hypermesh_stoq_request_duration_microseconds', help: 'Framed request round trips (open stream, send, answer)', labelNames: ['protocol'] }),
    probeRtt: r.histogram({ name: 'hypermesh_stoq_probe_rtt_microseconds', help: 'Median RTT measured by link probes' }),
    probeThroughput: r.histogram({
      name: 'hypermesh_stoq_probe_throughput_megabits',
      help: 'Throughput measured by link probes in Mb/s (bucket bounds are the tier bounds)',
      buckets: LINK_TIERS.filter(t => Number.isFinite(t.maxMbps)).map(t => t.maxMbps)
    })
  }
}
