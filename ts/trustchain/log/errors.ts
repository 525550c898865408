/**
 * Typed errors of the transparency log. Match them by `err.name`.
 * Malformed bytes and text throw `DecodeError` (ts/errors.ts); bad API
 * arguments throw `InvalidArgumentError`; a proof that does not verify gives
 * `false`. The errors below are the log's own outcomes.
 * @module
 */

/** A signed note whose signatures do not verify: none by a known key, or a known key's signature is bad. */
export class NoteVerificationError extends Error {
  static override readonly name = 'NoteVerificationError'
  override readonly name = 'NoteVerificationError'
  constructor (message: string, options?: ErrorOptions) { super(message, options) }
}

/** The log's storage refused or lost an append; the entries of that batch got no index. */
export class LogStorageError extends Error {
  static override readonly name = 'LogStorageError'
  override readonly name = 'LogStorageError'
  constructor (message: string, options?: ErrorOptions) { super(message, options) }
}
