// int8 copies of vectors for the quantized graph walk: symmetric per-vector scale, codes in [-127, 127].
//
// A code row is `cairn_i8_row_bytes(n)` bytes: f32 scale, f32 squared norm of the original vector, then n
// int8 codes (x[i] ≈ scale · code[i]). Distances between a query row and stored rows follow Cairn's float
// metrics: 1 - dot for cosine and inner product, the squared L2 distance for l2 (from the two exact norms and
// the approximate dot product).
//
// Dispatch: AVX-512 VNNI (vpdpbusd) where the CPU has AVX-512F/BW and VNNI, AVX2 (vpmaddubsw + vpmaddwd)
// elsewhere, portable scalar code otherwise; a level forced through cairn_simd_force_level applies here too.
#include "CairnKernels.h"

#include <immintrin.h>
#include <math.h>
#include <string.h>

#define AVX2 __attribute__((target("avx2,fma")))
#define VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma")))

size_t cairn_i8_row_bytes(size_t n) { return (8 + n + 15) & ~(size_t)15; }

void cairn_i8_encode(const float *x, size_t n, void *row) {
    float maxabs = 0, norm2 = 0;
    for (size_t i = 0; i < n; i++) {
        float a = fabsf(x[i]);
        if (a > maxabs) maxabs = a;
        norm2 += x[i] * x[i];
    }
    float scale = maxabs > 0 ? maxabs / 127.0f : 0.0f;
    float inv = maxabs > 0 ? 127.0f / maxabs : 0.0f;
    unsigned char *p = (unsigned char *)row;
    memcpy(p, &scale, 4);
    memcpy(p + 4, &norm2, 4);
    int8_t *codes = (int8_t *)(p + 8);
    for (size_t i = 0; i < n; i++) {
        long q = lrintf(x[i] * inv);
        if (q > 127) q = 127;
        if (q < -127) q = -127;
        codes[i] = (int8_t)q;
    }
    size_t end = cairn_i8_row_bytes(n);
    for (size_t i = 8 + n; i < end; i++) p[i] = 0;
}

// ---- dot products of codes ---------------------------------------------------------------------

static int32_t dot_i8_scalar(const int8_t *a, const int8_t *b, size_t n) {
    int32_t s = 0;
    for (size_t i = 0; i < n; i++) s += (int32_t)a[i] * (int32_t)b[i];
    return s;
}

AVX2 static inline int32_t hsum_epi32_256(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return _mm_cvtsi128_si32(s);
}

// |a| times b carrying a's sign, multiplied as unsigned × signed bytes: pairs sum to at most
// 2 · 127 · 127 = 32258, inside vpmaddubsw's int16 saturation (codes never hold -128).
AVX2 static int32_t dot_i8_avx2(const int8_t *a, const int8_t *b, size_t n) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i acc0 = _mm256_setzero_si256(), acc1 = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m256i a0 = _mm256_loadu_si256((const __m256i *)(a + i));
        __m256i b0 = _mm256_loadu_si256((const __m256i *)(b + i));
        __m256i a1 = _mm256_loadu_si256((const __m256i *)(a + i + 32));
        __m256i b1 = _mm256_loadu_si256((const __m256i *)(b + i + 32));
        __m256i p0 = _mm256_maddubs_epi16(_mm256_sign_epi8(a0, a0), _mm256_sign_epi8(b0, a0));
        __m256i p1 = _mm256_maddubs_epi16(_mm256_sign_epi8(a1, a1), _mm256_sign_epi8(b1, a1));
        acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(p0, ones));
        acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(p1, ones));
    }
    for (; i + 32 <= n; i += 32) {
        __m256i a0 = _mm256_loadu_si256((const __m256i *)(a + i));
        __m256i b0 = _mm256_loadu_si256((const __m256i *)(b + i));
        __m256i p0 = _mm256_maddubs_epi16(_mm256_sign_epi8(a0, a0), _mm256_sign_epi8(b0, a0));
        acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(p0, ones));
    }
    int32_t s = hsum_epi32_256(_mm256_add_epi32(acc0, acc1));
    for (; i < n; i++) s += (int32_t)a[i] * (int32_t)b[i];
    return s;
}

// vpdpbusd multiplies unsigned bytes of its first source by signed bytes of its second and adds groups of
// four into int32 lanes without saturation: |a| against b with a's sign, as above.
VNNI static int32_t dot_i8_vnni(const int8_t *a, const int8_t *b, size_t n) {
    const __m512i zero = _mm512_setzero_si512();
    __m512i acc0 = _mm512_setzero_si512(), acc1 = _mm512_setzero_si512();
    size_t i = 0;
    for (; i + 128 <= n; i += 128) {
        __m512i a0 = _mm512_loadu_si512((const void *)(a + i));
        __m512i b0 = _mm512_loadu_si512((const void *)(b + i));
        __m512i a1 = _mm512_loadu_si512((const void *)(a + i + 64));
        __m512i b1 = _mm512_loadu_si512((const void *)(b + i + 64));
        __m512i s0 = _mm512_mask_sub_epi8(b0, _mm512_movepi8_mask(a0), zero, b0);
        __m512i s1 = _mm512_mask_sub_epi8(b1, _mm512_movepi8_mask(a1), zero, b1);
        acc0 = _mm512_dpbusd_epi32(acc0, _mm512_abs_epi8(a0), s0);
        acc1 = _mm512_dpbusd_epi32(acc1, _mm512_abs_epi8(a1), s1);
    }
    for (; i < n; i += 64) {
        size_t left = n - i;
        __mmask64 m = left >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << left) - 1);
        __m512i a0 = _mm512_maskz_loadu_epi8(m, (const void *)(a + i));
        __m512i b0 = _mm512_maskz_loadu_epi8(m, (const void *)(b + i));
        __m512i s0 = _mm512_mask_sub_epi8(b0, _mm512_movepi8_mask(a0), zero, b0);
        acc0 = _mm512_dpbusd_epi32(acc0, _mm512_abs_epi8(a0), s0);
    }
    return _mm512_reduce_add_epi32(_mm512_add_epi32(acc0, acc1));
}

typedef int32_t (*i8_dot_fn)(const int8_t *, const int8_t *, size_t);

static int vnni_supported(void) {
    static int known = -1;
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
    }
    return known;
}

int cairn_i8_level(void) {
    int level = cairn_simd_level();
    if (level >= 2 && vnni_supported()) return 2;
    return level >= 1 ? 1 : 0;
}

const char *cairn_i8_name(void) {
    switch (cairn_i8_level()) {
    case 2: return "avx512-vnni";
    case 1: return "avx2";
    default: return "scalar";
    }
}

static i8_dot_fn i8_dot(void) {
    switch (cairn_i8_level()) {
    case 2: return dot_i8_vnni;
    case 1: return dot_i8_avx2;
    default: return dot_i8_scalar;
    }
}

int32_t cairn_i8_dot(const int8_t *a, const int8_t *b, size_t n) { return i8_dot()(a, b, n); }

// ---- distances of rows -------------------------------------------------------------------------

static inline float row_distance(i8_dot_fn f, const unsigned char *q, const unsigned char *r, size_t n, int l2) {
    float qs, qn, rs, rn;
    memcpy(&qs, q, 4);
    memcpy(&qn, q + 4, 4);
    memcpy(&rs, r, 4);
    memcpy(&rn, r + 4, 4);
    float dot = qs * rs * (float)f((const int8_t *)(q + 8), (const int8_t *)(r + 8), n);
    if (l2) {
        float d = qn + rn - 2.0f * dot;
        return d > 0 ? d : 0;
    }
    return 1.0f - dot;
}

float cairn_i8_distance(const void *query_row, const void *row, size_t n, int l2) {
    return row_distance(i8_dot(), (const unsigned char *)query_row, (const unsigned char *)row, n, l2);
}

/// Rows prefetched ahead of the one being scored (an int8 row is scored in a fraction of a miss's latency).
#ifndef I8_AHEAD
#define I8_AHEAD 2
#endif

void cairn_i8_distances(const void *query_row, const void *const *rows, size_t count, size_t n, int l2,
                        float *out) {
    if (count == 0) return;
    i8_dot_fn f = i8_dot();
    size_t bytes = cairn_i8_row_bytes(n);
    // As score_many: first lines of all rows, then whole rows I8_AHEAD ahead of the one being scored.
    for (size_t i = I8_AHEAD; i < count; i++) __builtin_prefetch(rows[i], 0, 3);
    for (size_t i = 0; i < I8_AHEAD && i < count; i++) cairn_prefetch(rows[i], bytes);
    for (size_t i = 0; i < count; i++) {
        if (i + I8_AHEAD < count) cairn_prefetch(rows[i + I8_AHEAD], bytes);
        out[i] = row_distance(f, (const unsigned char *)query_row, (const unsigned char *)rows[i], n, l2);
    }
}
