export declare const JOBS_DIR: string
export declare const BUILD_DIR: string
export declare const EXAMPLES: string[]
/** Builds the examples that are missing or stale; returns their bytes by name. */
export declare function buildJobs (opts?: { force?: boolean, log?: (line: string) => void }): Promise<Record<string, Uint8Array>>
