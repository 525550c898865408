/**
 * Typed errors of the transport, matched by `err.name`. Shared ones
 * (DecodeError, InvalidArgumentError, AbortError) come from ts/errors.ts.
 */

/** A framed message is larger than the limit of the side that refused it. */
export class MessageTooLargeError extends Error {
  static override readonly name = 'MessageTooLargeError'
  override readonly name = 'MessageTooLargeError'
  constructor (message: string, options?: ErrorOptions) { super(message, options) }
}

/** A network operation ran past its deadline. */
export class TimeoutError extends Error {
  static override readonly name = 'TimeoutError'
  override readonly name = 'TimeoutError'
  constructor (message: string, options?: ErrorOptions) { super(message, options) }
}

/** The peer has not presented a verified identity binding (yet), or was dropped. */
export class PeerNotAdmittedError extends Error {
  static override readonly name = 'PeerNotAdmittedError'
  override readonly name = 'PeerNotAdmittedError'
  constructor (message: string, options?: ErrorOptions) { super(message, options) }
}

/** The remote end reset the stream or closed it without an answer (it refused the request or failed). */
export class RemoteRefusedError extends Error {
  static override readonly name = 'RemoteRefusedError'
  override readonly name = 'RemoteRefusedError'
  constructor (message: string, options?: ErrorOptions) { super(message, options) }
}

/** An operation needs a started node. */
export class NotStartedError extends Error {
  static override readonly name = 'NotStartedError'
  override readonly name = 'NotStartedError'
  constructor (message = 'stoq is not started', options?: ErrorOptions) { super(message, options) }
}
