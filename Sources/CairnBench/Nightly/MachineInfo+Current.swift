public import CairnNightly
import CairnVectorMath
import Foundation

extension MachineInfo {
    /// This machine: the CPU model from `/proc/cpuinfo`, the kernels' SIMD level, the OpenBLAS core, the cores
    /// this process may use and the memory.
    public static func current() -> MachineInfo {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        return MachineInfo(cpuModel: model, simd: SIMDInfo.level, blasCore: BLASInfo.coreName,
                           cores: ProcessInfo.processInfo.activeProcessorCount,
                           memoryGiB: (Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824 * 10).rounded() / 10)
    }

    /// The 1-minute load average, from `/proc/loadavg` (0 when unreadable).
    public static func loadAverage() -> Double {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "").split(separator: " ").first
            .flatMap { Double($0) } ?? 0
    }
}
