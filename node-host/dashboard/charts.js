// Line charts on <canvas>: crisp on high-DPI screens, colours from CSS custom
// properties (so they follow the light/dark theme), resize with their box.

/** Rounds a span to 1, 2 or 5 × 10^k for readable axis ticks. */
export function niceStep (span, ticks) {
  const raw = span / Math.max(1, ticks)
  const mag = 10 ** Math.floor(Math.log10(raw))
  const n = raw / mag
  return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * mag
}

export function formatNumber (v, unit = '') {
  if (!Number.isFinite(v)) return '–'
  const a = Math.abs(v)
  let s
  if (a >= 1e9) s = (v / 1e9).toFixed(a >= 1e10 ? 0 : 1) + 'G'
  else if (a >= 1e6) s = (v / 1e6).toFixed(a >= 1e7 ? 0 : 1) + 'M'
  else if (a >= 1e4) s = (v / 1e3).toFixed(a >= 1e5 ? 0 : 1) + 'k'
  else if (a >= 100 || Number.isInteger(v)) s = Math.round(v).toString()
  else if (a >= 10) s = v.toFixed(1)
  else s = v.toFixed(2)
  return unit ? `${s} ${unit}` : s
}

function cssVar (el, name, fallback) {
  const v = getComputedStyle(el).getPropertyValue(name).trim()
  return v || fallback
}

export class LineChart {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{ series: Array<{ label: string, color: string }>, unit?: string, min?: number, max?: number, window?: number, integer?: boolean }} opts
   */
  constructor (canvas, opts) {
    this.canvas = canvas
    this.opts = { window: 120, ...opts }
    this.points = opts.series.map(() => [])
    this.times = []
    this.observer = new ResizeObserver(() => this.draw())
    this.observer.observe(canvas)
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.draw())
  }

  /** Adds one sample per series (null leaves a gap) at time `t` (ms). */
  push (t, values) {
    this.times.push(t)
    values.forEach((v, i) => this.points[i].push(v))
    const extra = this.times.length - this.opts.window
    if (extra > 0) {
      this.times.splice(0, extra)
      this.points.forEach((p) => p.splice(0, extra))
    }
    this.draw()
  }

  draw () {
    const c = this.canvas
    const dpr = window.devicePixelRatio || 1
    const w = c.clientWidth; const h = c.clientHeight
    if (w === 0 || h === 0) return
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) { c.width = Math.round(w * dpr); c.height = Math.round(h * dpr) }
    const g = c.getContext('2d')
    g.setTransform(dpr, 0, 0, dpr, 0, 0)
    g.clearRect(0, 0, w, h)
    const grid = cssVar(c, '--grid', 'rgba(127,127,127,0.18)')
    const text = cssVar(c, '--muted', '#888')
    const font = `11px ${cssVar(c, '--mono', 'ui-monospace, monospace')}`
    const pad = { l: 46, r: 10, t: 10, b: 20 }
    const pw = w - pad.l - pad.r; const ph = h - pad.t - pad.b
    const all = this.points.flat().filter((v) => v !== null && Number.isFinite(v))
    let lo = this.opts.min ?? (all.length ? Math.min(...all) : 0)
    let hi = this.opts.max ?? (all.length ? Math.max(...all) : 1)
    if (this.opts.min === undefined && lo > 0 && lo < hi * 0.5) lo = 0
    if (hi - lo < (this.opts.integer ? 2 : 1e-9)) { const mid = (hi + lo) / 2; lo = this.opts.integer ? Math.floor(mid - 1) : mid - 0.5; hi = this.opts.integer ? Math.ceil(mid + 1) : mid + 0.5; if (this.opts.min !== undefined) lo = Math.max(lo, this.opts.min) }
    const step = niceStep(hi - lo, 4)
    lo = Math.floor(lo / step) * step; hi = Math.ceil(hi / step) * step
    const y = (v) => pad.t + ph - ((v - lo) / (hi - lo)) * ph
    // the x range grows with the history until it spans the whole window, so a fresh page is not mostly empty
    const n = Math.max(Math.min(this.times.length, this.opts.window), Math.min(30, this.opts.window))
    const len = this.times.length
    const perPoint = len > 1 ? (this.times[len - 1] - this.times[0]) / (len - 1) / 1000 : 1
    const x = (i, len) => pad.l + pw - ((len - 1 - i) / (n - 1)) * pw

    g.font = font; g.textBaseline = 'middle'; g.textAlign = 'right'; g.lineWidth = 1
    for (let v = lo; v <= hi + step / 2; v += step) {
      const yy = Math.round(y(v)) + 0.5
      g.strokeStyle = grid; g.beginPath(); g.moveTo(pad.l, yy); g.lineTo(w - pad.r, yy); g.stroke()
      g.fillStyle = text; g.fillText(formatNumber(v), pad.l - 6, yy)
    }
    g.textAlign = 'left'; g.textBaseline = 'alphabetic'
    g.fillText(`−${Math.round((n - 1) * perPoint)} s`, pad.l, h - 5)
    g.textAlign = 'right'; g.fillText('now', w - pad.r, h - 5)

    this.opts.series.forEach((s, si) => {
      const pts = this.points[si]
      const color = s.color.startsWith('--') ? cssVar(c, s.color, '#4af') : s.color
      const segs = []; let cur = []
      pts.forEach((v, i) => {
        if (v === null || !Number.isFinite(v)) { if (cur.length) segs.push(cur); cur = [] } else cur.push([x(i, pts.length), y(v)])
      })
      if (cur.length) segs.push(cur)
      for (const seg of segs) {
        if (si === 0 && seg.length > 1) {
          const grad = g.createLinearGradient(0, pad.t, 0, pad.t + ph)
          grad.addColorStop(0, color + '55'); grad.addColorStop(1, color + '00')
          g.fillStyle = grad; g.beginPath(); g.moveTo(seg[0][0], pad.t + ph)
          for (const [px, py] of seg) g.lineTo(px, py)
          g.lineTo(seg[seg.length - 1][0], pad.t + ph); g.closePath(); g.fill()
        }
        g.strokeStyle = color; g.lineWidth = 2; g.lineJoin = 'round'; g.beginPath()
        seg.forEach(([px, py], i) => (i === 0 ? g.moveTo(px, py) : g.lineTo(px, py)))
        g.stroke()
        if (seg === segs[segs.length - 1]) {
          const [lx, ly] = seg[seg.length - 1]
          g.fillStyle = color; g.beginPath(); g.arc(lx, ly, 3, 0, Math.PI * 2); g.fill()
        }
      }
    })
  }
}
