/** Worker side of node-host/proofs/worker.ts: runs one job from workerData. */
import { parentPort, workerData } from 'node:worker_threads'
import type { ProofJob, WorkerMessage } from './worker.ts'
import { proofsKernel } from './kernel.ts'
import { proveWork } from '../../ts/proofs/work.ts'
import { computeChain } from '../../ts/proofs/time.ts'
import { createFilePlot, openFilePlot } from './plot-file-store.ts'
import { parallelNonceSearch } from './parallel-work.ts'
import type { ProofProgress } from '../../ts/proofs/types.ts'

const port = parentPort
if (port === null) throw new Error('_worker-entry.ts must run in a worker thread')
const ac = new AbortController()
port.on('message', (m: { type: string }) => { if (m.type === 'abort') ac.abort() })
const send = (m: WorkerMessage): void => port.postMessage(m)
let lastProgress = 0
const onProgress = (progress: ProofProgress): void => {
  const now = performance.now()
  if (now - lastProgress < 50 && progress.done < progress.total) return
  lastProgress = now
  send({ type: 'progress', progress })
}

async function run (job: ProofJob): Promise<unknown> {
  const kernel = await proofsKernel()
  kernelName = kernel.name
  const signal = ac.signal
  switch (job.type) {
    case 'work': return await proveWork(kernel, job.opHash, job.kind, job.bits, { signal, onProgress })
    case 'time': return await computeChain(kernel, job.seed, job.steps, job.checkpoints, { signal, onProgress })
    case 'plot': {
      const store = await createFilePlot(job.path, kernel, job.nodeId, job.plotIndex, job.log2Size, { signal })
      const info = store.info
      await store.close()
      return info
    }
    case 'create': {
      const { createConsensusProof } = await import('../../ts/proofs/bundle.ts')
      const { encodeConsensusProof } = await import('../../ts/proofs/encoding.ts')
      const plot = await openFilePlot(job.plotPath)
      try {
        const nowMicros = job.nowMicros
        const searchWork = job.parallelWork === true ? await parallelNonceSearch() : undefined
        const proof = await createConsensusProof(job.op, {
          latest: job.latest, identity: job.identity, plot, position: job.position, sequence: job.sequence,
          ...(nowMicros !== undefined ? { nowMicros: () => nowMicros } : {})
        }, { kernel, preset: job.preset, signal, onProgress, ...(searchWork !== undefined ? { searchWork } : {}) })
        return encodeConsensusProof(proof)
      } finally {
        await plot.close()
      }
    }
  }
}

let kernelName = 'unknown'
run(workerData as ProofJob).then(
  (value) => send({ type: 'result', value, kernel: kernelName }),
  (err: unknown) => send({ type: 'error', name: (err as Error)?.name ?? 'Error', message: (err as Error)?.message ?? String(err) })
)
