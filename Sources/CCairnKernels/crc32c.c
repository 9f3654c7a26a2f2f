// CRC32C (Castagnoli, reflected polynomial 0x82F63B78) with the SSE4.2 instruction when present.
#include "CairnKernels.h"

#include <immintrin.h>
#include <string.h>

static uint32_t table[256];
static int table_ready = 0;

static void build_table(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        table[i] = c;
    }
    table_ready = 1;
}

static uint32_t crc_soft(uint32_t crc, const uint8_t *p, size_t len) {
    if (!table_ready) build_table();
    while (len--) crc = table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return crc;
}

__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t crc, const uint8_t *p, size_t len) {
    uint64_t c = crc;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c = _mm_crc32_u64(c, w);
        p += 8;
        len -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (len--) c32 = _mm_crc32_u8(c32, *p++);
    return c32;
}

uint32_t cairn_crc32c(uint32_t crc, const void *data, size_t len) {
    static int hw = -1;
    if (hw < 0) {
        __builtin_cpu_init();
        hw = __builtin_cpu_supports("sse4.2") ? 1 : 0;
    }
    crc = ~crc;
    crc = hw ? crc_hw(crc, (const uint8_t *)data, len) : crc_soft(crc, (const uint8_t *)data, len);
    return ~crc;
}
