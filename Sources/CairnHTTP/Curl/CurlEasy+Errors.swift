import CCurl
import Glibc

extension CurlEasy {
    /// The typed error for a failed transfer, classified from its `CURLcode` (and the socket `errno` for
    /// failed connects).
    func error(for code: CURLcode) -> HTTPError {
        let detail = describe(code)
        let raw = Int32(code.rawValue)
        func make(_ kind: HTTPError.Kind, _ summary: String) -> HTTPError {
            HTTPError(kind, "\(label): \(summary) (\(detail))", curlCode: raw)
        }
        switch code {
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_NOT_BUILT_IN:
            return make(.invalidRequest, "malformed or unsupported URL")
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return make(.dnsFailure, "host name could not be resolved")
        case CURLE_COULDNT_CONNECT:
            return osErrno == Int(ECONNREFUSED)
                ? make(.connectionRefused, "connection refused")
                : make(.connectionFailed, "could not connect")
        case CURLE_OPERATION_TIMEDOUT:
            return make(.timeout, "no complete response within \(Self.seconds(timeout))")
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2,
            CURLE_HTTP2_STREAM, CURLE_HTTP3, CURLE_WEIRD_SERVER_REPLY:
            return make(.connectionLost, "connection lost before the response was complete")
        case CURLE_WRITE_ERROR where responseWasTooLarge:
            return make(.responseTooLarge, "response body larger than the request allows")
        case CURLE_ABORTED_BY_CALLBACK:
            return make(.cancelled, "cancelled")
        case CURLE_TOO_MANY_REDIRECTS:
            return make(.transport, "too many redirects")
        default:
            if Self.isTLSFailure(code) {
                return make(.tls, "TLS handshake or certificate verification failed")
            }
            return make(.transport, "transfer failed")
        }
    }

    private static func isTLSFailure(_ code: CURLcode) -> Bool {
        switch code {
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
            CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            true
        default:
            false
        }
    }

    /// `1.5 s`, `200 ms`.
    static func seconds(_ duration: Duration) -> String {
        let (whole, atto) = duration.components
        let ms = whole * 1000 + atto / 1_000_000_000_000_000
        return ms < 1000 ? "\(ms) ms" : "\(Double(ms) / 1000) s"
    }
}
