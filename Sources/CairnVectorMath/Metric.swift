internal import CCairnKernels

/// How two vectors are compared. Every index and scan orders by ascending ``distance``.
///
/// - `cosine`: vectors are L2-normalised on insert and queries before search; distance is `1 - dot`.
/// - `innerProduct`: distance is `1 - dot` on the raw vectors (the hnswlib convention).
/// - `l2`: distance is the squared Euclidean distance.
public enum Metric: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case cosine
    case innerProduct = "ip"
    case l2

    /// Stable one-byte code used in file headers.
    public var code: UInt8 {
        switch self {
        case .cosine: 1
        case .innerProduct: 2
        case .l2: 3
        }
    }

    /// The metric stored under a header `code`, or nil for an unknown code.
    public init?(code: UInt8) {
        switch code {
        case 1: self = .cosine
        case 2: self = .innerProduct
        case 3: self = .l2
        default: return nil
        }
    }

    /// Whether vectors are normalised before they are stored or searched.
    public var normalizes: Bool { self == .cosine }

    public var description: String { rawValue }

    /// The similarity reported to callers for a distance: `1 - d` for cosine and inner product, `-d` for L2.
    public func similarity(fromDistance d: Float) -> Float {
        self == .l2 ? -d : 1 - d
    }
}

/// A distance kernel bound once to the machine's best instruction set.
///
/// Fetch it once (``init(metric:dimension:)``) and call it on hot paths: the call is a direct C
/// function-pointer call into an AVX-512, AVX2+FMA or scalar kernel chosen at start-up.
public struct DistanceKernel: @unchecked Sendable {
    public let metric: Metric
    public let dimension: Int
    @usableFromInline let pair: @convention(c) (UnsafePointer<Float>?, UnsafePointer<Float>?, Int) -> Float
    @usableFromInline let quad:
        @convention(c) (UnsafePointer<Float>?, UnsafePointer<UnsafePointer<Float>?>?, Int, UnsafeMutablePointer<Float>?)
            -> Void
    @usableFromInline let isDot: Bool

    public init(metric: Metric, dimension: Int) {
        self.metric = metric
        self.dimension = dimension
        self.isDot = metric != .l2
        self.pair = isDot ? cairn_dot_fn()! : cairn_l2sq_fn()!
        self.quad = isDot ? cairn_dot4_fn()! : cairn_l2sq4_fn()!
    }

    /// Whether distances are squared L2 (else 1 - dot product).
    public var isL2: Bool { !isDot }

    /// Distance between two vectors of ``dimension`` floats.
    @inlinable @inline(__always)
    public func distance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>) -> Float {
        let r = pair(a, b, dimension)
        return isDot ? 1 - r : r
    }

    /// Distances from `a` to the four vectors `vectors[0..<4]`, written to `out[0..<4]`: one pass over `a` for
    /// the four, cheaper than four ``distance(_:_:)`` calls when the vectors are in cache.
    @inlinable @inline(__always)
    public func distances4(
        from a: UnsafePointer<Float>, to vectors: UnsafePointer<UnsafePointer<Float>?>,
        into out: UnsafeMutablePointer<Float>
    ) {
        quad(a, vectors, dimension, out)
        if isDot { for j in 0..<4 { out[j] = 1 - out[j] } }
    }

    /// Distances from `query` to each vector in `vectors`, written to `out`.
    public func distances(
        from query: UnsafePointer<Float>, to vectors: UnsafePointer<UnsafePointer<Float>?>, count: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        if isDot {
            cairn_dot_many(query, vectors, count, dimension, out)
            for i in 0..<count { out[i] = 1 - out[i] }
        } else {
            cairn_l2sq_many(query, vectors, count, dimension, out)
        }
    }
}

/// Facts about the SIMD kernels in use.
public enum SIMDInfo {
    /// "avx512", "avx2" or "scalar".
    public static var level: String { String(cString: cairn_simd_name()) }

    /// Lowers the kernels to `level` (0 scalar, 1 AVX2, 2 AVX-512) for the rest of the process; tests only.
    @discardableResult
    public static func force(level: Int32) -> Int32 { cairn_simd_force_level(level) }
}

/// Scales `v` (of `count` floats) to unit length in place; returns its previous norm.
@discardableResult
public func normalize(_ v: UnsafeMutablePointer<Float>, count: Int) -> Float {
    cairn_normalize(v, count)
}

/// CRC32C (Castagnoli) of a byte range, continuing from `crc` (start with 0).
public func crc32c(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
    cairn_crc32c(crc, bytes.baseAddress, bytes.count)
}
