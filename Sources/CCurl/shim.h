#ifndef CAIRN_CCURL_SHIM_H
#define CAIRN_CCURL_SHIM_H
#include <curl/curl.h>

// Swift cannot call C variadic functions, so each curl_easy_setopt / curl_easy_getinfo / curl_multi_setopt
// argument type Cairn uses gets a typed inline wrapper.

static inline CURLcode cairn_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode cairn_curl_easy_setopt_off(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/// Strings, curl_slist pointers, error buffers and callback user data.
static inline CURLcode cairn_curl_easy_setopt_pointer(CURL *handle, CURLoption option, const void *value) {
    return curl_easy_setopt(handle, option, value);
}

/// CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION.
static inline CURLcode cairn_curl_easy_setopt_write_callback(CURL *handle, CURLoption option,
                                                             curl_write_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

static inline CURLcode cairn_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode cairn_curl_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}

#endif
