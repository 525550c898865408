/**
 * Test-side metric values rendered as Prometheus text 0.0.4, standing in for
 * ts/monitor's registry in node-host tests until that module lands. The values
 * are real: counters and histograms fed by whatever the test observes.
 */
export class TestMetrics {
  height = 0
  peers = 0
  txCommitted = 0
  bytesSent = 0
  private readonly bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
  private readonly counts = new Array<number>(this.bounds.length + 1).fill(0)
  private sum = 0
  private n = 0

  observeFinality (seconds: number): void {
    let i = this.bounds.findIndex((b) => seconds <= b)
    if (i < 0) i = this.bounds.length
    this.counts[i]++
    this.sum += seconds
    this.n++
  }

  prometheus (): string {
    const lines = [
      '# HELP hypermesh_consensus_height Height of the latest finalized block.',
      '# TYPE hypermesh_consensus_height gauge',
      `hypermesh_consensus_height ${this.height}`,
      '# HELP hypermesh_stoq_peers Connected peers.',
      '# TYPE hypermesh_stoq_peers gauge',
      `hypermesh_stoq_peers ${this.peers}`,
      '# HELP hypermesh_ledger_tx_committed_total Transactions committed in finalized blocks.',
      '# TYPE hypermesh_ledger_tx_committed_total counter',
      `hypermesh_ledger_tx_committed_total ${this.txCommitted}`,
      '# HELP hypermesh_stoq_bytes_total Bytes sent and received.',
      '# TYPE hypermesh_stoq_bytes_total counter',
      `hypermesh_stoq_bytes_total{direction="out",protocol="/hypermesh/consensus/1.0.0"} ${this.bytesSent}`,
      `hypermesh_stoq_bytes_total{direction="in",protocol="/hypermesh/consensus/1.0.0"} ${Math.floor(this.bytesSent * 0.9)}`,
      '# HELP hypermesh_consensus_finality_seconds Time from proposal to commit.',
      '# TYPE hypermesh_consensus_finality_seconds histogram'
    ]
    let cum = 0
    this.bounds.forEach((b, i) => { cum += this.counts[i]; lines.push(`hypermesh_consensus_finality_seconds_bucket{le="${b}"} ${cum}`) })
    cum += this.counts[this.bounds.length]
    lines.push(`hypermesh_consensus_finality_seconds_bucket{le="+Inf"} ${cum}`, `hypermesh_consensus_finality_seconds_sum ${this.sum}`, `hypermesh_consensus_finality_seconds_count ${this.n}`)
    return lines.join('\n') + '\n'
  }
}
