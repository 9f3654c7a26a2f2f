// Small-m GEMM on pre-packed weights with run-time dispatch: AVX-512F, AVX2+FMA, or portable scalar code.
//
// Layout: W (n x k) is stored as n/16 panels of k x 16 floats, so one 64-byte line holds row kk of 16
// consecutive outputs. A tile of R rows of X keeps R accumulators of 16 outputs in registers and, for each
// kk, broadcasts X[t][kk] and multiplies it into the panel line: W streams through once per tile.
#include "CairnKernels.h"

#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f,avx512vl,avx2,fma")))
#define AVX2 __attribute__((target("avx2,fma")))

/// Floats ahead of the current panel line that are prefetched (32 lines, 2 KB).
#define PREFETCH_AHEAD 512

void cairn_pack_panels16(const float *w, size_t n, size_t k, float *out) {
    for (size_t p = 0; p < n / 16; p++)
        for (size_t kk = 0; kk < k; kk++)
            for (size_t j = 0; j < 16; j++) out[(p * k + kk) * 16 + j] = w[(p * 16 + j) * k + kk];
}

// ---- scalar ------------------------------------------------------------------------------------

static void gemm_scalar(const float *x, size_t ldx, size_t m, const float *panels, size_t n, size_t k,
                        float *c, size_t ldc, int accumulate) {
    for (size_t t = 0; t < m; t++)
        for (size_t p = 0; p < n / 16; p++) {
            float acc[16] = {0};
            const float *wp = panels + p * k * 16, *xr = x + t * ldx;
            for (size_t kk = 0; kk < k; kk++)
                for (size_t j = 0; j < 16; j++) acc[j] += xr[kk] * wp[kk * 16 + j];
            float *cr = c + t * ldc + p * 16;
            for (size_t j = 0; j < 16; j++) cr[j] = accumulate ? cr[j] + acc[j] : acc[j];
        }
}

// ---- AVX-512F: tiles of 12 rows, 12 accumulators ----------------------------------------------------

#define ROWS512 12

AVX512 static void gemm_avx512(const float *x, size_t ldx, size_t m, const float *panels, size_t n, size_t k,
                               float *c, size_t ldc, int accumulate) {
    for (size_t p = 0; p < n / 16; p++) {
        const float *wp = panels + p * k * 16;
        for (size_t t0 = 0; t0 < m; t0 += ROWS512) {
            size_t rows = m - t0 < ROWS512 ? m - t0 : ROWS512;
            // A short last tile repeats its last row; the surplus results are not stored.
            const float *xr[ROWS512];
            for (size_t t = 0; t < ROWS512; t++) xr[t] = x + (t0 + (t < rows ? t : rows - 1)) * ldx;
            __m512 acc[ROWS512];
            for (int t = 0; t < ROWS512; t++) acc[t] = _mm512_setzero_ps();
            for (size_t kk = 0; kk < k; kk++) {
                __m512 w = _mm512_loadu_ps(wp + kk * 16);
                _mm_prefetch((const char *)(wp + kk * 16 + PREFETCH_AHEAD), _MM_HINT_T0);
#pragma GCC unroll 12
                for (int t = 0; t < ROWS512; t++) acc[t] = _mm512_fmadd_ps(_mm512_set1_ps(xr[t][kk]), w, acc[t]);
            }
            for (size_t t = 0; t < rows; t++) {
                float *cr = c + (t0 + t) * ldc + p * 16;
                _mm512_storeu_ps(cr, accumulate ? _mm512_add_ps(_mm512_loadu_ps(cr), acc[t]) : acc[t]);
            }
        }
    }
}

// ---- AVX2 + FMA: tiles of 6 rows, 12 accumulators of 8 ---------------------------------------------

#define ROWS256 6

AVX2 static void gemm_avx2(const float *x, size_t ldx, size_t m, const float *panels, size_t n, size_t k,
                           float *c, size_t ldc, int accumulate) {
    for (size_t p = 0; p < n / 16; p++) {
        const float *wp = panels + p * k * 16;
        for (size_t t0 = 0; t0 < m; t0 += ROWS256) {
            size_t rows = m - t0 < ROWS256 ? m - t0 : ROWS256;
            const float *xr[ROWS256];
            for (size_t t = 0; t < ROWS256; t++) xr[t] = x + (t0 + (t < rows ? t : rows - 1)) * ldx;
            __m256 lo[ROWS256], hi[ROWS256];
            for (int t = 0; t < ROWS256; t++) lo[t] = hi[t] = _mm256_setzero_ps();
            for (size_t kk = 0; kk < k; kk++) {
                __m256 w0 = _mm256_loadu_ps(wp + kk * 16), w1 = _mm256_loadu_ps(wp + kk * 16 + 8);
                _mm_prefetch((const char *)(wp + kk * 16 + PREFETCH_AHEAD), _MM_HINT_T0);
#pragma GCC unroll 6
                for (int t = 0; t < ROWS256; t++) {
                    __m256 b = _mm256_broadcast_ss(xr[t] + kk);
                    lo[t] = _mm256_fmadd_ps(b, w0, lo[t]);
                    hi[t] = _mm256_fmadd_ps(b, w1, hi[t]);
                }
            }
            for (size_t t = 0; t < rows; t++) {
                float *cr = c + (t0 + t) * ldc + p * 16;
                if (accumulate) {
                    lo[t] = _mm256_add_ps(_mm256_loadu_ps(cr), lo[t]);
                    hi[t] = _mm256_add_ps(_mm256_loadu_ps(cr + 8), hi[t]);
                }
                _mm256_storeu_ps(cr, lo[t]);
                _mm256_storeu_ps(cr + 8, hi[t]);
            }
        }
    }
}

void cairn_gemm_panels16(const float *x, size_t ldx, size_t m, const float *panels, size_t n, size_t k,
                         float *c, size_t ldc, int accumulate) {
    if (m == 0 || n == 0) return;
    switch (cairn_simd_level()) {
    case 2: gemm_avx512(x, ldx, m, panels, n, k, c, ldc, accumulate); break;
    case 1: gemm_avx2(x, ldx, m, panels, n, k, c, ldc, accumulate); break;
    default: gemm_scalar(x, ldx, m, panels, n, k, c, ldc, accumulate); break;
    }
}
