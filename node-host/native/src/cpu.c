/* CPU feature detection with CPUID, and XGETBV for the register state the OS
 * saves (AVX2 and AVX-512 need it; SHA-NI uses only XMM registers). */
#include <string.h>
#include "hm.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static uint64_t xgetbv0(void) {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t)hi << 32 | lo;
}

void hm_cpu_detect(hm_cpu *c) {
  unsigned a = 0, b = 0, cx = 0, d = 0, max = 0;
  memset(c, 0, sizeof *c);
  c->x86 = 1;
  max = __get_cpuid_max(0, NULL);
  if (max < 1) return;
  __get_cpuid(1, &a, &b, &cx, &d);
  c->ssse3 = (cx >> 9) & 1;
  c->sse41 = (cx >> 19) & 1;
  int osxsave = (cx >> 27) & 1;
  uint64_t xcr0 = osxsave ? xgetbv0() : 0;
  int ymm_os = (xcr0 & 0x6) == 0x6;        /* XMM | YMM */
  int zmm_os = (xcr0 & 0xe6) == 0xe6;      /* XMM | YMM | opmask | ZMM_Hi256 | Hi16_ZMM */
  if (max >= 7) {
    __cpuid_count(7, 0, a, b, cx, d);
    c->sha = (b >> 29) & 1;
    c->avx2 = ((b >> 5) & 1) && ymm_os;
    c->avx512f = ((b >> 16) & 1) && zmm_os;
  }
  c->shani = c->sha && c->sse41 && c->ssse3;
}
#else
void hm_cpu_detect(hm_cpu *c) { memset(c, 0, sizeof *c); }
#endif
