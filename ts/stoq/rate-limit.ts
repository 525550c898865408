import { InvalidArgumentError } from '../errors.ts'
import type { AbusePolicy, RateLimit } from './constants.ts'

/** A token bucket: `capacity` tokens, refilled at `ratePerSecond`. Tokens may go negative (debt) when forced. */
export class TokenBucket {
  readonly capacity: number
  readonly ratePerSecond: number
  private tokens: number
  private last: number

  constructor (capacity: number, ratePerSecond: number, now: number) {
    if (!(capacity > 0) || !(ratePerSecond > 0)) throw new InvalidArgumentError(`token bucket needs capacity > 0 and rate > 0, got ${capacity}, ${ratePerSecond}`)
    this.capacity = capacity
    this.ratePerSecond = ratePerSecond
    this.tokens = capacity
    this.last = now
  }

  private refill (now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond)
      this.last = now
    }
  }

  /** Milliseconds until `n` tokens are available (0 if they are now). */
  waitFor (n: number, now: number): number {
    this.refill(now)
    return this.tokens >= n ? 0 : ((n - this.tokens) / this.ratePerSecond) * 1000
  }

  /** Takes `n` tokens if present; returns whether it did. */
  take (n: number, now: number): boolean {
    this.refill(now)
    if (this.tokens < n) return false
    this.tokens -= n
    return true
  }

  /** Takes `n` tokens even into debt. */
  force (n: number, now: number): void {
    this.refill(now)
    this.tokens -= n
  }

  available (now: number): number {
    this.refill(now)
    return this.tokens
  }
}

export type RateDecision =
  | { action: 'allow' }
  | { action: 'throttle', waitMs: number }
  | { action: 'disconnect' }

class Limits {
  readonly messages: TokenBucket
  readonly bytes: TokenBucket
  constructor (l: RateLimit, now: number) {
    this.messages = new TokenBucket(l.burstMessages, l.messagesPerSecond, now)
    this.bytes = new TokenBucket(l.burstBytes, l.bytesPerSecond, now)
  }

  waitFor (bytes: number, now: number): number {
    return Math.max(this.messages.waitFor(1, now), this.bytes.waitFor(bytes, now))
  }

  force (bytes: number, now: number): void {
    this.messages.force(1, now)
    this.bytes.force(bytes, now)
  }
}

interface PeerLimits { all: Limits, protocols: Map<string, Limits>, strikes: TokenBucket }

export interface RateLimiterInit {
  peer: RateLimit
  protocol: RateLimit
  abuse: AbusePolicy
  /** Clock in ms (default `performance.now`). */
  now?: () => number
}

export function checkRateLimit (l: RateLimit, what: string): void {
  for (const k of ['messagesPerSecond', 'burstMessages', 'bytesPerSecond', 'burstBytes'] as const) {
    if (typeof l[k] !== 'number' || !(l[k] > 0)) throw new InvalidArgumentError(`${what}.${k} must be > 0, got ${String(l[k])}`)
  }
}

/**
 * Per-peer and per-(peer, protocol) token buckets plus an abuse budget: every
 * message over a limit is a strike; strikes are forgiven at a steady rate, so
 * a burst is only throttled while sustained flooding runs the budget out and
 * earns a disconnect.
 */
export class RateLimiter {
  private readonly peers = new Map<string, PeerLimits>()
  private readonly protocolLimits = new Map<string, RateLimit>()
  private readonly init: RateLimiterInit
  private readonly now: () => number

  constructor (init: RateLimiterInit) {
    checkRateLimit(init.peer, 'peer rate limit')
    checkRateLimit(init.protocol, 'protocol rate limit')
    if (!(init.abuse.maxStrikes >= 1) || !(init.abuse.strikesForgivenPerSecond > 0)) throw new InvalidArgumentError('abuse policy needs maxStrikes >= 1 and strikesForgivenPerSecond > 0')
    this.init = init
    this.now = init.now ?? (() => performance.now())
  }

  /** Sets the limit of one protocol (or gossip topic key) for every peer. */
  setProtocolLimit (protocol: string, limit: RateLimit): void {
    checkRateLimit(limit, `rate limit of ${protocol}`)
    this.protocolLimits.set(protocol, limit)
    for (const p of this.peers.values()) p.protocols.delete(protocol)
  }

  private peerLimits (peer: string, now: number): PeerLimits {
    let p = this.peers.get(peer)
    if (p === undefined) {
      p = { all: new Limits(this.init.peer, now), protocols: new Map(), strikes: new TokenBucket(this.init.abuse.maxStrikes, this.init.abuse.strikesForgivenPerSecond, now) }
      this.peers.set(peer, p)
    }
    return p
  }

  /**
   * Accounts one message of `bytes` from `peer` on `protocol`. `allow`: go on.
   * `throttle`: the message is over the limit (it is charged anyway, so a
   * stream reader that waits `waitMs` before reading on stays at the limit;
   * a datagram-like message should be dropped). `disconnect`: the abuse
   * budget is spent.
   */
  check (peer: string, protocol: string, bytes: number): RateDecision {
    const now = this.now()
    const p = this.peerLimits(peer, now)
    let proto = p.protocols.get(protocol)
    if (proto === undefined) {
      proto = new Limits(this.protocolLimits.get(protocol) ?? this.init.protocol, now)
      p.protocols.set(protocol, proto)
    }
    const wait = Math.max(p.all.waitFor(bytes, now), proto.waitFor(bytes, now))
    p.all.force(bytes, now)
    proto.force(bytes, now)
    if (wait === 0) return { action: 'allow' }
    if (!p.strikes.take(1, now)) return { action: 'disconnect' }
    return { action: 'throttle', waitMs: wait }
  }

  /** Forgets a peer's state (after it disconnects). */
  forget (peer: string): void {
    this.peers.delete(peer)
  }

  get trackedPeers (): number {
    return this.peers.size
  }
}
