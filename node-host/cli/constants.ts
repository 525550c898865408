/** Defaults shared by the CLI commands. */
export const DEFAULT_HTTP = '127.0.0.1:8080'
/** Data directory of `hypermesh up` when --data is not given (relative to the working directory). */
export const DEFAULT_DATA_DIR = '.hypermesh'
export const PROGRAM = 'hypermesh'
