// Sequence-locked neighbour lists and word atomics for the index's shared arenas.
#include "CairnKernels.h"

#include <immintrin.h>

static inline void pause(void) { _mm_pause(); }

uint32_t cairn_links_read(const uint32_t *list, uint32_t *out, uint32_t max) {
    for (;;) {
        uint32_t v1 = __atomic_load_n(&list[0], __ATOMIC_ACQUIRE);
        if (v1 & 1u) { pause(); continue; }
        uint32_t count = __atomic_load_n(&list[1], __ATOMIC_RELAXED);
        if (count > max) count = max;
        for (uint32_t i = 0; i < count; i++) out[i] = __atomic_load_n(&list[2 + i], __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        uint32_t v2 = __atomic_load_n(&list[0], __ATOMIC_RELAXED);
        if (v1 == v2) return count;
    }
}

void cairn_links_lock(uint32_t *list) {
    for (;;) {
        uint32_t v = __atomic_load_n(&list[0], __ATOMIC_RELAXED);
        if (!(v & 1u) &&
            __atomic_compare_exchange_n(&list[0], &v, v + 1, 1, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
            // Order the odd sequence before the writes that follow it (seqlock writer side).
            __atomic_thread_fence(__ATOMIC_RELEASE);
            return;
        }
        pause();
    }
}

void cairn_links_unlock(uint32_t *list) {
    uint32_t v = __atomic_load_n(&list[0], __ATOMIC_RELAXED);
    __atomic_store_n(&list[0], v + 1, __ATOMIC_RELEASE);
}

void cairn_links_store(uint32_t *list, const uint32_t *ids, uint32_t count) {
    for (uint32_t i = 0; i < count; i++) __atomic_store_n(&list[2 + i], ids[i], __ATOMIC_RELAXED);
    __atomic_store_n(&list[1], count, __ATOMIC_RELAXED);
}

uint32_t cairn_links_load_locked(const uint32_t *list, uint32_t *out, uint32_t max) {
    uint32_t count = __atomic_load_n(&list[1], __ATOMIC_RELAXED);
    if (count > max) count = max;
    for (uint32_t i = 0; i < count; i++) out[i] = __atomic_load_n(&list[2 + i], __ATOMIC_RELAXED);
    return count;
}

uint32_t cairn_atomic_load_u32(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
void cairn_atomic_store_u32(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
uint32_t cairn_atomic_or_u32(uint32_t *p, uint32_t bits) { return __atomic_fetch_or(p, bits, __ATOMIC_ACQ_REL); }
uint32_t cairn_atomic_and_u32(uint32_t *p, uint32_t bits) { return __atomic_fetch_and(p, bits, __ATOMIC_ACQ_REL); }
uint64_t cairn_atomic_load_u64(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
void cairn_atomic_store_u64(uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
int cairn_atomic_cas_u64(uint64_t *p, uint64_t expected, uint64_t desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
uint64_t cairn_atomic_fetch_add_u64(uint64_t *p, uint64_t v) { return __atomic_fetch_add(p, v, __ATOMIC_ACQ_REL); }

void cairn_spin_lock(uint32_t *p) {
    for (;;) {
        uint32_t expected = 0;
        if (__atomic_compare_exchange_n(p, &expected, 1, 1, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) return;
        while (__atomic_load_n(p, __ATOMIC_RELAXED)) pause();
    }
}

void cairn_spin_unlock(uint32_t *p) { __atomic_store_n(p, 0, __ATOMIC_RELEASE); }
