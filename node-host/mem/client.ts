/**
 * Remote memory client: one pipelined stream per (peer, capability). Large
 * reads and writes are split into chunks sized by the link's tier and kept
 * in flight together; a read lands each chunk straight into the caller's
 * buffer.
 */
import type { Stoq, FramedPipeline } from '../../ts/stoq/index.ts'
import { protocolId } from '../../ts/stoq/index.ts'
import { MAX_MEM_CHUNK, MemError, MemResponse, encodeRequest, type MemRequestValue, type MemResponseValue } from './protocol.ts'

export const MEM_PROTOCOL = protocolId('mem', 1)
/** Chunk size and parallelism when the link has not been probed. */
const DEFAULT_CHUNK = 256 * 1024
const DEFAULT_WINDOW = 8

export interface MemSessionInfo { asset: Uint8Array, size: number }

export class MemSession {
  readonly pipe: FramedPipeline
  readonly info: MemSessionInfo
  readonly chunk: number
  readonly window: number

  private constructor (pipe: FramedPipeline, info: MemSessionInfo, chunk: number, window: number) {
    this.pipe = pipe; this.info = info; this.chunk = chunk; this.window = window
  }

  /** Opens a session on `peerId` with the owner-signed `capability`. Throws MemError when refused. */
  static async open (stoq: Stoq, peerId: string, capability: Uint8Array, opts: { chunkBytes?: number, window?: number } = {}): Promise<MemSession> {
    // The link's tier (from the probe stoq ran on connect) sets the chunk size and how many chunks stay in flight.
    const tier = stoq.peers().find((p) => p.peerId === peerId)?.probe?.tier
    const chunk = Math.min(MAX_MEM_CHUNK, opts.chunkBytes ?? tier?.chunkBytes ?? DEFAULT_CHUNK)
    const window = opts.window ?? (tier !== undefined ? Math.max(2, Math.ceil(tier.windowBytes / chunk) * tier.parallelStreams) : DEFAULT_WINDOW)
    const pipe = await stoq.openFramedPipeline(peerId, MEM_PROTOCOL, { maxMessageBytes: MAX_MEM_CHUNK + 64 })
    const r = await call(pipe, { type: 'open', value: { capability } })
    if (r.type !== 'ok') { await pipe.close(); throw unexpected(r) }
    return new MemSession(pipe, { asset: r.value.asset, size: Number(r.value.size) }, chunk, Math.min(64, window))
  }

  /** Reads `length` bytes at `offset` (chunked, pipelined) into a new buffer. */
  async read (offset: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length)
    await this.chunked(offset, length, async (o, n) => {
      const r = await call(this.pipe, { type: 'read', value: { offset: BigInt(o), length: n } })
      if (r.type !== 'data' || r.value.data.length !== n) throw unexpected(r)
      out.set(r.value.data, o - offset)
    })
    return out
  }

  /** Writes `data` at `offset` (chunked, pipelined). */
  async write (offset: number, data: Uint8Array): Promise<void> {
    await this.chunked(offset, data.length, async (o, n) => {
      const r = await call(this.pipe, { type: 'write', value: { offset: BigInt(o), data: data.subarray(o - offset, o - offset + n) } })
      if (r.type !== 'written' || r.value.length !== n) throw unexpected(r)
    })
  }

  async cas (offset: number, expected: bigint, desired: bigint): Promise<{ value: bigint, swapped: boolean }> {
    const r = await call(this.pipe, { type: 'cas', value: { offset: BigInt(offset), expected, desired } })
    if (r.type !== 'word') throw unexpected(r)
    return r.value
  }

  /** Adds `delta` to the word at `offset`; returns the previous value. */
  async fetchAdd (offset: number, delta: bigint): Promise<bigint> {
    const r = await call(this.pipe, { type: 'fadd', value: { offset: BigInt(offset), delta } })
    if (r.type !== 'word') throw unexpected(r)
    return r.value.value
  }

  async close (): Promise<void> { await this.pipe.close() }

  private async chunked (offset: number, length: number, each: (o: number, n: number) => Promise<void>): Promise<void> {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) throw new RangeError('offset and length must be non-negative integers')
    const jobs: Array<[number, number]> = []
    for (let o = offset; o < offset + length; o += this.chunk) jobs.push([o, Math.min(this.chunk, offset + length - o)])
    let next = 0
    const worker = async (): Promise<void> => { while (next < jobs.length) { const [o, n] = jobs[next++]; await each(o, n) } }
    await Promise.all(Array.from({ length: Math.min(this.window, jobs.length) }, worker))
  }
}

async function call (pipe: FramedPipeline, req: MemRequestValue): Promise<MemResponseValue> {
  return MemResponse.decode(await pipe.request(encodeRequest(req)))
}

function unexpected (r: MemResponseValue): MemError {
  if (r.type === 'error') return new MemError(r.value.code, r.value.message)
  return new MemError(0, `unexpected answer ${r.type}`)
}
