import ArgumentParser
import CairnVectorMath
import Foundation
import Glibc

/// The `cairn` command: the retrieval service, ingestion, the vector index and benchmarks.
@main
struct Cairn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cairn",
        abstract: "Cairn: retrieval and embedding for grounded AI coaches, with its own vector index.",
        subcommands: [
            ServeCommand.self, KeysCommand.self, IndexCommand.self, SearchCommand.self, InfoCommand.self,
            EmbedCommand.self, VectorsCommand.self, MirrorCommand.self, MetricsCommand.self, ReportCommand.self,
            RetentionCommand.self, PromptsCommand.self, RecallCheckCommand.self, BenchCommand.self,
        ]
    )

    static func main() async {
        BLASEnvironment.reexecIfMisdetected()
        if let message = CommandSuggestion.unknownCommandMessage(Array(CommandLine.arguments.dropFirst()),
                                                                 commands: configuration.subcommands) {
            FileHandle.standardError.write(Data(message.utf8))
            Glibc.exit(64)
        }
        await main(nil)
    }
}

/// `cairn bench …`: benchmarks that compare Cairn with its peers in one run.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a benchmark and compare it with peers measured in the same run.",
        subcommands: [BenchIndexCommand.self, BenchEmbedCommand.self, BenchIngestCommand.self, BenchServeCommand.self, BenchQualityCommand.self,
                      BenchMirrorCommand.self, BenchDialogueCommand.self,
                      BenchStartupCommand.self, BenchNightlyCommand.self]
    )
}

/// Gives OpenBLAS the kernels this CPU deserves.
///
/// OpenBLAS picks its kernels once, when it is loaded, from `OPENBLAS_CORETYPE` or its own CPU detection.
/// Debian's OpenBLAS 0.3.21 does not recognise recent Xeons and falls back to SSE3 ("Prescott") kernels,
/// several times slower. When the variable is unset and that happened, `cairn` re-executes itself once with
/// the right core set. An explicit setting is respected (and `cairn info` / `cairn bench` warn about it).
enum BLASEnvironment {
    static func reexecIfMisdetected() {
        guard getenv("CAIRN_BLAS_REEXEC") == nil, let core = BLASInfo.recommendedCoreType else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv("CAIRN_BLAS_REEXEC", "1", 1)
        var argv: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", &argv)
        // exec failed: carry on with the slower kernels (the warning says why).
        unsetenv("OPENBLAS_CORETYPE")
    }
}
