/**
 * Jobs for the mesh: a WASM module (any language that compiles to WASM) or
 * JavaScript run inside QuickJS-in-WASM, with input bytes and limits that
 * are enforced (fuel and memory by rewriting the module; wall time by a
 * worker runner or the QuickJS interrupt handler), content-addressed by
 * SHA-256 of the canonical encoding; plus the pure quorum logic
 * (k workers, accepted when q digests agree, disagreeing workers recorded).
 * No host imports here: runs in Node and browsers. Node's worker runner is
 * `./node-runner.ts` (node-only).
 *
 * @example
 * ```ts
 * import { createJob, jobId, runJobOutcome, outcomeDigest, JobTracker, selectWorkers } from './ts/vm/index.ts'
 * const job = createJob(wasmBytes, input, { memoryBytes: 16 << 20, fuel: 10n ** 10n, wallMs: 10_000, outputBytes: 1 << 20 })
 * const id = jobId(job)
 * const tracker = new JobTracker({ jobId: id, k: 3, q: 2 })
 * tracker.assign(selectWorkers(id, candidates, 3))
 * const o = await runJobOutcome(job) // on each worker
 * tracker.report(worker, outcomeDigest(o)) // 'accepted' once two agree
 * ```
 * @module
 */
export * from './errors.ts'
export * from './constants.ts'
export * from './job.ts'
export { meterModule, REQUIRED_EXPORTS } from './meter.ts'
export type { MeterOptions, MeteredModule } from './meter.ts'
export { runWasmJob } from './run-wasm.ts'
export type { JobResult } from './run-wasm.ts'
export { runJsJob } from './run-js.ts'
export { runJob, runJobOutcome, outcomeDigest } from './run.ts'
export type { JobOutcome } from './run.ts'
export * from './quorum.ts'
