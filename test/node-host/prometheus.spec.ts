import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import { parsePrometheusText, familiesToJson } from '../../node-host/http/prometheus.ts'
import { TestMetrics } from './_exposition.ts'

describe('Prometheus text 0.0.4 parser', () => {
  it('parses families, types, help, labels with escapes, special values and timestamps', () => {
    const text = [
      '# HELP http_requests_total The total number\\nof requests.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      '# a plain comment',
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      'metric_without_timestamp_and_labels 12.47',
      'something_weird{problem="division by zero"} +Inf -3982045',
      '# TYPE h histogram',
      'h_bucket{le="0.1"} 1',
      'h_bucket{le="+Inf"} 3',
      'h_sum 0.7',
      'h_count 3',
      '# TYPE g gauge',
      'g NaN',
      ''
    ].join('\n')
    const f = parsePrometheusText(text)
    expect(f.map((x) => [x.name, x.type])).toEqual([
      ['http_requests_total', 'counter'], ['msdos_file_access_time_seconds', 'untyped'], ['metric_without_timestamp_and_labels', 'untyped'],
      ['something_weird', 'untyped'], ['h', 'histogram'], ['g', 'gauge']
    ])
    expect(f[0].help).toBe('The total number\nof requests.')
    expect(f[0].samples[1]).toEqual({ name: 'http_requests_total', labels: { method: 'post', code: '400' }, value: 3, timestampMs: 1395066363000 })
    expect(f[1].samples[0].labels).toEqual({ path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' })
    expect(f[3].samples[0]).toMatchObject({ value: Infinity, timestampMs: -3982045 })
    expect(f[4].samples.map((s) => s.name)).toEqual(['h_bucket', 'h_bucket', 'h_sum', 'h_count'])
    expect(Number.isNaN(f[5].samples[0].value)).toBe(true)
    expect(familiesToJson(f)[3].samples[0].value).toBe('+Inf')
  })
  it('rejects what is not 0.0.4, naming the line', () => {
    const bad: Array<[string, RegExp]> = [
      ['x 1', /newline/],
      ['9x 1\n', /metric name/],
      ['x\n', /value/],
      ['x one\n', /bad value/],
      ['x{a="1} 1\n', /unterminated/],
      ['x{a=1} 1\n', /="value"/],
      ['x{a="1",a="2"} 1\n', /repeated/],
      ['x{a="\\t"} 1\n', /escape/],
      ['x{1a="v"} 1\n', /label name/],
      ['x 1\nx 2\n', /line 2: series x repeated/],
      ['# TYPE x counter\nx -1\n', /counter/],
      ['# TYPE x bogus\n', /unknown type/],
      ['x 1\n# TYPE x gauge\n', /after its samples/],
      ['# TYPE h histogram\nh 1\n', /_bucket/],
      ['# TYPE h histogram\nh_bucket 1\n', /le label/],
      ['# TYPE h histogram\nh_bucket{le="1"} 5\nh_bucket{le="+Inf"} 3\n', /cumulative/],
      ['# TYPE h histogram\nh_bucket{le="1"} 1\n', /\+Inf/],
      ['# TYPE h histogram\nh_bucket{le="+Inf"} 3\nh_count 4\n', /_count/]
    ]
    for (const [text, re] of bad) {
      expect(() => parsePrometheusText(text), JSON.stringify(text)).toThrow(re)
      try { parsePrometheusText(text) } catch (e) { expect((e as Error).name).toBe('DecodeError') }
    }
  })
  it('parses what the test registry writes, whatever values it holds', () => {
    fc.assert(fc.property(fc.nat(), fc.nat(1000), fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { maxLength: 50 }), (h, p, obs) => {
      const m = new TestMetrics(); m.height = h; m.peers = p
      for (const o of obs) m.observeFinality(o)
      const f = parsePrometheusText(m.prometheus())
      expect(f.find((x) => x.name === 'hypermesh_consensus_height')!.samples[0].value).toBe(h)
      const hist = f.find((x) => x.name === 'hypermesh_consensus_finality_seconds')!
      expect(hist.samples.find((s) => s.name.endsWith('_count'))!.value).toBe(obs.length)
    }), { numRuns: 100 })
  })
  it('never throws anything but DecodeError on arbitrary input', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom('#', ' ', 'T', 'Y', 'P', 'E', 'x', '{', '}', '"', '=', ',', '\\', '\n', '1', '.', 'e', '+', 'I', 'n', 'f', '_', 'l') })), (s) => {
      try { parsePrometheusText(s) } catch (e) { expect((e as Error).name).toBe('DecodeError') }
    }), { numRuns: 2000 })
  })
})
