import Glibc

/// Which BLAS runs underneath, how many threads it uses, and whether its configuration slows it down.
///
/// The OpenBLAS-specific entry points are looked up with `dlsym` at run time: Debian's `libblas.so.3`
/// from OpenBLAS loads `libopenblas.so.0`, which exports them, while the reference BLAS does not. When
/// they are absent, ``coreName`` is `"unknown"` and thread control does nothing.
///
/// ```swift
/// print(BLASInfo.coreName, BLASInfo.threads ?? 0)     // "SkylakeX 2"
/// if let w = BLASInfo.warning { log.warning("\(w)") }
/// ```
public enum BLASInfo {
    private typealias GetString = @convention(c) () -> UnsafeMutablePointer<CChar>?
    private typealias GetInt = @convention(c) () -> Int32
    private typealias SetInt = @convention(c) (Int32) -> Void

    private static func symbol(_ name: String) -> UnsafeMutableRawPointer? {
        // RTLD_DEFAULT is the null handle on glibc: search every object loaded into the process.
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), name)
    }

    /// The kernel family OpenBLAS chose for this CPU (for example "SkylakeX", "Haswell"), or "unknown".
    public static var coreName: String {
        guard let s = symbol("openblas_get_corename") else { return "unknown" }
        guard let p = unsafeBitCast(s, to: GetString.self)() else { return "unknown" }
        return String(cString: p)
    }

    /// OpenBLAS's build description (version, DYNAMIC_ARCH, threading), or nil when not OpenBLAS.
    public static var configuration: String? {
        guard let s = symbol("openblas_get_config"), let p = unsafeBitCast(s, to: GetString.self)() else {
            return nil
        }
        return String(cString: p).trimmingSpaces()
    }

    /// The number of threads OpenBLAS uses for one call, or nil when not OpenBLAS.
    public static var threads: Int? {
        guard let s = symbol("openblas_get_num_threads") else { return nil }
        return Int(unsafeBitCast(s, to: GetInt.self)())
    }

    /// Sets the number of threads OpenBLAS uses for one call (process-wide); returns whether it could.
    @discardableResult
    public static func setThreads(_ n: Int) -> Bool {
        guard let s = symbol("openblas_set_num_threads") else { return false }
        unsafeBitCast(s, to: SetInt.self)(Int32(clamping: max(1, n)))
        return true
    }

    /// A one-line summary for logs and `cairn bench`: core, threads, SIMD level of Cairn's own kernels.
    public static var summary: String {
        "BLAS core \(coreName), \(threads.map(String.init) ?? "?") threads; kernels \(SIMDInfo.level)"
    }

    /// Why BLAS runs slower than this CPU allows, or nil when nothing is wrong.
    ///
    /// Non-nil when `OPENBLAS_CORETYPE` forces kernels for an older instruction set than the CPU has
    /// (e.g. `OPENBLAS_CORETYPE=Haswell`, AVX2, on a CPU with AVX-512), or when it is unset and OpenBLAS,
    /// not recognising a newer CPU, fell back to old kernels on its own (OpenBLAS 0.3.21 picks
    /// "Prescott", SSE3, on Emerald Rapids Xeons: sgemm then runs several times slower).
    public static var warning: String? {
        warning(coreTypeSetting: coreTypeSetting, runningCore: coreName, cpuLevel: cpuLevel)
    }

    /// The `OPENBLAS_CORETYPE` value that would give full speed, when OpenBLAS runs older kernels than
    /// the CPU supports and the variable is unset; nil otherwise.
    ///
    /// OpenBLAS reads the variable once, when it is loaded, so it must be set before the process starts
    /// (for example by re-executing the binary with it).
    public static var recommendedCoreType: String? {
        recommendedCoreType(coreTypeSetting: coreTypeSetting, runningCore: coreName, cpuLevel: cpuLevel)
    }

    /// The warning for an `OPENBLAS_CORETYPE` setting, the core OpenBLAS runs, and the CPU's level
    /// (0 older, 1 AVX2, 2 AVX-512).
    public static func warning(coreTypeSetting: String?, runningCore: String, cpuLevel: Int) -> String? {
        if let raw = coreTypeSetting?.trimmingSpaces(), !raw.isEmpty {
            guard let forced = instructionLevel(ofCore: raw), forced < cpuLevel else { return nil }
            return "OPENBLAS_CORETYPE=\(raw) holds OpenBLAS to \(levelName(forced)) kernels on a CPU with "
                + "\(levelName(cpuLevel)); unset it for full speed"
        }
        guard let running = instructionLevel(ofCore: runningCore), running < cpuLevel,
              let better = recommendedCoreType(coreTypeSetting: nil, runningCore: runningCore, cpuLevel: cpuLevel)
        else { return nil }
        return "OpenBLAS does not recognise this CPU and runs its \(runningCore) (\(levelName(running))) kernels on a CPU "
            + "with \(levelName(cpuLevel)); start the process with OPENBLAS_CORETYPE=\(better) for full speed"
    }

    /// The core to force for a CPU level when OpenBLAS runs an older one and nothing is forced yet.
    public static func recommendedCoreType(coreTypeSetting: String?, runningCore: String, cpuLevel: Int) -> String? {
        if let raw = coreTypeSetting?.trimmingSpaces(), !raw.isEmpty { return nil }
        guard let running = instructionLevel(ofCore: runningCore), running < cpuLevel else { return nil }
        switch cpuLevel {
        case 2...: return "SkylakeX"
        case 1: return "Haswell"
        default: return nil
        }
    }

    private static var coreTypeSetting: String? {
        getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
    }

    /// The CPU's instruction level for BLAS purposes: 2 with AVX-512 F/BW/VL (what OpenBLAS's
    /// SkylakeX kernels need), 1 with AVX2 and FMA, else 0. Read from /proc/cpuinfo, so a SIMD level
    /// forced down by a test does not change it; falls back to Cairn's own kernel level elsewhere.
    static let cpuLevel: Int = {
        guard let flags = cpuFlags() else { return Kernels.simdLevel }
        if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl"]) { return 2 }
        if flags.isSuperset(of: ["avx2", "fma"]) { return 1 }
        return 0
    }()

    private static func cpuFlags() -> Set<Substring>? {
        guard let f = fopen("/proc/cpuinfo", "r") else { return nil }
        defer { fclose(f) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var cap = 0
        defer { free(line) }
        while getline(&line, &cap, f) > 0 {
            guard let line else { break }
            let s = String(cString: line)
            if s.hasPrefix("flags") {
                return Set(s.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == ":" }))
            }
        }
        return nil
    }

    private static func levelName(_ level: Int) -> String { ["SSE", "AVX2", "AVX-512"][max(0, min(level, 2))] }

    /// The instruction level of an OpenBLAS x86-64 core name: 2 AVX-512, 1 AVX2, 0 older; nil if unknown.
    static func instructionLevel(ofCore name: String) -> Int? {
        let n = name.lowercased()
        if ["skylakex", "cooperlake", "sapphirerapids"].contains(n) { return 2 }
        if ["haswell", "zen", "zen3"].contains(n) { return 1 }
        let older = [
            "sandybridge", "nehalem", "core2", "penryn", "dunnington", "atom", "prescott", "katmai",
            "coppermine", "northwood", "banias", "opteron", "opteron_sse3", "barcelona", "shanghai",
            "istanbul", "bobcat", "bulldozer", "piledriver", "steamroller", "excavator", "nano", "generic",
        ]
        return older.contains(n) ? 0 : nil
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
