/* HyperMesh native kernel: SHA-256 (FIPS 180-4) and the proof kernels built
 * on it. Every function takes `impl`, a set of flags: HM_SHANI (x86 SHA
 * extensions for every compression) and HM_AVX512 (16-lane AVX-512 PoW
 * search); 0 is the portable C path. Callers set a flag only when hm_cpu
 * says it is usable. */
#ifndef HM_H
#define HM_H

#include <stddef.h>
#include <stdint.h>

#define HM_PORTABLE 0
#define HM_SHANI 1
#define HM_AVX512 2

typedef struct {
  int x86;        /* compiled for x86/x86-64 */
  int sse41;      /* CPUID.1:ECX.SSE4_1 */
  int ssse3;      /* CPUID.1:ECX.SSSE3 */
  int sha;        /* CPUID.7.0:EBX.SHA */
  int avx2;       /* CPUID.7.0:EBX.AVX2 and the OS saves YMM state (XCR0) */
  int avx512f;    /* CPUID.7.0:EBX.AVX512F and the OS saves ZMM/opmask state */
  int shani;      /* the SHA-NI path can run: sha && sse41 && ssse3 */
} hm_cpu;

void hm_cpu_detect(hm_cpu *c);

extern const uint32_t HM_K[64];
extern const uint32_t HM_IV[8];

/* Compresses n 64-byte blocks into st. */
void hm_compress(int impl, uint32_t st[8], const uint8_t *blocks, size_t n);
/* SHA-256 of data[0..len). */
void hm_sha256(int impl, const uint8_t *data, size_t len, uint8_t out[32]);
/* x <- H^steps(x), in place. */
void hm_chain(int impl, uint8_t x[32], uint64_t steps);
/* First nonce n in [start, start + count) with H(prefix || u64be(n)) having >= bits leading zero bits, or -1. */
int64_t hm_pow(int impl, const uint8_t *prefix, size_t len, int bits, uint64_t start, uint64_t count);
/* n proof-of-space labels into out (n * 32 bytes). */
void hm_plot(int impl, const uint8_t seed[32], uint64_t n, uint8_t *out);
/* Fills the levels above the n leaves already at tree[0..n*32). */
void hm_merkle_tree(int impl, uint8_t *tree, uint64_t n);
/* Root from leaf, index and path of `height` siblings; 1 when it equals root. */
int hm_merkle_verify(int impl, const uint8_t leaf[32], uint64_t index, const uint8_t *path, size_t height, const uint8_t root[32]);

#endif
