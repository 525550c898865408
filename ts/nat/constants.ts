/** Operations a translation (and a capability) may allow. */
export const MEM_OPS = Object.freeze({ read: 1, write: 2, cas: 4, fadd: 8 } as const)
/** Every MEM_OPS bit. */
export const ALL_MEM_OPS = 15
