import CCurl

/// libcurl's process-wide initialisation, done once before the first handle is created.
///
/// `curl_global_init` is not thread-safe in older libcurl releases; a Swift global is initialised exactly
/// once under a lock, which makes this safe whichever thread creates the first handle. It is never undone:
/// `curl_global_cleanup` at exit would race with threads still using handles.
enum CurlGlobal {
    /// The result of `curl_global_init(CURL_GLOBAL_DEFAULT)`, as an error message when it failed.
    private static let initialization: String? = {
        let code = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        return code == CURLE_OK ? nil : "curl_global_init failed: \(String(cString: curl_easy_strerror(code)))"
    }()

    /// Makes sure libcurl is initialised; throws if it could not be.
    static func ensureInitialized() throws(HTTPError) {
        if let failure = initialization {
            throw HTTPError(.transport, failure)
        }
    }

    /// The libcurl version string, e.g. `libcurl/7.88.1 OpenSSL/3.0.15 zlib/1.2.13`.
    static var version: String { String(cString: curl_version()) }
}
