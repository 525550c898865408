import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { createMetricsRegistry, escapeLabelValue, formatPrometheusValue, DEFAULT_US_BUCKETS } from '../../ts/monitor/index.ts'

/**
 * The 0.0.4 text format's line grammar, checked line by line (independent of
 * both our renderer and the npm parser).
 */
const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*'
const LABEL_VALUE = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"'
const LABELS = `\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=${LABEL_VALUE})(?:,[a-zA-Z_][a-zA-Z0-9_]*=${LABEL_VALUE})*\\}`
const VALUE = '(?:[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?|\\+Inf|-Inf|NaN)'
const SAMPLE_LINE = new RegExp(`^${NAME}(?:${LABELS})? ${VALUE}$`)
const HELP_LINE = new RegExp(`^# HELP ${NAME} (?:[^\\\\\\n]|\\\\[\\\\n])*$`)
const TYPE_LINE = new RegExp(`^# TYPE ${NAME} (counter|gauge|histogram|summary|untyped)$`)

function checkGrammar (text: string): void {
  expect(text.endsWith('\n')).toBe(true)
  const lines = text.slice(0, -1).split('\n')
  const typed = new Set<string>()
  for (const line of lines) {
    if (line.startsWith('# HELP ')) { expect(line).toMatch(HELP_LINE); continue }
    if (line.startsWith('# TYPE ')) {
      expect(line).toMatch(TYPE_LINE)
      const name = line.split(' ')[2]
      expect(typed.has(name)).toBe(false) // one TYPE per family
      typed.add(name)
      continue
    }
    expect(line).toMatch(SAMPLE_LINE)
  }
}

function sample () {
  const r = createMetricsRegistry()
  const c = r.counter({ name: 'hypermesh_stoq_bytes_total', help: 'Bytes moved "on the wire"\nby direction, C:\\path', labelNames: ['direction', 'protocol'] })
  c.inc(10, { direction: 'in', protocol: '/hypermesh/echo/1.0.0' })
  c.inc(5, { direction: 'out', protocol: 'weird "quoted" \\ back\nslash' })
  c.inc(1, { direction: 'in', protocol: '/hypermesh/echo/1.0.0' })
  const g = r.gauge({ name: 'hypermesh_stoq_peers_count', help: 'Admitted peers' })
  g.set(3)
  // (the npm parser flattens histogram series and drops their labels, so this one has none)
  const h = r.histogram({ name: 'hypermesh_stoq_rtt_microseconds', help: 'RTT', buckets: [100, 1000, 10000] })
  for (const v of [50, 100, 101, 999, 5000, 20000, 1e9]) h.observe(v)
  const lh = r.histogram({ name: 'hypermesh_stoq_probe_microseconds', help: 'labelled', buckets: [10], labelNames: ['tier'] })
  lh.observe(5, { tier: 'Home' }); lh.observe(50, { tier: 'Slow' })
  const plain = r.histogram({ name: 'hypermesh_monitor_plain_microseconds', help: 'no observations' })
  return { r, c, g, h, plain }
}

describe('ts/monitor registry', () => {
  it('renders exactly the expected Prometheus 0.0.4 text', () => {
    const r = createMetricsRegistry()
    r.counter({ name: 'hypermesh_test_events_total', help: 'a "b"\\c\nd', labelNames: ['k'] }).inc(2, { k: 'x"y\\z\nw' })
    const h = r.histogram({ name: 'hypermesh_test_latency_microseconds', help: 'h', buckets: [1, 2.5] })
    h.observe(1); h.observe(2); h.observe(7)
    r.gauge({ name: 'hypermesh_test_level_ratio', help: 'g' }).set(-Infinity)
    expect(r.toPrometheus()).toBe([
      '# HELP hypermesh_test_events_total a "b"\\\\c\\nd',
      '# TYPE hypermesh_test_events_total counter',
      'hypermesh_test_events_total{k="x\\"y\\\\z\\nw"} 2',
      '# HELP hypermesh_test_latency_microseconds h',
      '# TYPE hypermesh_test_latency_microseconds histogram',
      'hypermesh_test_latency_microseconds_bucket{le="1"} 1',
      'hypermesh_test_latency_microseconds_bucket{le="2.5"} 2',
      'hypermesh_test_latency_microseconds_bucket{le="+Inf"} 3',
      'hypermesh_test_latency_microseconds_sum 10',
      'hypermesh_test_latency_microseconds_count 3',
      '# HELP hypermesh_test_level_ratio g',
      '# TYPE hypermesh_test_level_ratio gauge',
      'hypermesh_test_level_ratio -Inf',
      ''
    ].join('\n'))
  })

  it('parses with an independent parser (parse-prometheus-text-format) to the same values', () => {
    const { r } = sample()
    const text = r.toPrometheus()
    checkGrammar(text)
    const fams = parsePrometheusTextFormat(text)
    const byName = new Map(fams.map(f => [f.name, f]))
    const bytes = byName.get('hypermesh_stoq_bytes_total')
    expect(bytes?.type).toBe('COUNTER')
    expect(bytes?.help).toBe('Bytes moved "on the wire"\nby direction, C:\\path')
    expect(bytes?.metrics).toEqual([
      { value: '11', labels: { direction: 'in', protocol: '/hypermesh/echo/1.0.0' } },
      { value: '5', labels: { direction: 'out', protocol: 'weird "quoted" \\ back\nslash' } }
    ])
    expect(byName.get('hypermesh_stoq_peers_count')?.metrics).toEqual([{ value: '3' }])
    const rtt = byName.get('hypermesh_stoq_rtt_microseconds')
    expect(rtt?.type).toBe('HISTOGRAM')
    expect(text).toContain('hypermesh_stoq_probe_microseconds_bucket{tier="Home",le="10"} 1\n')
    expect(text).toContain('hypermesh_stoq_probe_microseconds_bucket{tier="Slow",le="+Inf"} 1\n')
    expect(rtt?.metrics[0].buckets).toEqual({ 100: '2', 1000: '4', 10000: '5', '+Inf': '7' })
    expect(rtt?.metrics[0].count).toBe('7')
    expect(Number(rtt?.metrics[0].sum)).toBe(50 + 100 + 101 + 999 + 5000 + 20000 + 1e9)
    const plain = byName.get('hypermesh_monitor_plain_microseconds')
    expect(plain?.metrics[0].count).toBe('0')
    expect(Object.keys(plain?.metrics[0].buckets ?? {}).length).toBe(DEFAULT_US_BUCKETS.length + 1)
  })

  it('label values and help of any text survive the round trip through the independent parser', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ minLength: 1, maxLength: 40 }).filter(h => h.trim() !== ''), fc.double({ noNaN: true }), (value, help, x) => {
      const r = createMetricsRegistry()
      r.gauge({ name: 'hypermesh_test_x_ratio', help, labelNames: ['v'] }).set(x, { v: value })
      const text = r.toPrometheus()
      checkGrammar(text)
      const [fam] = parsePrometheusTextFormat(text)
      expect(fam.metrics[0].labels?.v).toBe(value)
      const v = fam.metrics[0].value
      expect(v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v)).toBe(x)
      expect(fam.help.trim()).toBe(help.trim()) // parsers differ on blanks around HELP text
    }), { numRuns: 300 })
  })

  it('histogram buckets are cumulative and consistent for any observations', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -1e3, max: 2e7, noNaN: true }), { maxLength: 200 }), (xs) => {
      const r = createMetricsRegistry()
      const h = r.histogram({ name: 'hypermesh_test_h_microseconds', help: 'h' })
      for (const x of xs) h.observe(x)
      const snap = r.snapshot().metrics[0]
      if (snap.type !== 'histogram') throw new Error('type')
      const s = snap.series[0]
      expect(s.count).toBe(xs.length)
      expect(s.cumulative[s.cumulative.length - 1]).toBe(xs.length)
      snap.buckets.forEach((b, i) => expect(s.cumulative[i]).toBe(xs.filter(x => x <= b).length))
    }), { numRuns: 100 })
  })

  it('JSON snapshot carries every series and is JSON-safe', () => {
    const { r, g } = sample()
    g.set(NaN)
    const snap = JSON.parse(JSON.stringify(r.snapshot()))
    const find = (n: string) => snap.metrics.find((m: { name: string }) => m.name === n)
    expect(find('hypermesh_stoq_peers_count').series).toEqual([{ labels: {}, value: null }])
    const rtt = find('hypermesh_stoq_rtt_microseconds')
    expect(rtt.buckets).toEqual([100, 1000, 10000])
    expect(rtt.series[0].cumulative).toEqual([2, 4, 5, 7])
    expect(find('hypermesh_stoq_probe_microseconds').series).toEqual([
      { labels: { tier: 'Home' }, cumulative: [1, 1], sum: 5, count: 1 },
      { labels: { tier: 'Slow' }, cumulative: [0, 1], sum: 50, count: 1 }
    ])
    expect(find('hypermesh_stoq_bytes_total').series[1]).toEqual({ labels: { direction: 'out', protocol: 'weird "quoted" \\ back\nslash' }, value: 5 })
  })

  it('gauge collect callbacks run at scrape time', () => {
    const r = createMetricsRegistry()
    let n = 0
    r.gauge({ name: 'hypermesh_test_live_count', help: 'x', collect: (gg) => gg.set(++n) })
    expect(r.toPrometheus()).toContain('hypermesh_test_live_count 1\n')
    expect(r.toPrometheus()).toContain('hypermesh_test_live_count 2\n')
  })

  it('rejects bad names, labels and values with InvalidArgumentError', () => {
    const r = createMetricsRegistry()
    const bad = [
      () => r.counter({ name: 'hypermesh_stoq_nohelp_total', help: ' ' }),
      () => r.counter({ name: 'stoq_bytes_total', help: 'x' }),
      () => r.counter({ name: 'hypermesh_stoq_bytes', help: 'x' }),
      () => r.gauge({ name: 'hypermesh_stoq_bytes_total', help: 'x' }),
      () => r.gauge({ name: 'hypermesh_stoq bytes', help: 'x' }),
      () => r.gauge({ name: 'hypermesh_stoq_x_count', help: 'x', labelNames: ['__x'] }),
      () => r.gauge({ name: 'hypermesh_stoq_y_count', help: 'x', labelNames: ['a', 'a'] }),
      () => r.histogram({ name: 'hypermesh_stoq_z_microseconds', help: 'x', buckets: [2, 1] }),
      () => r.histogram({ name: 'hypermesh_stoq_w_microseconds', help: 'x', buckets: [1, Infinity] }),
      () => r.histogram({ name: 'hypermesh_stoq_v_microseconds', help: 'x', labelNames: ['le'] })
    ]
    for (const f of bad) expect(f).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    const c = r.counter({ name: 'hypermesh_stoq_ok_total', help: 'x', labelNames: ['a'] })
    expect(() => c.inc(-1, { a: 'x' })).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(() => c.inc(1)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(() => c.inc(1, { a: 'x', b: 'y' })).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    // same name, same shape: shared; other shape: refused
    expect(r.counter({ name: 'hypermesh_stoq_ok_total', help: 'x', labelNames: ['a'] })).toBe(c)
    expect(() => r.counter({ name: 'hypermesh_stoq_ok_total', help: 'x', labelNames: ['b'] })).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    expect(() => r.gauge({ name: 'hypermesh_stoq_ok_total', help: 'x' })).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
  })

  it('bounds the number of label sets per metric', () => {
    const r = createMetricsRegistry({ maxSeriesPerMetric: 3 })
    const c = r.counter({ name: 'hypermesh_test_n_total', help: 'x', labelNames: ['p'] })
    for (let i = 0; i < 3; i++) c.inc(1, { p: String(i) })
    expect(() => c.inc(1, { p: 'x' })).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }))
    c.inc(1, { p: '0' })
    expect(c.get({ p: '0' })).toBe(2)
  })

  it('formats values and escapes label values per the spec', () => {
    expect(formatPrometheusValue(Infinity)).toBe('+Inf')
    expect(formatPrometheusValue(-Infinity)).toBe('-Inf')
    expect(formatPrometheusValue(NaN)).toBe('NaN')
    expect(formatPrometheusValue(1e21)).toBe('1e+21')
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd')
  })

  it('startTimer observes elapsed microseconds', async () => {
    const r = createMetricsRegistry()
    const h = r.histogram({ name: 'hypermesh_test_t_microseconds', help: 'x' })
    const stop = h.startTimer()
    await new Promise(resolve => setTimeout(resolve, 5))
    const us = stop()
    expect(us).toBeGreaterThanOrEqual(4000)
    expect(h.get().count).toBe(1)
  })
})
