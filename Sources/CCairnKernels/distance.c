// SIMD distance kernels with run-time dispatch: AVX-512F, AVX2+FMA, or portable scalar code.
// The level is detected once (cpuid through the compiler's builtins) and can be lowered for tests.
#include "CairnKernels.h"

#include <immintrin.h>
#include <math.h>

#define AVX512 __attribute__((target("avx512f,avx512vl,avx2,fma")))
#define AVX2 __attribute__((target("avx2,fma")))

// ---- scalar ------------------------------------------------------------------------------------

static float dot_scalar(const float *a, const float *b, size_t n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; i++) s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

static float l2sq_scalar(const float *a, const float *b, size_t n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        float d0 = a[i] - b[i], d1 = a[i + 1] - b[i + 1];
        float d2 = a[i + 2] - b[i + 2], d3 = a[i + 3] - b[i + 3];
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
    }
    for (; i < n; i++) {
        float d = a[i] - b[i];
        s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
}

// ---- AVX2 + FMA --------------------------------------------------------------------------------

AVX2 static inline float hsum256(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}

AVX2 static float dot_avx2(const float *a, const float *b, size_t n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
    }
    for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    float s = hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

AVX2 static float l2sq_avx2(const float *a, const float *b, size_t n) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
        __m256 d2 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16));
        __m256 d3 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24));
        s0 = _mm256_fmadd_ps(d0, d0, s0);
        s1 = _mm256_fmadd_ps(d1, d1, s1);
        s2 = _mm256_fmadd_ps(d2, d2, s2);
        s3 = _mm256_fmadd_ps(d3, d3, s3);
    }
    for (; i + 8 <= n; i += 8) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        s0 = _mm256_fmadd_ps(d, d, s0);
    }
    float s = hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    for (; i < n; i++) {
        float d = a[i] - b[i];
        s += d * d;
    }
    return s;
}

// ---- AVX-512 -----------------------------------------------------------------------------------

AVX512 static float dot_avx512(const float *a, const float *b, size_t n) {
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    __m512 s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
        s2 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32), s2);
        s3 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48), s3);
    }
    for (; i + 16 <= n; i += 16) s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        s1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i), s1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

AVX512 static float l2sq_avx512(const float *a, const float *b, size_t n) {
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    __m512 s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        __m512 d1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
        __m512 d2 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32));
        __m512 d3 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48));
        s0 = _mm512_fmadd_ps(d0, d0, s0);
        s1 = _mm512_fmadd_ps(d1, d1, s1);
        s2 = _mm512_fmadd_ps(d2, d2, s2);
        s3 = _mm512_fmadd_ps(d3, d3, s3);
    }
    for (; i + 16 <= n; i += 16) {
        __m512 d = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        s0 = _mm512_fmadd_ps(d, d, s0);
    }
    if (i < n) {
        __mmask16 m = (__mmask16)((1u << (n - i)) - 1u);
        __m512 d = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i));
        s1 = _mm512_fmadd_ps(d, d, s1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

AVX512 static size_t select_above_avx512(const float *scores, const float *bias, size_t n, float threshold,
                                         uint32_t *out_idx, float *out_val) {
    size_t w = 0, i = 0;
    __m512 t = _mm512_set1_ps(threshold);
    for (; i + 16 <= n; i += 16) {
        __m512 s = _mm512_loadu_ps(scores + i);
        if (bias) s = _mm512_sub_ps(s, _mm512_loadu_ps(bias + i));
        __mmask16 m = _mm512_cmp_ps_mask(s, t, _CMP_GT_OQ);
        while (m) {
            unsigned j = (unsigned)__builtin_ctz(m);
            out_idx[w] = (uint32_t)(i + j);
            out_val[w++] = ((float *)&s)[j];
            m &= (__mmask16)(m - 1);
        }
    }
    for (; i < n; i++) {
        float s = scores[i] - (bias ? bias[i] : 0.0f);
        if (s > threshold) { out_idx[w] = (uint32_t)i; out_val[w++] = s; }
    }
    return w;
}

static size_t select_above_scalar(const float *scores, const float *bias, size_t n, float threshold,
                                  uint32_t *out_idx, float *out_val) {
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        float s = scores[i] - (bias ? bias[i] : 0.0f);
        if (s > threshold) { out_idx[w] = (uint32_t)i; out_val[w++] = s; }
    }
    return w;
}

// ---- dispatch ----------------------------------------------------------------------------------

static int detected_level(void) {
    static int level = -1;
    if (level < 0) {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")) level = 2;
        else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) level = 1;
        else level = 0;
    }
    return level;
}

static int forced_level = -1;

int cairn_simd_level(void) {
    int d = detected_level();
    return (forced_level >= 0 && forced_level < d) ? forced_level : d;
}

int cairn_simd_force_level(int level) {
    forced_level = level;
    return cairn_simd_level();
}

const char *cairn_simd_name(void) {
    switch (cairn_simd_level()) {
    case 2: return "avx512";
    case 1: return "avx2";
    default: return "scalar";
    }
}

cairn_pair_fn cairn_dot_fn(void) {
    switch (cairn_simd_level()) {
    case 2: return dot_avx512;
    case 1: return dot_avx2;
    default: return dot_scalar;
    }
}

cairn_pair_fn cairn_l2sq_fn(void) {
    switch (cairn_simd_level()) {
    case 2: return l2sq_avx512;
    case 1: return l2sq_avx2;
    default: return l2sq_scalar;
    }
}

float cairn_dot(const float *a, const float *b, size_t n) { return cairn_dot_fn()(a, b, n); }
float cairn_l2sq(const float *a, const float *b, size_t n) { return cairn_l2sq_fn()(a, b, n); }

static inline void prefetch_vector(const float *v, size_t n) {
    const char *p = (const char *)v;
    size_t bytes = n * sizeof(float);
    for (size_t off = 0; off < bytes; off += 64) __builtin_prefetch(p + off, 0, 3);
}

/// Vectors prefetched ahead of the one being scored: far enough that a miss to memory (~100 ns) overlaps the
/// scoring of the vectors before it (~20 ns each at 384 dimensions), near enough to stay within the line fill
/// buffers. Two measured best on Zen 2 at 100k vectors (one and three slower); at 300k the three were
/// within the machine's noise.
#define SCORE_AHEAD 2

static void score_many(cairn_pair_fn f, const float *q, const float *const *vs, size_t count, size_t n,
                       float *out) {
    if (count == 0) return;
    // The first line of every vector now, so that their misses overlap; then whole vectors SCORE_AHEAD ahead
    // of the one being scored.
    for (size_t i = SCORE_AHEAD; i < count; i++) __builtin_prefetch(vs[i], 0, 3);
    for (size_t i = 0; i < SCORE_AHEAD && i < count; i++) prefetch_vector(vs[i], n);
    for (size_t i = 0; i < count; i++) {
        if (i + SCORE_AHEAD < count) prefetch_vector(vs[i + SCORE_AHEAD], n);
        out[i] = f(q, vs[i], n);
    }
}

// ---- four at once --------------------------------------------------------------------------------
// One vector against four: each load of `q` serves four products, so the loads per multiply-add fall from 2
// to 1.25 (the loads, not the arithmetic, bound the one-pair kernel on cached data). Two accumulators per
// product cover the multiply-add latency.

static void dot4_scalar(const float *q, const float *const *vs, size_t n, float *out) {
    for (int j = 0; j < 4; j++) out[j] = dot_scalar(q, vs[j], n);
}

static void l2sq4_scalar(const float *q, const float *const *vs, size_t n, float *out) {
    for (int j = 0; j < 4; j++) out[j] = l2sq_scalar(q, vs[j], n);
}

AVX2 static void dot4_avx2(const float *q, const float *const *vs, size_t n, float *out) {
    const float *a = vs[0], *b = vs[1], *c = vs[2], *d = vs[3];
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), b0 = _mm256_setzero_ps(), b1 = _mm256_setzero_ps();
    __m256 c0 = _mm256_setzero_ps(), c1 = _mm256_setzero_ps(), d0 = _mm256_setzero_ps(), d1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 q0 = _mm256_loadu_ps(q + i), q1 = _mm256_loadu_ps(q + i + 8);
        a0 = _mm256_fmadd_ps(q0, _mm256_loadu_ps(a + i), a0);
        b0 = _mm256_fmadd_ps(q0, _mm256_loadu_ps(b + i), b0);
        c0 = _mm256_fmadd_ps(q0, _mm256_loadu_ps(c + i), c0);
        d0 = _mm256_fmadd_ps(q0, _mm256_loadu_ps(d + i), d0);
        a1 = _mm256_fmadd_ps(q1, _mm256_loadu_ps(a + i + 8), a1);
        b1 = _mm256_fmadd_ps(q1, _mm256_loadu_ps(b + i + 8), b1);
        c1 = _mm256_fmadd_ps(q1, _mm256_loadu_ps(c + i + 8), c1);
        d1 = _mm256_fmadd_ps(q1, _mm256_loadu_ps(d + i + 8), d1);
    }
    float ra = hsum256(_mm256_add_ps(a0, a1)), rb = hsum256(_mm256_add_ps(b0, b1));
    float rc = hsum256(_mm256_add_ps(c0, c1)), rd = hsum256(_mm256_add_ps(d0, d1));
    for (; i < n; i++) {
        ra += q[i] * a[i];
        rb += q[i] * b[i];
        rc += q[i] * c[i];
        rd += q[i] * d[i];
    }
    out[0] = ra, out[1] = rb, out[2] = rc, out[3] = rd;
}

AVX2 static void l2sq4_avx2(const float *q, const float *const *vs, size_t n, float *out) {
    const float *a = vs[0], *b = vs[1], *c = vs[2], *d = vs[3];
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), b0 = _mm256_setzero_ps(), b1 = _mm256_setzero_ps();
    __m256 c0 = _mm256_setzero_ps(), c1 = _mm256_setzero_ps(), d0 = _mm256_setzero_ps(), d1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 q0 = _mm256_loadu_ps(q + i), q1 = _mm256_loadu_ps(q + i + 8), t;
        t = _mm256_sub_ps(q0, _mm256_loadu_ps(a + i)), a0 = _mm256_fmadd_ps(t, t, a0);
        t = _mm256_sub_ps(q0, _mm256_loadu_ps(b + i)), b0 = _mm256_fmadd_ps(t, t, b0);
        t = _mm256_sub_ps(q0, _mm256_loadu_ps(c + i)), c0 = _mm256_fmadd_ps(t, t, c0);
        t = _mm256_sub_ps(q0, _mm256_loadu_ps(d + i)), d0 = _mm256_fmadd_ps(t, t, d0);
        t = _mm256_sub_ps(q1, _mm256_loadu_ps(a + i + 8)), a1 = _mm256_fmadd_ps(t, t, a1);
        t = _mm256_sub_ps(q1, _mm256_loadu_ps(b + i + 8)), b1 = _mm256_fmadd_ps(t, t, b1);
        t = _mm256_sub_ps(q1, _mm256_loadu_ps(c + i + 8)), c1 = _mm256_fmadd_ps(t, t, c1);
        t = _mm256_sub_ps(q1, _mm256_loadu_ps(d + i + 8)), d1 = _mm256_fmadd_ps(t, t, d1);
    }
    float ra = hsum256(_mm256_add_ps(a0, a1)), rb = hsum256(_mm256_add_ps(b0, b1));
    float rc = hsum256(_mm256_add_ps(c0, c1)), rd = hsum256(_mm256_add_ps(d0, d1));
    for (; i < n; i++) {
        float ea = q[i] - a[i], eb = q[i] - b[i], ec = q[i] - c[i], ed = q[i] - d[i];
        ra += ea * ea;
        rb += eb * eb;
        rc += ec * ec;
        rd += ed * ed;
    }
    out[0] = ra, out[1] = rb, out[2] = rc, out[3] = rd;
}

cairn_quad_fn cairn_dot4_fn(void) { return cairn_simd_level() >= 1 ? dot4_avx2 : dot4_scalar; }

cairn_quad_fn cairn_l2sq4_fn(void) { return cairn_simd_level() >= 1 ? l2sq4_avx2 : l2sq4_scalar; }

void cairn_dot_many(const float *q, const float *const *vs, size_t count, size_t n, float *out) {
    score_many(cairn_dot_fn(), q, vs, count, n, out);
}

void cairn_l2sq_many(const float *q, const float *const *vs, size_t count, size_t n, float *out) {
    score_many(cairn_l2sq_fn(), q, vs, count, n, out);
}

float cairn_normalize(float *v, size_t n) {
    float norm = sqrtf(cairn_dot(v, v, n));
    if (norm > 0 && isfinite(norm)) {
        float inv = 1.0f / norm;
        for (size_t i = 0; i < n; i++) v[i] *= inv;
    }
    return norm;
}

size_t cairn_select_above(const float *scores, const float *bias, size_t n, float threshold, uint32_t *out_idx,
                          float *out_val) {
    if (cairn_simd_level() >= 2) return select_above_avx512(scores, bias, n, threshold, out_idx, out_val);
    return select_above_scalar(scores, bias, n, threshold, out_idx, out_val);
}

void cairn_prefetch(const void *p, size_t bytes) {
    const char *c = (const char *)p;
    for (size_t off = 0; off < bytes; off += 64) __builtin_prefetch(c + off, 0, 3);
}
