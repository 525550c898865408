/**
 * Serving the mem protocol: every stream opens with a capability, checked
 * once (signature by this node, holder = the stream's authenticated peer,
 * expiry); each later request is checked against the token's range and ops
 * and the region's bounds. Refusals are answers (with a code and a reason),
 * never crashes; nothing is written by a refused request.
 */
import type { FramedContext, FramedHandler } from '../../ts/stoq/index.ts'
import { CapabilityError, checkCapability, MEM_OPS, type CapabilityBodyValue } from '../../ts/nat/index.ts'
import { nodeIdFromHex } from '../../ts/identity/index.ts'
import { MEM_ERRORS, MemError, MemRequest, encodeResponse, type MemRequestValue } from './protocol.ts'
import { RegionStore } from './regions.ts'

export interface MemServerInit {
  regions: RegionStore
  /** This node's FALCON public key (the owner of the regions it serves). */
  publicKey: Uint8Array
  now?: () => number
  /** Counts served operations and refusals (metrics). */
  onOp?: (op: string, bytes: number, error?: number) => void
}

const err = (code: number, message: string): Uint8Array => encodeResponse({ type: 'error', value: { code, message } })

export function createMemHandler (init: MemServerInit): FramedHandler {
  const sessions = new WeakMap<FramedContext, CapabilityBodyValue>()
  const now = init.now ?? Date.now
  return (bytes, ctx) => {
    let req: MemRequestValue
    try { req = MemRequest.decode(bytes) } catch (e) {
      init.onOp?.('malformed', 0, MEM_ERRORS.malformed)
      return err(MEM_ERRORS.malformed, `malformed request: ${(e as Error).message}`)
    }
    try {
      if (req.type === 'open') {
        const cap = checkCapability(req.value.capability, init.publicKey, nodeIdFromHex(ctx.nodeId), now())
        const r = init.regions.get(cap.asset)
        if (r === undefined) throw new MemError(MEM_ERRORS.noRegion, 'no region for this asset on this node (freed?)')
        sessions.set(ctx, cap)
        init.onOp?.('open', 0)
        return encodeResponse({ type: 'ok', value: { asset: cap.asset, size: BigInt(r.bytes.length) } })
      }
      const cap = sessions.get(ctx)
      if (cap === undefined) throw new MemError(MEM_ERRORS.notOpen, 'open the session with a capability first')
      if (BigInt(now()) >= cap.expires) { sessions.delete(ctx); throw new MemError(MEM_ERRORS.capability, 'capability expired') }
      const r = init.regions.get(cap.asset)
      if (r === undefined) throw new MemError(MEM_ERRORS.noRegion, 'the region was freed')
      const within = (offset: bigint, length: number): void => {
        if (offset < cap.offset || offset + BigInt(length) > cap.offset + cap.length) {
          throw new MemError(MEM_ERRORS.permission, `bytes [${offset}, ${offset + BigInt(length)}) are outside the capability's range [${cap.offset}, ${cap.offset + cap.length})`)
        }
      }
      const allow = (bit: number, name: string): void => { if ((cap.ops & bit) === 0) throw new MemError(MEM_ERRORS.permission, `the capability does not allow ${name}`) }
      switch (req.type) {
        case 'read': {
          allow(MEM_OPS.read, 'read')
          const data = RegionStore.read(r, req.value.offset, req.value.length)
          within(req.value.offset, req.value.length)
          init.onOp?.('read', data.length)
          return encodeResponse({ type: 'data', value: { data } })
        }
        case 'write': {
          allow(MEM_OPS.write, 'write')
          RegionStore.checkRange(r, req.value.offset, req.value.data.length)
          within(req.value.offset, req.value.data.length)
          RegionStore.write(r, req.value.offset, req.value.data)
          init.onOp?.('write', req.value.data.length)
          return encodeResponse({ type: 'written', value: { length: req.value.data.length } })
        }
        case 'cas': {
          allow(MEM_OPS.cas, 'compare-and-swap')
          RegionStore.word(r, req.value.offset)
          within(req.value.offset, 8)
          const v = RegionStore.cas(r, req.value.offset, req.value.expected, req.value.desired)
          init.onOp?.('cas', 8)
          return encodeResponse({ type: 'word', value: v })
        }
        case 'fadd': {
          allow(MEM_OPS.fadd, 'fetch-add')
          RegionStore.word(r, req.value.offset)
          within(req.value.offset, 8)
          const value = RegionStore.fadd(r, req.value.offset, req.value.delta)
          init.onOp?.('fadd', 8)
          return encodeResponse({ type: 'word', value: { value, swapped: true } })
        }
      }
    } catch (e) {
      if (e instanceof MemError) { init.onOp?.(req.type, 0, e.code); return err(e.code, e.message) }
      if (e instanceof CapabilityError) { init.onOp?.(req.type, 0, MEM_ERRORS.capability); return err(MEM_ERRORS.capability, e.message) }
      throw e
    }
    return err(MEM_ERRORS.malformed, 'unknown request')
  }
}
