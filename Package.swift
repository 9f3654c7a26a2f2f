// swift-tools-version:6.1
import PackageDescription

/// Settings every Swift target shares (see docs/ARCHITECTURE.md, "Code conventions").
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release)),
]

let package = Package(
    name: "Cairn",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cairn", targets: ["CairnCLI"]),
        .library(name: "CairnIndex", targets: ["CairnIndex"]),
        .library(name: "CairnStorage", targets: ["CairnStorage"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        // FullFoundation only: the default trait ConfigurationSupport would build swift-configuration, unused here.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
    ],
    targets: [
        // C system libraries: one module map each, wrapped by exactly one Swift target.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ"),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        // Hand-written C kernels: SIMD distances (float32 and int8 codes) with run-time CPU dispatch, CRC32C, seqlocks.
        .target(
            name: "CCairnKernels",
            path: "Sources/CCairnKernels",
            cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])]
        ),
        .target(
            name: "CairnVectorMath",
            dependencies: ["CBLAS", "CCairnKernels"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CairnIndex",
            dependencies: ["CairnVectorMath", "CCairnKernels"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CairnStorage",
            dependencies: [
                "CairnIndex", "CairnVectorMath", "CCairnKernels",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // libcurl behind one Swift type: every outbound HTTP request of Cairn.
        .target(
            name: "CairnHTTP",
            dependencies: ["CCurl", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        // Keyword search: Unicode tokenisation (case and accent folding, code-like tokens, CJK bigrams, stop words)
        // and an in-memory BM25 index over chunk labels. No I/O: the ingestion layer keeps it in step with the store.
        .target(
            name: "CairnKeyword",
            swiftSettings: strictSettings
        ),
        // The nightly benchmark's history, regression rules and report (no benchmark code: CairnBench runs them).
        .target(
            name: "CairnNightly",
            dependencies: ["CairnSQL"],
            swiftSettings: strictSettings
        ),
        // sqlite3 behind one Swift type: the embedded relational store and the embedding cache.
        .target(
            name: "CairnSQL",
            dependencies: ["CSQLite"],
            swiftSettings: strictSettings
        ),
        // libpq behind one Swift type: connections, binary parameters, COPY, recorded migrations.
        .target(
            name: "CairnPostgres",
            dependencies: ["CLibPQ"],
            swiftSettings: strictSettings
        ),
        // The PostgreSQL mirror: the outbox in the embedded store, applying it to PostgreSQL, verify, rebuild.
        .target(
            name: "CairnMirror",
            dependencies: [
                "CairnPostgres", "CairnSQL", "CairnIngest", "CairnEmbedding", "CairnIndex", "CairnStorage",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Embedders: the built-in all-MiniLM-L6-v2 on BLAS, remote APIs over CairnHTTP, the embedding cache.
        .target(
            name: "CairnEmbedding",
            dependencies: [
                "CairnVectorMath", "CairnHTTP", "CairnSQL", "CCairnKernels",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Ingestion: text extraction per format, token-aware chunking, the material store (SQLite), the
        // pipeline and processing jobs that keep the store and the vector index in step.
        .target(
            name: "CairnIngest",
            dependencies: [
                "CairnEmbedding", "CairnKeyword", "CairnSQL", "CairnStorage", "CairnIndex", "CairnVectorMath", "CCairnKernels",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Datasets (.fvecs/.ivecs, seeded synthetic sets), ground truth and the benchmark runners.
        .target(
            name: "CairnBench",
            dependencies: [
                "CairnService", "CairnDialogue", "CairnHTTP", "CairnIngest", "CairnKeyword", "CairnEmbedding", "CairnMirror", "CairnNightly", "CairnPostgres", "CairnSQL",
                "CairnStorage", "CairnIndex", "CairnVectorMath", "CBLAS",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The dialogue module: answers recorded with resolved citations, cost and citation rate; daily rollups
        // against SLOs; the HTML report; prompt templates and the chat-completions client.
        .target(
            name: "CairnDialogue",
            dependencies: [
                "CairnIngest", "CairnEmbedding", "CairnHTTP", "CairnSQL",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The retrieval service: the long-lived library, the ingestion queue, API keys, limits, the retrieval
        // log and the service's metrics. No HTTP types.
        .target(
            name: "CairnService",
            dependencies: [
                "CairnDialogue", "CairnIngest", "CairnKeyword", "CairnEmbedding", "CairnMirror", "CairnNightly", "CairnPostgres",
                "CairnSQL", "CairnStorage", "CairnIndex", "CairnVectorMath",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        // The HTTP API on Hummingbird: routes, the request context, middleware, error mapping, OpenAPI.
        .target(
            name: "CairnAPI",
            dependencies: [
                "CairnService", "CairnDialogue", "CairnIngest", "CairnKeyword", "CairnEmbedding", "CairnNightly",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "CairnCLI",
            dependencies: [
                "CairnAPI", "CairnService", "CairnDialogue", "CairnBench", "CairnIngest", "CairnKeyword", "CairnEmbedding", "CairnMirror", "CairnNightly", "CairnPostgres",
                "CairnStorage", "CairnIndex", "CairnVectorMath",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "CairnBench", "CairnEmbedding", "CairnHTTP", "CairnIndex", "CairnIngest", "CairnPostgres", "CairnVectorMath",
                "CairnStorage",
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnVectorMathTests",
            dependencies: ["CairnVectorMath", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnIndexTests",
            dependencies: ["CairnIndex", "CairnVectorMath", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnStorageTests",
            dependencies: [
                "CairnStorage", "CairnIndex", "CairnVectorMath", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnNightlyTests",
            dependencies: ["CairnNightly", "CairnIngest", "CairnSQL", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnKeywordTests",
            dependencies: ["CairnKeyword", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnHTTPTests",
            dependencies: ["CairnHTTP", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnSQLTests",
            dependencies: ["CairnSQL", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnPostgresTests",
            dependencies: ["CairnPostgres", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnMirrorTests",
            dependencies: [
                "CairnMirror", "CairnPostgres", "CairnIngest", "CairnSQL", "CairnEmbedding", "CairnIndex", "CairnStorage",
                "CairnNightly", "TestSupport",
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnEmbeddingTests",
            dependencies: ["CairnEmbedding", "CairnHTTP", "CairnSQL", "CairnVectorMath", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnIngestTests",
            dependencies: ["CairnIngest", "CairnKeyword", "CairnEmbedding", "CairnSQL", "CairnStorage", "CairnIndex", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnBenchTests",
            dependencies: ["CairnBench", "CairnEmbedding", "CairnNightly", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnDialogueTests",
            dependencies: ["CairnDialogue", "CairnIngest", "CairnHTTP", "CairnSQL", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnServiceTests",
            dependencies: ["CairnService", "CairnIngest", "CairnKeyword", "CairnEmbedding", "CairnSQL", "CairnIndex", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnAPITests",
            dependencies: [
                "CairnAPI", "CairnService", "CairnIngest", "CairnEmbedding", "CairnSQL", "CairnHTTP", "TestSupport",
                "CairnDialogue", "CairnMirror", "CairnPostgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CairnCLITests",
            // Depends on the executable so that `swift test` builds the `cairn` binary the crash tests run.
            dependencies: [
                "CairnCLI", "CairnDialogue", "CairnIndex", "CairnIngest", "CairnPostgres", "CairnSQL", "CairnStorage", "CairnVectorMath",
                "TestSupport",
            ],
            swiftSettings: strictSettings
        ),
    ]
)
