// The shared kernel suite on every implementation in ts/: the WASM scalar
// build, the WASM SIMD build, and the TypeScript reference itself.
import { kernelSuite } from './kernel.case.ts'
import { instantiateKernelModule } from '../../ts/wasm/loader.ts'
import { createWasmKernel } from '../../ts/wasm/wasm-kernel.ts'
import { referenceKernel } from '../../ts/wasm/reference.ts'

kernelSuite('wasm scalar', () => createWasmKernel(instantiateKernelModule('scalar')))
kernelSuite('wasm simd', () => createWasmKernel(instantiateKernelModule('simd')))
kernelSuite('ts reference', () => referenceKernel)
