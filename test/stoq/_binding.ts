/** Binding authorities over the deterministic FALCON test keys (no keygen in tests). */
import { testKeyPair } from '../fixtures/keys.ts'
import { identityBindingAuthority } from '../../ts/stoq/index.ts'
import type { BindingAuthority } from '../../ts/stoq/index.ts'

export function benchBindingAuthority (i: number): BindingAuthority {
  return identityBindingAuthority({ keyPair: testKeyPair(i) })
}
