// Worker thread of the kernel pool (parallel.ts): loads the kernel the main
// thread selected (by name; the native addon is loaded per thread) and runs
// tasks one at a time. Long chain segments are computed in slices with a
// progress message after each.
import { parentPort, workerData } from 'node:worker_threads'
import type { KernelName } from '../../ts/wasm/kernel.ts'
import { loadKernelByName } from './select.ts'

export type PoolTask =
  | { id: number, op: 'pow', prefix: Uint8Array, bits: number, start: number, count: number }
  | { id: number, op: 'segment', start: Uint8Array, steps: number, slice: number }

export type PoolReply =
  | { type: 'ready', kernel: string }
  | { type: 'fail', error: string }
  | { type: 'progress', id: number, done: number }
  | { type: 'done', id: number, nonce?: number, value?: Uint8Array }
  | { type: 'error', id: number, name: string, message: string }

const port = parentPort
if (port === null) throw new Error('_pool-worker.ts must run in a worker thread')
const data = workerData as { kernel: KernelName, nativePortable?: boolean }

try {
  const kernel = loadKernelByName(data.kernel, data.nativePortable !== undefined ? { nativePortable: data.nativePortable } : {})
  port.on('message', (task: PoolTask) => {
    try {
      if (task.op === 'pow') {
        port.postMessage({ type: 'done', id: task.id, nonce: kernel.powSearch(task.prefix, task.bits, task.start, task.count) } satisfies PoolReply)
      } else {
        let x = task.start
        let done = 0
        while (done < task.steps) {
          const n = Math.min(task.slice, task.steps - done)
          x = kernel.vdfSegment(x, n)
          done += n
          if (done < task.steps) port.postMessage({ type: 'progress', id: task.id, done: n } satisfies PoolReply)
        }
        if (task.steps === 0) x = Uint8Array.from(x)
        port.postMessage({ type: 'done', id: task.id, value: x } satisfies PoolReply)
      }
    } catch (err) {
      port.postMessage({ type: 'error', id: task.id, name: (err as Error).name, message: (err as Error).message } satisfies PoolReply)
    }
  })
  port.postMessage({ type: 'ready', kernel: kernel.name } satisfies PoolReply)
} catch (err) {
  port.postMessage({ type: 'fail', error: `${(err as Error).name}: ${(err as Error).message}` } satisfies PoolReply)
}
