/* SHA-256 and the proof kernels: a portable C path and an x86 SHA-NI path.
 * The SHA-NI functions carry target attributes, so the file compiles without
 * global -msha and the path is chosen at run time (hm_cpu_detect). */
#include <string.h>
#include "hm.h"

#if defined(__x86_64__) || defined(__i386__)
#define HM_X86 1
#include <immintrin.h>
#endif

const uint32_t HM_K[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

const uint32_t HM_IV[8] = {
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
};

static inline uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}
static inline void put_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline void put_be64(uint8_t *p, uint64_t v) {
  put_be32(p, (uint32_t)(v >> 32)); put_be32(p + 4, (uint32_t)v);
}
static void state_bytes(const uint32_t st[8], uint8_t out[32]) {
  for (int i = 0; i < 8; i++) put_be32(out + 4 * i, st[i]);
}

/* Leading-zero test of a digest given as 8 words: at least `bits` zero bits. */
static int enough_zeros(const uint32_t d[8], int bits) {
  for (int i = 0; i < 8 && bits > 0; i++) {
    if (bits >= 32) { if (d[i] != 0) return 0; bits -= 32; continue; }
    return (d[i] >> (32 - bits)) == 0;
  }
  return 1;
}

/* ------------------------------------------------------------------ portable */

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define S0(x) (ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define S1(x) (ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define s0(x) (ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define s1(x) (ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))

static inline void expand(uint32_t W[64]) {
  for (int t = 16; t < 64; t++) W[t] = W[t - 16] + s0(W[t - 15]) + W[t - 7] + s1(W[t - 2]);
}

/* Rounds r0..63 on working variables v (a..h) with the expanded schedule W. */
static inline void rounds_from(uint32_t v[8], const uint32_t W[64], int r0) {
  uint32_t a = v[0], b = v[1], c = v[2], d = v[3], e = v[4], f = v[5], g = v[6], h = v[7];
  for (int t = r0; t < 64; t++) {
    uint32_t t1 = h + S1(e) + ((e & f) ^ (~e & g)) + HM_K[t] + W[t];
    uint32_t t2 = S0(a) + ((a & b) ^ (a & c) ^ (b & c));
    h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  v[0] = a; v[1] = b; v[2] = c; v[3] = d; v[4] = e; v[5] = f; v[6] = g; v[7] = h;
}

/* Rounds 0..r1-1 only (the part of a block that does not depend on later words). */
static inline void rounds_to(uint32_t v[8], const uint32_t W[64], int r1) {
  uint32_t a = v[0], b = v[1], c = v[2], d = v[3], e = v[4], f = v[5], g = v[6], h = v[7];
  for (int t = 0; t < r1; t++) {
    uint32_t t1 = h + S1(e) + ((e & f) ^ (~e & g)) + HM_K[t] + W[t];
    uint32_t t2 = S0(a) + ((a & b) ^ (a & c) ^ (b & c));
    h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  v[0] = a; v[1] = b; v[2] = c; v[3] = d; v[4] = e; v[5] = f; v[6] = g; v[7] = h;
}

static void c_compress_words(uint32_t st[8], uint32_t W[64]) {
  uint32_t v[8];
  expand(W);
  memcpy(v, st, sizeof v);
  rounds_from(v, W, 0);
  for (int i = 0; i < 8; i++) st[i] += v[i];
}

static void c_compress(uint32_t st[8], const uint8_t *p, size_t n) {
  uint32_t W[64];
  for (; n > 0; n--, p += 64) {
    for (int t = 0; t < 16; t++) W[t] = be32(p + 4 * t);
    c_compress_words(st, W);
  }
}

static void c_chain(uint8_t x[32], uint64_t steps) {
  uint32_t w[8], W[64], st[8];
  for (int i = 0; i < 8; i++) w[i] = be32(x + 4 * i);
  for (uint64_t s = 0; s < steps; s++) {
    memcpy(W, w, 32);
    W[8] = 0x80000000u; W[9] = W[10] = W[11] = W[12] = W[13] = W[14] = 0; W[15] = 256;
    memcpy(st, HM_IV, 32);
    c_compress_words(st, W);
    memcpy(w, st, 32);
  }
  state_bytes(w, x);
}

/* PoW over one last block whose nonce starts at byte `no`: `mid` is the state
 * before the block, rounds 0..r0-1 (before the first nonce word) precomputed. */
static int64_t c_pow_block(const uint32_t mid[8], const uint8_t blk[64], size_t no, int bits, uint64_t start, uint64_t count) {
  uint8_t b[64];
  uint32_t W[64], pre[8], v[8], d[8];
  int r0 = (int)(no / 4);
  memcpy(b, blk, 64);
  for (int t = 0; t < 16; t++) W[t] = be32(b + 4 * t);
  memcpy(pre, mid, 32);
  rounds_to(pre, W, r0);
  for (uint64_t i = 0; i < count; i++) {
    uint64_t n = start + i;
    put_be64(b + no, n);
    for (int t = r0; t < 16 && t <= r0 + 2; t++) W[t] = be32(b + 4 * t);
    expand(W);
    memcpy(v, pre, 32);
    rounds_from(v, W, r0);
    for (int j = 0; j < 8; j++) d[j] = mid[j] + v[j];
    if (enough_zeros(d, bits)) return (int64_t)n;
  }
  return -1;
}

/* ------------------------------------------------------------------ SHA-NI */
#ifdef HM_X86
#define NI __attribute__((target("sha,sse4.1,ssse3")))

#define NI_MASK _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL)
/* Four rounds with message words W (lanes W[t..t+3]) and round constants group KI. */
#define NI_R4(A, C, W, KI) do { \
    __m128i m_ = _mm_add_epi32((W), _mm_loadu_si128((const __m128i *)&HM_K[4 * (KI)])); \
    (C) = _mm_sha256rnds2_epu32((C), (A), m_); \
    (A) = _mm_sha256rnds2_epu32((A), (C), _mm_shuffle_epi32(m_, 0x0E)); \
  } while (0)
/* Next four schedule words from the previous sixteen (a oldest). */
#define NI_NEXT(a, b, c, d) _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32((a), (b)), _mm_alignr_epi8((d), (c), 4)), (d))

/* st (a..h) -> ABEF, CDGH register layout. */
NI static inline void ni_load_state(const uint32_t st[8], __m128i *abef, __m128i *cdgh) {
  __m128i t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&st[0]), 0xB1);
  __m128i s = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&st[4]), 0x1B);
  *abef = _mm_alignr_epi8(t, s, 8);
  *cdgh = _mm_blend_epi16(s, t, 0xF0);
}
/* ABEF, CDGH -> (a,b,c,d), (e,f,g,h) in lanes 0..3. */
NI static inline void ni_words(__m128i abef, __m128i cdgh, __m128i *abcd, __m128i *efgh) {
  __m128i t = _mm_shuffle_epi32(abef, 0x1B);
  __m128i s = _mm_shuffle_epi32(cdgh, 0xB1);
  *abcd = _mm_blend_epi16(t, s, 0xF0);
  *efgh = _mm_alignr_epi8(s, t, 8);
}

/* The 16 message groups of one block from its first four. */
NI static inline void ni_schedule(__m128i w[16]) {
  for (int i = 4; i < 16; i++) w[i] = NI_NEXT(w[i - 4], w[i - 3], w[i - 2], w[i - 1]);
}

/* Round groups g..15 (Duff-style entry so PoW can skip precomputed groups). */
#define NI_CASE(i) case i: NI_R4(A, C, w[i], i); __attribute__((fallthrough));
#define NI_GROUPS_FROM(g) switch (g) { \
    NI_CASE(0) NI_CASE(1) NI_CASE(2) NI_CASE(3) NI_CASE(4) NI_CASE(5) NI_CASE(6) NI_CASE(7) \
    NI_CASE(8) NI_CASE(9) NI_CASE(10) NI_CASE(11) NI_CASE(12) NI_CASE(13) NI_CASE(14) NI_CASE(15) \
    default: break; }

NI static void ni_compress(uint32_t st[8], const uint8_t *p, size_t n) {
  const __m128i mask = NI_MASK;
  __m128i A, C, w[16];
  ni_load_state(st, &A, &C);
  for (; n > 0; n--, p += 64) {
    __m128i A0 = A, C0 = C;
    for (int i = 0; i < 4; i++) w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), mask);
    ni_schedule(w);
    NI_GROUPS_FROM(0)
    A = _mm_add_epi32(A, A0);
    C = _mm_add_epi32(C, C0);
  }
  __m128i lo, hi;
  ni_words(A, C, &lo, &hi);
  _mm_storeu_si128((__m128i *)&st[0], lo);
  _mm_storeu_si128((__m128i *)&st[4], hi);
}

/* x = H(x) specialised: a 32-byte message is one block with constant padding,
 * and the digest words are the next message words (no byte swaps in the loop). */
NI static void ni_chain(uint8_t x[32], uint64_t steps) {
  const __m128i mask = NI_MASK;
  __m128i ivA, ivC, w[16];
  ni_load_state(HM_IV, &ivA, &ivC);
  __m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)x), mask);
  __m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(x + 16)), mask);
  const __m128i pad0 = _mm_set_epi32(0, 0, 0, (int)0x80000000u);
  const __m128i pad1 = _mm_set_epi32(256, 0, 0, 0);
  for (uint64_t s = 0; s < steps; s++) {
    __m128i A = ivA, C = ivC;
    w[0] = m0; w[1] = m1; w[2] = pad0; w[3] = pad1;
    ni_schedule(w);
    NI_GROUPS_FROM(0)
    A = _mm_add_epi32(A, ivA);
    C = _mm_add_epi32(C, ivC);
    ni_words(A, C, &m0, &m1);
  }
  _mm_storeu_si128((__m128i *)x, _mm_shuffle_epi8(m0, mask));
  _mm_storeu_si128((__m128i *)(x + 16), _mm_shuffle_epi8(m1, mask));
}

NI static inline void ni_load_block(const uint8_t *b, __m128i w[16]) {
  const __m128i mask = NI_MASK;
  for (int i = 0; i < 4; i++) w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(b + 16 * i)), mask);
}

/* Tests a finished ABEF/CDGH state (already added to the midstate). */
NI static inline int ni_qualifies(__m128i A, __m128i C, int bits) {
  uint32_t a = (uint32_t)_mm_extract_epi32(A, 3);
  int b32 = bits < 32 ? bits : 32;
  if (b32 > 0 && (a >> (32 - b32)) != 0) return 0;
  if (bits <= 32) return 1;
  uint32_t d[8];
  __m128i lo, hi;
  ni_words(A, C, &lo, &hi);
  _mm_storeu_si128((__m128i *)&d[0], lo);
  _mm_storeu_si128((__m128i *)&d[4], hi);
  return enough_zeros(d, bits);
}

/* pshufb mask that moves the little-endian u64 nonce (lanes 0..7 of a vector)
 * to big-endian bytes at raw offset `o` of a 16-byte group (o may be negative
 * or past 8: only the overlapping bytes land), already word-swapped like NI_MASK. */
static void nonce_mask(int o, uint8_t m[16]) {
  static const uint8_t swap[16] = { 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12 };
  for (int p = 0; p < 16; p++) {
    int k = swap[p] - o;
    m[p] = (k >= 0 && k < 8) ? (uint8_t)(7 - k) : 0x80;
  }
}

#ifndef HM_POW_LANES
#define HM_POW_LANES 2
#endif

/* PoW tail block, HM_POW_LANES nonces interleaved (one round chain is
 * latency bound; independent chains fill the SHA unit). The nonce is placed
 * into the message words in registers (pshufb), the groups before the one
 * holding its first byte are computed once, and only the digest's first
 * word is tested unless more than 32 bits are asked. */
NI static int64_t ni_pow_block(const uint32_t mid[8], const uint8_t blk[64], size_t no, int bits, uint64_t start, uint64_t count) {
  enum { L = HM_POW_LANES };
  __m128i base[16], w[L][16];
  __m128i midA, midC, preA, preC;
  int g = (int)(no / 16);
  int o = (int)(no % 16);
  int spill = o + 8 > 16;
  uint8_t m0[16], m1[16];
  nonce_mask(o, m0);
  nonce_mask(o - 16, m1);
  const __m128i nm0 = _mm_loadu_si128((const __m128i *)m0);
  const __m128i nm1 = _mm_loadu_si128((const __m128i *)m1);
  for (int i = 4; i < 16; i++) base[i] = _mm_setzero_si128();
  ni_load_block(blk, base);          /* nonce bytes are zero in blk; the nonce is in groups 0..3 */
  ni_load_state(mid, &midA, &midC);
  {
    __m128i A = midA, C = midC;
    for (int i = 0; i < g; i++) NI_R4(A, C, base[i], i);
    preA = A; preC = C;
  }
  for (int l = 0; l < L; l++) for (int i = 0; i < 4; i++) w[l][i] = base[i];
  uint64_t i = 0;
  for (; i < count; i += L) {
    uint64_t n = start + i;
    __m128i A[L], C[L];
#pragma GCC unroll 8
    for (int l = 0; l < L; l++) {
      __m128i nv = _mm_cvtsi64_si128((long long)(n + (uint64_t)l));
      w[l][g] = _mm_or_si128(base[g], _mm_shuffle_epi8(nv, nm0));
      if (spill) w[l][g + 1] = _mm_or_si128(base[g + 1], _mm_shuffle_epi8(nv, nm1));
      ni_schedule(w[l]);
      A[l] = preA; C[l] = preC;
    }
#pragma GCC unroll 16
    for (int r = g; r < 16; r++) {
#pragma GCC unroll 8
      for (int l = 0; l < L; l++) NI_R4(A[l], C[l], w[l][r], r);
    }
    for (int l = 0; l < L; l++) {
      /* lanes past the range were computed but are never reported */
      if (i + (uint64_t)l >= count) return -1;
      if (ni_qualifies(_mm_add_epi32(A[l], midA), _mm_add_epi32(C[l], midC), bits)) return (int64_t)(n + (uint64_t)l);
    }
  }
  return -1;
}

/* ------------------------------------------------------------------ AVX-512 */
/* 16 nonces per vector, one 32-bit lane each: the PoW tail block only (the
 * general compression and the chain stay on SHA-NI / C). Rotations and
 * three-input logic are single instructions (vprord, vpternlogd). */
#define X5 __attribute__((target("avx512f")))
#define XROR(x, n) _mm512_ror_epi32((x), (n))
#define XADD(a, b) _mm512_add_epi32((a), (b))

X5 static int64_t x16_pow_block(const uint32_t mid[8], const uint8_t blk[64], size_t no, int bits, uint64_t start, uint64_t count) {
  uint32_t bw[16], pre[8];
  uint32_t W0[64];
  int r0 = (int)(no / 4);
  unsigned sh = (unsigned)(no % 4) * 8;
  for (int t = 0; t < 16; t++) bw[t] = be32(blk + 4 * t); /* nonce bytes are zero in blk */
  memcpy(W0, bw, sizeof bw);
  memcpy(pre, mid, sizeof pre);
  rounds_to(pre, W0, r0);
  const __m512i iota = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  const __m512i shr = _mm512_set1_epi32((int)sh), shl = _mm512_set1_epi32((int)(32 - sh));
  const int b32 = bits < 32 ? bits : 32;
  const __m512i himask = _mm512_set1_epi32((int)(b32 == 0 ? 0u : 0xffffffffu << (32 - b32)));
  const __m512i midA = _mm512_set1_epi32((int)mid[0]);
  for (uint64_t i = 0; i < count; i += 16) {
    uint64_t n = start + i;
    uint32_t lo0 = (uint32_t)n, hi0 = (uint32_t)(n >> 32);
    __m512i lo = XADD(_mm512_set1_epi32((int)lo0), iota);
    __mmask16 carry = _mm512_cmplt_epu32_mask(lo, _mm512_set1_epi32((int)lo0));
    __m512i hi = _mm512_mask_add_epi32(_mm512_set1_epi32((int)hi0), carry, _mm512_set1_epi32((int)hi0), _mm512_set1_epi32(1));
    __m512i W[16];
    for (int t = 0; t < 16; t++) W[t] = _mm512_set1_epi32((int)bw[t]);
    W[r0] = _mm512_or_si512(W[r0], _mm512_srlv_epi32(hi, shr));
    W[r0 + 1] = _mm512_or_si512(W[r0 + 1], _mm512_or_si512(_mm512_sllv_epi32(hi, shl), _mm512_srlv_epi32(lo, shr)));
    if (r0 + 2 < 16) W[r0 + 2] = _mm512_or_si512(W[r0 + 2], _mm512_sllv_epi32(lo, shl));
    __m512i a = _mm512_set1_epi32((int)pre[0]), b = _mm512_set1_epi32((int)pre[1]), c = _mm512_set1_epi32((int)pre[2]), d = _mm512_set1_epi32((int)pre[3]);
    __m512i e = _mm512_set1_epi32((int)pre[4]), f = _mm512_set1_epi32((int)pre[5]), g = _mm512_set1_epi32((int)pre[6]), h = _mm512_set1_epi32((int)pre[7]);
    for (int t = r0; t < 64; t++) {
      __m512i wt;
      if (t < 16) wt = W[t];
      else {
        __m512i w15 = W[(t - 15) & 15], w2 = W[(t - 2) & 15];
        __m512i s0 = _mm512_ternarylogic_epi32(XROR(w15, 7), XROR(w15, 18), _mm512_srli_epi32(w15, 3), 0x96);
        __m512i s1 = _mm512_ternarylogic_epi32(XROR(w2, 17), XROR(w2, 19), _mm512_srli_epi32(w2, 10), 0x96);
        wt = XADD(XADD(W[t & 15], s0), XADD(W[(t - 7) & 15], s1));
        W[t & 15] = wt;
      }
      __m512i S1v = _mm512_ternarylogic_epi32(XROR(e, 6), XROR(e, 11), XROR(e, 25), 0x96);
      __m512i ch = _mm512_ternarylogic_epi32(e, f, g, 0xCA);
      __m512i t1 = XADD(XADD(h, S1v), XADD(ch, XADD(wt, _mm512_set1_epi32((int)HM_K[t]))));
      __m512i S0v = _mm512_ternarylogic_epi32(XROR(a, 2), XROR(a, 13), XROR(a, 22), 0x96);
      __m512i maj = _mm512_ternarylogic_epi32(a, b, c, 0xE8);
      h = g; g = f; f = e; e = XADD(d, t1); d = c; c = b; b = a; a = XADD(t1, XADD(S0v, maj));
    }
    __mmask16 hit = _mm512_testn_epi32_mask(XADD(a, midA), himask);
    if (count - i < 16) hit &= (__mmask16)((1u << (count - i)) - 1);
    while (hit != 0) {
      int l = __builtin_ctz(hit);
      hit &= (__mmask16)(hit - 1);
      /* the first word qualifies; for > 32 bits check the whole digest */
      if (bits <= 32 || c_pow_block(mid, blk, no, bits, n + (uint64_t)l, 1) >= 0) return (int64_t)(n + (uint64_t)l);
    }
  }
  return -1;
}
#endif /* HM_X86 */

/* ------------------------------------------------------------------ dispatch */

void hm_compress(int impl, uint32_t st[8], const uint8_t *blocks, size_t n) {
#ifdef HM_X86
  if (impl & HM_SHANI) { ni_compress(st, blocks, n); return; }
#endif
  (void)impl;
  c_compress(st, blocks, n);
}

/* Pads the tail (tlen < 64 bytes ending a message of `total` bytes) into buf; returns its block count. */
static size_t pad_tail(uint8_t buf[128], const uint8_t *tail, size_t tlen, uint64_t total) {
  size_t blocks = tlen + 9 <= 64 ? 1 : 2;
  memset(buf, 0, 128);
  if (tlen > 0) memcpy(buf, tail, tlen);
  buf[tlen] = 0x80;
  put_be64(buf + blocks * 64 - 8, total * 8);
  return blocks;
}

void hm_sha256(int impl, const uint8_t *data, size_t len, uint8_t out[32]) {
  uint32_t st[8];
  uint8_t buf[128];
  size_t full = len / 64;
  memcpy(st, HM_IV, sizeof st);
  if (full > 0) hm_compress(impl, st, data, full);
  size_t nb = pad_tail(buf, data + full * 64, len - full * 64, len);
  hm_compress(impl, st, buf, nb);
  state_bytes(st, out);
}

void hm_chain(int impl, uint8_t x[32], uint64_t steps) {
#ifdef HM_X86
  if (impl & HM_SHANI) { ni_chain(x, steps); return; }
#endif
  (void)impl;
  c_chain(x, steps);
}

int64_t hm_pow(int impl, const uint8_t *prefix, size_t len, int bits, uint64_t start, uint64_t count) {
  if (count == 0) return -1;
  if (bits == 0) return (int64_t)start;
  uint32_t mid[8];
  uint8_t buf[128];
  size_t full = len / 64;
  size_t tlen = len - full * 64;          /* prefix bytes in the tail; the nonce is buf[tlen .. tlen+8) */
  size_t blen = tlen + 8;                 /* tail bytes with the nonce, 8..71 */
  size_t nb = blen + 9 <= 64 ? 1 : 2;
  memcpy(mid, HM_IV, sizeof mid);
  if (full > 0) hm_compress(impl, mid, prefix, full);
  memset(buf, 0, sizeof buf);
  if (tlen > 0) memcpy(buf, prefix + full * 64, tlen);
  buf[blen] = 0x80;
  put_be64(buf + nb * 64 - 8, ((uint64_t)len + 8) * 8);
  if (nb == 2) {
    /* the nonce is in (or straddles into) the first of two tail blocks: hash both per try */
    uint32_t st[8];
    for (uint64_t i = 0; i < count; i++) {
      put_be64(buf + tlen, start + i);
      memcpy(st, mid, sizeof st);
      hm_compress(impl, st, buf, 2);
      if (enough_zeros(st, bits)) return (int64_t)(start + i);
    }
    return -1;
  }
  /* one tail block holding the nonce: midstate + precomputed leading rounds */
#ifdef HM_X86
  if (impl & HM_AVX512) return x16_pow_block(mid, buf, tlen, bits, start, count);
  if (impl & HM_SHANI) return ni_pow_block(mid, buf, tlen, bits, start, count);
#endif
  return c_pow_block(mid, buf, tlen, bits, start, count);
}

void hm_plot(int impl, const uint8_t seed[32], uint64_t n, uint8_t *out) {
  /* message: seed(32) || u64be(i) || L[i-1] || L[p(i)]  = 104 bytes = two blocks with padding */
  uint8_t msg[128];
  uint32_t st[8];
  memset(msg, 0, sizeof msg);
  memcpy(msg, seed, 32);
  msg[104] = 0x80;
  put_be64(msg + 120, 104 * 8);
  for (uint64_t i = 0; i < n; i++) {
    put_be64(msg + 32, i);
    if (i == 0) {
      memset(msg + 40, 0, 64);
    } else {
      const uint8_t *prev = out + (i - 1) * 32;
      uint64_t v = 0;
      for (int b = 0; b < 8; b++) v = v << 8 | prev[b];
      memcpy(msg + 40, prev, 32);
      memcpy(msg + 72, out + (v % i) * 32, 32);
    }
    memcpy(st, HM_IV, sizeof st);
    hm_compress(impl, st, msg, 2);
    state_bytes(st, out + i * 32);
  }
}

static const uint8_t PAD64[64] = { 0x80, [62] = 0x02, [63] = 0x00 };

static inline void node_hash(int impl, const uint8_t lr[64], uint8_t out[32]) {
  uint32_t st[8];
  memcpy(st, HM_IV, sizeof st);
  hm_compress(impl, st, lr, 1);
  hm_compress(impl, st, PAD64, 1);
  state_bytes(st, out);
}

void hm_merkle_tree(int impl, uint8_t *tree, uint64_t n) {
  uint64_t level = 0, width = n, write = n;
  while (width > 1) {
    for (uint64_t i = 0; i < width; i += 2) node_hash(impl, tree + (level + i) * 32, tree + write++ * 32);
    level += width;
    width /= 2;
  }
}

int hm_merkle_verify(int impl, const uint8_t leaf[32], uint64_t index, const uint8_t *path, size_t height, const uint8_t root[32]) {
  uint8_t node[32], pair[64];
  memcpy(node, leaf, 32);
  for (size_t h = 0; h < height; h++) {
    if ((index & 1) == 0) { memcpy(pair, node, 32); memcpy(pair + 32, path + h * 32, 32); }
    else { memcpy(pair, path + h * 32, 32); memcpy(pair + 32, node, 32); }
    node_hash(impl, pair, node);
    index >>= 1;
  }
  uint8_t diff = 0;
  for (int i = 0; i < 32; i++) diff |= (uint8_t)(node[i] ^ root[i]);
  return diff == 0;
}
