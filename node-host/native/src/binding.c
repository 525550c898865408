/* Node-API binding of the native kernel (Node-API version 8, napi_* only, so
 * one build serves every Node >= 20). Arguments are checked here as well as
 * in the TypeScript wrapper, so a wrong call throws instead of crashing.
 * Outputs are written into Uint8Arrays the caller allocates. The last
 * argument of every kernel function selects the paths (flags): 0 portable C,
 * 1 SHA-NI, 2 AVX-512 PoW search, 3 both. */
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <node_api.h>
#include "hm.h"

#define MAX_SAFE 9007199254740991.0

static hm_cpu cpu;
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;
static void detect_once(void) { hm_cpu_detect(&cpu); }

static napi_value throw_type(napi_env env, const char *msg) { napi_throw_type_error(env, NULL, msg); return NULL; }
static napi_value throw_range(napi_env env, const char *msg) { napi_throw_range_error(env, NULL, msg); return NULL; }

static int args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) { throw_type(env, "bad call"); return -1; }
  if (argc < want) { throw_type(env, "too few arguments"); return -1; }
  return 0;
}

static int bytes(napi_env env, napi_value v, const char *what, uint8_t **p, size_t *len) {
  bool is = false;
  napi_typedarray_type type;
  void *data = NULL;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, v, &type, len, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    throw_type(env, what);
    return -1;
  }
  static uint8_t empty[1];
  *p = data != NULL ? (uint8_t *)data : empty;
  return 0;
}

static int uint_arg(napi_env env, napi_value v, double max, const char *what, uint64_t *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= 0) || d > max || floor(d) != d) {
    throw_range(env, what);
    return -1;
  }
  *out = (uint64_t)d;
  return 0;
}

static int impl_arg(napi_env env, napi_value v, int *impl) {
  int32_t i;
  if (napi_get_value_int32(env, v, &i) != napi_ok || i < 0 || i > (HM_SHANI | HM_AVX512)) { throw_range(env, "impl must be flags 0..3 (1 SHA-NI, 2 AVX-512)"); return -1; }
  if ((i & HM_SHANI) && !cpu.shani) { throw_range(env, "SHA-NI is not available on this CPU"); return -1; }
  if ((i & HM_AVX512) && !cpu.avx512f) { throw_range(env, "AVX-512F is not available on this CPU"); return -1; }
  *impl = i;
  return 0;
}

static napi_value num(napi_env env, double d) { napi_value r; napi_create_double(env, d, &r); return r; }
static napi_value boolean(napi_env env, int b) { napi_value r; napi_get_boolean(env, b != 0, &r); return r; }

/* sha256(data, out32, impl) */
static napi_value js_sha256(napi_env env, napi_callback_info info) {
  napi_value a[3]; uint8_t *d, *o; size_t dl, ol; int impl;
  if (args(env, info, 3, a) || bytes(env, a[0], "data must be a Uint8Array", &d, &dl) ||
      bytes(env, a[1], "out must be a Uint8Array", &o, &ol) || impl_arg(env, a[2], &impl)) return NULL;
  if (ol != 32) return throw_range(env, "out must be 32 bytes");
  hm_sha256(impl, d, dl, o);
  return NULL;
}

/* sha256Batch(data, size, out, impl) */
static napi_value js_sha256_batch(napi_env env, napi_callback_info info) {
  napi_value a[4]; uint8_t *d, *o; size_t dl, ol; uint64_t size; int impl;
  if (args(env, info, 4, a) || bytes(env, a[0], "data must be a Uint8Array", &d, &dl) ||
      uint_arg(env, a[1], 2147483648.0, "size must be an integer in [1, 2^31]", &size) ||
      bytes(env, a[2], "out must be a Uint8Array", &o, &ol) || impl_arg(env, a[3], &impl)) return NULL;
  if (size == 0 || dl % size != 0) return throw_range(env, "data length must be a multiple of size");
  size_t n = dl / size;
  if (ol != n * 32) return throw_range(env, "out must be 32 bytes per message");
  for (size_t i = 0; i < n; i++) hm_sha256(impl, d + i * size, size, o + i * 32);
  return NULL;
}

/* powSearch(prefix, bits, start, count, impl) -> nonce or -1 */
static napi_value js_pow(napi_env env, napi_callback_info info) {
  napi_value a[5]; uint8_t *p; size_t pl; uint64_t bits, start, count; int impl;
  if (args(env, info, 5, a) || bytes(env, a[0], "prefix must be a Uint8Array", &p, &pl) ||
      uint_arg(env, a[1], 256, "bits must be an integer in [0, 256]", &bits) ||
      uint_arg(env, a[2], MAX_SAFE, "start must be an integer in [0, 2^53 - 1]", &start) ||
      uint_arg(env, a[3], MAX_SAFE - (double)start, "count must be an integer with start + count <= 2^53 - 1", &count) ||
      impl_arg(env, a[4], &impl)) return NULL;
  return num(env, (double)hm_pow(impl, p, pl, (int)bits, start, count));
}

/* vdfSegment(x32 in/out, steps, impl) */
static napi_value js_vdf_segment(napi_env env, napi_callback_info info) {
  napi_value a[3]; uint8_t *x; size_t xl; uint64_t steps; int impl;
  if (args(env, info, 3, a) || bytes(env, a[0], "x must be a Uint8Array", &x, &xl) ||
      uint_arg(env, a[1], MAX_SAFE, "steps must be a non-negative integer", &steps) || impl_arg(env, a[2], &impl)) return NULL;
  if (xl != 32) return throw_range(env, "x must be 32 bytes");
  hm_chain(impl, x, steps);
  return NULL;
}

/* vdfChain(seed32, steps, k, out, impl) */
static napi_value js_vdf_chain(napi_env env, napi_callback_info info) {
  napi_value a[5]; uint8_t *s, *o; size_t sl, ol; uint64_t steps, k; int impl;
  if (args(env, info, 5, a) || bytes(env, a[0], "seed must be a Uint8Array", &s, &sl) ||
      uint_arg(env, a[1], MAX_SAFE, "steps must be a non-negative integer", &steps) ||
      uint_arg(env, a[2], 1048576.0, "k must be an integer in [1, 2^20]", &k) ||
      bytes(env, a[3], "out must be a Uint8Array", &o, &ol) || impl_arg(env, a[4], &impl)) return NULL;
  if (sl != 32) return throw_range(env, "seed must be 32 bytes");
  if (k == 0 || steps < k || steps % k != 0) return throw_range(env, "steps must be a positive multiple of k");
  if (ol != k * 32) return throw_range(env, "out must be k * 32 bytes");
  uint8_t x[32];
  memcpy(x, s, 32);
  for (uint64_t j = 0; j < k; j++) {
    hm_chain(impl, x, steps / k);
    memcpy(o + j * 32, x, 32);
  }
  return NULL;
}

/* plotLabels(seed32, n, out, impl) */
static napi_value js_plot(napi_env env, napi_callback_info info) {
  napi_value a[4]; uint8_t *s, *o; size_t sl, ol; uint64_t n; int impl;
  if (args(env, info, 4, a) || bytes(env, a[0], "seed must be a Uint8Array", &s, &sl) ||
      uint_arg(env, a[1], 134217728.0, "n must be an integer in [1, 2^27]", &n) ||
      bytes(env, a[2], "out must be a Uint8Array", &o, &ol) || impl_arg(env, a[3], &impl)) return NULL;
  if (sl != 32) return throw_range(env, "seed must be 32 bytes");
  if (n == 0 || ol != n * 32) return throw_range(env, "out must be n * 32 bytes, n >= 1");
  uint8_t seed[32];
  memcpy(seed, s, 32);
  hm_plot(impl, seed, n, o);
  return NULL;
}

/* merkleTree(tree, n, impl): the n leaves are at the start of tree ((2n - 1) * 32 bytes) */
static napi_value js_merkle_tree(napi_env env, napi_callback_info info) {
  napi_value a[3]; uint8_t *t; size_t tl; uint64_t n; int impl;
  if (args(env, info, 3, a) || bytes(env, a[0], "tree must be a Uint8Array", &t, &tl) ||
      uint_arg(env, a[1], 4294967296.0, "n must be a power of two", &n) || impl_arg(env, a[2], &impl)) return NULL;
  if (n == 0 || (n & (n - 1)) != 0) return throw_range(env, "n must be a power of two");
  if (tl != (2 * n - 1) * 32) return throw_range(env, "tree must be (2n - 1) * 32 bytes");
  hm_merkle_tree(impl, t, n);
  return NULL;
}

/* merkleVerify(leaf32, index, path, root32, impl) -> boolean */
static napi_value js_merkle_verify(napi_env env, napi_callback_info info) {
  napi_value a[5]; uint8_t *l, *p, *r; size_t ll, pl, rl; uint64_t index; int impl;
  if (args(env, info, 5, a) || bytes(env, a[0], "leaf must be a Uint8Array", &l, &ll) ||
      uint_arg(env, a[1], 4294967295.0, "index must be an integer in [0, 2^32)", &index) ||
      bytes(env, a[2], "path must be a Uint8Array", &p, &pl) ||
      bytes(env, a[3], "root must be a Uint8Array", &r, &rl) || impl_arg(env, a[4], &impl)) return NULL;
  if (ll != 32 || rl != 32) return throw_range(env, "leaf and root must be 32 bytes");
  if (pl % 32 != 0 || pl > 32 * 32) return throw_range(env, "path must be at most 32 hashes");
  size_t height = pl / 32;
  if (height < 32 && index >> height != 0) return throw_range(env, "index out of range for the path height");
  return boolean(env, hm_merkle_verify(impl, l, index, p, height, r));
}

static void set_bool(napi_env env, napi_value obj, const char *key, int v) {
  napi_set_named_property(env, obj, key, boolean(env, v));
}

/* cpuFeatures() -> { x86, sse41, ssse3, sha, avx2, avx512f, shaNi } */
static napi_value js_cpu(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value o;
  napi_create_object(env, &o);
  set_bool(env, o, "x86", cpu.x86);
  set_bool(env, o, "sse41", cpu.sse41);
  set_bool(env, o, "ssse3", cpu.ssse3);
  set_bool(env, o, "sha", cpu.sha);
  set_bool(env, o, "avx2", cpu.avx2);
  set_bool(env, o, "avx512f", cpu.avx512f);
  set_bool(env, o, "shaNi", cpu.shani);
  return o;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  static const struct { const char *name; napi_callback fn; } fns[] = {
    { "sha256", js_sha256 }, { "sha256Batch", js_sha256_batch }, { "powSearch", js_pow },
    { "vdfSegment", js_vdf_segment }, { "vdfChain", js_vdf_chain }, { "plotLabels", js_plot },
    { "merkleTree", js_merkle_tree }, { "merkleVerify", js_merkle_verify }, { "cpuFeatures", js_cpu }
  };
  pthread_once(&cpu_once, detect_once); /* worker threads load the addon too */
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    if (napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f) != napi_ok ||
        napi_set_named_property(env, exports, fns[i].name, f) != napi_ok) return NULL;
  }
  napi_value abi;
  napi_create_uint32(env, 2, &abi);
  napi_set_named_property(env, exports, "abiVersion", abi);
  return exports;
}
