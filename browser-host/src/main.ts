/**
 * The donate page: checks that the browser has what donating needs, then
 * starts and stops the donor Web Worker (./donor-worker.ts) and shows what
 * it reports. Exposes `window.hypermeshDonate` (state) for tests and curious users.
 */
import type { FromWorker, ToWorker } from './donor-worker.ts'

const $ = (id: string): HTMLElement => document.getElementById(id)!
const toggle = $('toggle') as HTMLButtonElement
const state = { running: false, transport: null as string | null, jobs: 0, nodeId: null as string | null, jobsBefore: 0, accepted: 0, credits: '0', status: 'stopped', log: [] as string[] }
;(window as unknown as { hypermeshDonate: typeof state }).hypermeshDonate = state

function missing (): string | null {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') return 'This browser has no WebAssembly, which every job runs in.'
  if (typeof Worker !== 'function') return 'This browser has no Web Workers, which keep jobs off the page.'
  if (typeof indexedDB !== 'object' || indexedDB === null) return 'This browser has no IndexedDB (private mode?), where this tab keeps its identity and history.'
  if (typeof crypto?.getRandomValues !== 'function') return 'This browser has no crypto.getRandomValues for its keys.'
  return null
}

function line (text: string): void {
  state.log.push(text)
  const el = $('log')
  el.textContent = state.log.slice(-50).join('\n')
  el.scrollTop = el.scrollHeight
}

let worker: Worker | null = null

function onMessage (m: FromWorker): void {
  switch (m.type) {
    case 'identity':
      state.nodeId = m.nodeId; state.jobsBefore = m.jobsBefore
      $('identity').textContent = `${m.nodeId.slice(0, 16)}… (${m.created ? 'new — kept in IndexedDB' : 'from IndexedDB'}; ${m.jobsBefore} jobs before this visit)`
      break
    case 'status': state.status = m.status; $('status').textContent = m.status; break
    case 'connected': state.transport = m.transport; $('transport').textContent = m.transport; $('node').textContent = `${m.node.slice(0, 16)}…`; break
    case 'job':
      state.jobs = m.jobs
      $('jobs').textContent = `${m.jobs} this visit, ${state.jobsBefore + m.jobs} in all`
      $('rate').textContent = `${Math.round(m.fuelPerSecond).toLocaleString()} fuel/s (metered instructions, last 30 s)`
      break
    case 'stats': state.accepted = m.accepted; state.credits = m.credits; $('accepted').textContent = String(m.accepted); $('credits').textContent = `${m.credits} micro-credits`; break
    case 'log': line(m.line); break
    case 'stopped':
      state.running = false; state.status = 'stopped'
      $('status').textContent = `stopped (${m.reason})`
      toggle.textContent = 'Start'; toggle.disabled = false
      worker?.terminate(); worker = null
      line(m.reason)
      break
  }
}

// leaving the page: tell the node at once (the transport may take tens of seconds to notice)
addEventListener('pagehide', () => { worker?.postMessage({ type: 'stop' } satisfies ToWorker) })

const problem = missing()
if (problem !== null) {
  $('problem').textContent = problem
  $('problem').hidden = false
} else {
  toggle.disabled = false
  toggle.addEventListener('click', () => {
    if (!state.running) {
      state.running = true
      toggle.textContent = 'Stop'
      worker = new Worker(new URL('./donor-worker.ts', import.meta.url), { type: 'module' })
      worker.addEventListener('message', (ev: MessageEvent<FromWorker>) => { onMessage(ev.data) })
      worker.addEventListener('error', (ev) => { onMessage({ type: 'stopped', reason: `worker failed: ${ev.message}` }) })
      worker.postMessage({ type: 'start', search: location.search, origin: location.origin, webTransport: typeof (window as { WebTransport?: unknown }).WebTransport === 'function' } satisfies ToWorker)
    } else {
      toggle.disabled = true
      worker?.postMessage({ type: 'stop' } satisfies ToWorker)
    }
  })
}
