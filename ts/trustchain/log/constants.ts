/** Limits and identifiers of the transparency log formats. @module */

/** Largest signed note (bytes) accepted: 16+ FALCON-1024 signatures fit with room. */
export const MAX_NOTE_BYTES = 256 * 1024
/** Most signature lines accepted in one note (C2SP signed-note requires ≥ 16). */
export const MAX_NOTE_SIGNATURES = 100
/** Largest decoded signature (key ID + signature bytes) on one line. */
export const MAX_NOTE_SIGNATURE_BYTES = 8 * 1024
/** Longest key name / origin (bytes). */
export const MAX_NAME_BYTES = 255
/** Most checkpoint extension lines. */
export const MAX_CHECKPOINT_EXTENSIONS = 16

/** C2SP signed-note signature type: Ed25519. */
export const SIG_TYPE_ED25519 = 0x01
/** C2SP tlog-cosignature: timestamped Ed25519 cosignature (cosignature/v1). */
export const SIG_TYPE_COSIGNATURE_V1 = 0x04
/** C2SP signed-note "other" signature type byte, followed by our identifier. */
export const SIG_TYPE_OTHER = 0xff
/** Identifier after 0xff naming our FALCON-1024 note signature. */
export const FALCON_NOTE_ALG_NAME = 'hypermesh/falcon-1024/v1'
/** Domain prefix (same shape as ts/identity domains) under which note text is FALCON-signed. */
export const FALCON_NOTE_DOMAIN = 'hypermesh/log/note/v1'

/** Hash tile height (C2SP tlog-tiles): 2^8 = 256 hashes per full tile. */
export const TILE_HEIGHT = 8
export const TILE_WIDTH = 256
/** Longest entry an entry bundle can hold (uint16 length prefix). */
export const MAX_ENTRY_BYTES = 0xffff
