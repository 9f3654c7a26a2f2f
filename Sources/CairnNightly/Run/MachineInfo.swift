/// The machine a nightly run ran on. Runs are compared only with runs of the same ``kind``.
public struct MachineInfo: Sendable, Hashable, Codable {
    /// The CPU's model name (`AMD EPYC 7B12`).
    public var cpuModel: String
    /// The widest vector instructions the kernels use (`avx512`, `avx2`, `neon`, `scalar`).
    public var simd: String
    /// The kernel OpenBLAS runs (`Zen`, `Haswell`, `Cooperlake`).
    public var blasCore: String
    /// Cores the process may use.
    public var cores: Int
    /// Memory in GiB.
    public var memoryGiB: Double

    public init(cpuModel: String, simd: String, blasCore: String, cores: Int, memoryGiB: Double) {
        self.cpuModel = cpuModel
        self.simd = simd
        self.blasCore = blasCore
        self.cores = cores
        self.memoryGiB = memoryGiB
    }

    /// Same CPU model, instruction set and core count: runs whose numbers can be compared.
    public var kind: String { "\(cpuModel) · \(simd) · \(cores) cores" }
}
