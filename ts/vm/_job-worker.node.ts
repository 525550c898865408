/**
 * Worker-thread entry for node-runner.ts (node-only): receives one encoded
 * job, runs it, posts the outcome. The parent terminates this thread at the
 * job's wall-time limit.
 */
import { parentPort } from 'node:worker_threads'
import { decodeJob } from './job.ts'
import { runJobOutcome } from './run.ts'

parentPort?.once('message', (bytes: Uint8Array) => {
  void (async () => {
    try {
      const o = await runJobOutcome(decodeJob(bytes))
      if (o.ok) parentPort?.postMessage({ ok: true, output: o.output, fuelUsed: o.fuelUsed.toString() }, [o.output.buffer as ArrayBuffer])
      else parentPort?.postMessage({ ok: false, error: o.error, message: o.message })
    } catch (err) {
      parentPort?.postMessage({ ok: false, error: (err as Error)?.name ?? 'Error', message: (err as Error)?.message ?? String(err) })
    }
  })()
})
