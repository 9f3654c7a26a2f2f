#ifndef CAIRN_KERNELS_H
#define CAIRN_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set level chosen at run time: 0 scalar, 1 AVX2+FMA, 2 AVX-512F.
int cairn_simd_level(void);
/// Human-readable name of `cairn_simd_level()` ("avx512", "avx2", "scalar").
const char *cairn_simd_name(void);
/// Forces a lower level (tests compare every level against the scalar one). Returns the level in force.
int cairn_simd_force_level(int level);

/// Signature of the single-pair distance kernels.
typedef float (*cairn_pair_fn)(const float *a, const float *b, size_t n);

/// Dot product of two float vectors.
float cairn_dot(const float *a, const float *b, size_t n);
/// Squared Euclidean distance of two float vectors.
float cairn_l2sq(const float *a, const float *b, size_t n);
/// Kernel pointers for the current level, to be fetched once and called directly.
cairn_pair_fn cairn_dot_fn(void);
cairn_pair_fn cairn_l2sq_fn(void);

/// Scores `count` vectors, given by pointers, against `q`: out[i] = dot(q, vs[i]) or l2sq(q, vs[i]).
/// Prefetches the next vectors while computing the current one.
void cairn_dot_many(const float *q, const float *const *vs, size_t count, size_t n, float *out);
void cairn_l2sq_many(const float *q, const float *const *vs, size_t count, size_t n, float *out);

/// Scores four vectors, given by pointers, against `q` at once: out[j] = dot(q, vs[j]) or l2sq(q, vs[j]).
/// For vectors already in cache (the pairwise checks of neighbour selection), where it needs fewer loads
/// than four single calls. AVX2 on AVX2 and AVX-512 machines, scalar below.
typedef void (*cairn_quad_fn)(const float *q, const float *const *vs, size_t n, float *out);
cairn_quad_fn cairn_dot4_fn(void);
cairn_quad_fn cairn_l2sq4_fn(void);

/// Scales `v` in place to unit L2 norm; returns the norm before scaling (0 leaves `v` as is).
float cairn_normalize(float *v, size_t n);

/// Collects the indices i in [0, n) with scores[i] - (bias ? bias[i] : 0) > threshold,
/// writing them to out_idx and the adjusted scores to out_val. Returns how many were written.
size_t cairn_select_above(const float *scores, const float *bias, size_t n, float threshold,
                          uint32_t *out_idx, float *out_val);

// ---- int8 code rows (quantized.c) ---------------------------------------------------------------
// A row: f32 scale, f32 squared norm of the original vector, n int8 codes in [-127, 127] (x[i] ≈ scale·code[i]),
// zero padding to a multiple of 16 bytes.

/// Bytes of one code row of an n-dimensional vector.
size_t cairn_i8_row_bytes(size_t n);
/// Writes the code row of `x` (scale = max|x[i]| / 127, rounding to nearest) to `row`.
void cairn_i8_encode(const float *x, size_t n, void *row);
/// Dot product of two code arrays (n int8 each), exact in int32.
int32_t cairn_i8_dot(const int8_t *a, const int8_t *b, size_t n);
/// Approximate distance of two code rows: 1 - dot (l2 = 0) or the squared L2 distance (l2 = 1).
float cairn_i8_distance(const void *query_row, const void *row, size_t n, int l2);
/// cairn_i8_distance from `query_row` to each of `count` rows, prefetching the next row.
void cairn_i8_distances(const void *query_row, const void *const *rows, size_t count, size_t n, int l2, float *out);
/// Level of the int8 kernels: 0 scalar, 1 AVX2, 2 AVX-512 VNNI (lowered with cairn_simd_force_level).
int cairn_i8_level(void);
/// "avx512-vnni", "avx2" or "scalar".
const char *cairn_i8_name(void);

/// CRC32C (Castagnoli) of `len` bytes, continuing from `crc` (start with 0).
uint32_t cairn_crc32c(uint32_t crc, const void *data, size_t len);

/// Prefetches the cache lines of [p, p + bytes) into L1.
void cairn_prefetch(const void *p, size_t bytes);

// ---- Neighbour lists guarded by a per-list sequence lock -------------------------------------
// Layout of a list: word 0 the sequence (odd while a writer holds it), word 1 the count, then ids.
// Readers never write; they retry when a writer was active. Writers take the list exclusively.

/// Copies a consistent snapshot of the list's ids into `out` (room for `max`); returns the count.
uint32_t cairn_links_read(const uint32_t *list, uint32_t *out, uint32_t max);
/// Takes the list for writing (spins while another writer holds it).
void cairn_links_lock(uint32_t *list);
/// Releases the list after writing.
void cairn_links_unlock(uint32_t *list);
/// Replaces the ids of a list the caller holds.
void cairn_links_store(uint32_t *list, const uint32_t *ids, uint32_t count);
/// Reads the ids of a list the caller holds (no retry needed).
uint32_t cairn_links_load_locked(const uint32_t *list, uint32_t *out, uint32_t max);

/// Relaxed/acquire atomics on words of shared arenas.
uint32_t cairn_atomic_load_u32(const uint32_t *p);
void cairn_atomic_store_u32(uint32_t *p, uint32_t v);
uint32_t cairn_atomic_or_u32(uint32_t *p, uint32_t bits);
uint32_t cairn_atomic_and_u32(uint32_t *p, uint32_t bits);
uint64_t cairn_atomic_load_u64(const uint64_t *p);
void cairn_atomic_store_u64(uint64_t *p, uint64_t v);
int cairn_atomic_cas_u64(uint64_t *p, uint64_t expected, uint64_t desired);
uint64_t cairn_atomic_fetch_add_u64(uint64_t *p, uint64_t v);
/// Spin lock on one word (0 free, 1 held).
void cairn_spin_lock(uint32_t *p);
void cairn_spin_unlock(uint32_t *p);

/// SHA-256 (FIPS 180-4) of `len` bytes at `data`, written as 32 bytes to `out`.
void cairn_sha256(const void *data, size_t len, uint8_t out[32]);

/// Packs a weight matrix W (n x k, row-major, n a multiple of 16) into 16-column panels for
/// cairn_gemm_panels16: out[(p*k + kk)*16 + j] = W[(16p + j)*k + kk]. `out` holds n*k floats.
void cairn_pack_panels16(const float *w, size_t n, size_t k, float *out);

/// C = X·Wᵀ (or C += X·Wᵀ when `accumulate` is non-zero) for the m rows of X (row stride ldx) and W packed
/// by cairn_pack_panels16; C's rows are ldc floats apart. Panels are independent: the outputs
/// [16p, 16q) are computed from `panels + 16p*k` with n = 16(q - p) and `c + 16p`.
///
/// Meant for a few rows (a short query): BLAS re-packs W on every call, which then costs more than the
/// arithmetic, while this streams the packed W once per 12 rows (AVX-512F) or 6 rows (AVX2+FMA), with
/// software prefetch. The level comes from cairn_simd_level(), so a forced level applies here too.
void cairn_gemm_panels16(const float *x, size_t ldx, size_t m, const float *panels, size_t n, size_t k,
                         float *c, size_t ldc, int accumulate);

/// Sets the calling thread's nice value (0 normal, up to 19 lowest priority); returns 0 or -1 (errno set).
int cairn_set_thread_nice(int nice);

#ifdef __cplusplus
}
#endif

#endif
