// swift-tools-version:6.1
import Foundation
import PackageDescription

/// `TOWER_FUZZ_BUILD=1` (scripts/fuzz, in its own scratch path): the modules that parse outside
/// input are built with libFuzzer's coverage and AddressSanitizer, and tower-fuzz becomes a
/// libFuzzer binary. Only these modules: the build tools (the resource bundler) stay plain.
let fuzzing = ProcessInfo.processInfo.environment["TOWER_FUZZ_BUILD"] == "1"
let parserSettings: [SwiftSetting] = fuzzing ? [.unsafeFlags(["-sanitize=fuzzer,address"]), .define("FUZZING")] : []

/// Tower: one program that runs coding agents through a durable, approval-gated workflow.
/// Modules depend downward only (see docs/ARCHITECTURE.md and ../shared/DESIGN.md §3).
let package = Package(
    name: "Tower",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tower", targets: ["tower"]),
        .executable(name: "tower-bench", targets: ["tower-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // Spans in every module (the API only: without a tracer bootstrapped they cost nothing).
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        // The OTLP/HTTP exporter, in the executables only; the gRPC one is not built.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        .target(name: "TowerCore", swiftSettings: parserSettings),
        // prompts/, themes/ and demo/ built into the binary as fallbacks (the BundleResources plugin).
        .executableTarget(name: "bundle-resources"),
        .plugin(name: "BundleResources", capability: .buildTool(), dependencies: ["bundle-resources"]),
        .target(name: "TowerResources", plugins: ["BundleResources"]),
        .systemLibrary(name: "CNcursesw", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),
        // The only code that calls ncursesw: turns canvases into the screen, keys into messages.
        .target(name: "TowerTerminal", dependencies: ["CNcursesw", "TowerConsole"]),
        .target(name: "TowerConfig", dependencies: [
            "TowerCore",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        // glibc's mallopt, for the allocator tuning the SQLite store needs (TowerStore/AllocatorTuning.swift).
        .systemLibrary(name: "CMalloc"),
        // SQLite (the embedded default) and PostgreSQL (shared by workers on several hosts).
        .target(name: "TowerStore", dependencies: [
            "TowerCore", "CMalloc",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "TowerEngine", dependencies: [
            "TowerCore", "TowerStore",
            .product(name: "Tracing", package: "swift-distributed-tracing"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // HTTP for the service clients: retry rules, Server-Sent Events, Link pagination, redaction.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "TowerNet", dependencies: [
            "TowerCore", "CCurl",
            .product(name: "Tracing", package: "swift-distributed-tracing"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ], swiftSettings: parserSettings),
        // The console's model, update and view: no ncurses here, so every screen renders to text in tests.
        .target(name: "TowerConsole", dependencies: [
            "TowerCore", "TowerConfig", "TowerResources", "TowerStore", "TowerEngine",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        // The outside world as typed APIs: GitHub, Jira, Slack, Sentry, and the local git forge.
        .target(name: "TowerServices", dependencies: [
            "TowerCore", "TowerNet", "TowerStore",
            .product(name: "Tracing", package: "swift-distributed-tracing"),
            .product(name: "Subprocess", package: "swift-subprocess"),
            .product(name: "SystemPackage", package: "swift-system"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ], swiftSettings: parserSettings),
        // Language models behind one protocol: Anthropic (streaming, tools) first.
        .target(name: "TowerLLM", dependencies: [
            "TowerCore", "TowerNet",
            .product(name: "Tracing", package: "swift-distributed-tracing"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            // SigV4's SHA-256 and HMAC for Bedrock.
            .product(name: "Crypto", package: "swift-crypto"),
            // The price table's file.
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        // The services as configured: clients built from the configuration, `doctor`'s checks, `tool`'s catalog.
        .target(name: "TowerGateway", dependencies: ["TowerCore", "TowerConfig", "TowerNet", "TowerServices", "TowerLLM", "TowerStore"]),
        // The agents: Discovery, Planning, Execution, CI/CD and Sentry, prompts, structured calls,
        // ranking and messages as pure logic beside the steps that do the I/O.
        .target(name: "TowerAgents", dependencies: [
            "TowerCore", "TowerConfig", "TowerStore", "TowerEngine", "TowerServices", "TowerLLM", "TowerGateway", "TowerResources",
            .product(name: "Tracing", package: "swift-distributed-tracing"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: parserSettings),
        // The webhook listener: verification, intake, routing, and the inbox's processing.
        .target(name: "TowerWebhooks", dependencies: [
            "TowerCore", "TowerConfig", "TowerStore", "TowerEngine", "TowerAgents", "TowerServices",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
        ], swiftSettings: parserSettings),
        // Traces exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT says where, and JSON log
        // lines: what `serve`, `run` and the console set up before the engine starts.
        .target(name: "TowerTelemetry", dependencies: [
            "TowerCore", "TowerConfig",
            .product(name: "OTel", package: "swift-otel"),
            .product(name: "Tracing", package: "swift-distributed-tracing"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The demo: the organization, ticket and recordings built into the binary, set up under the state directory.
        .target(name: "TowerDemo", dependencies: [
            "TowerAgents", "TowerCore", "TowerConfig", "TowerStore", "TowerEngine", "TowerServices", "TowerGateway", "TowerNet", "TowerLLM", "TowerResources",
        ]),
        .executableTarget(name: "tower", dependencies: [
            "TowerAgents", "TowerTelemetry", "TowerDemo", "TowerResources", "TowerWebhooks", "TowerLLM", "TowerCore", "TowerConfig", "TowerStore", "TowerEngine", "TowerConsole", "TowerTerminal", "TowerGateway", "TowerNet", "TowerServices",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
        ], linkerSettings: [
            // Start-up: the 125,000 relative relocations of a static binary packed (DT_RELR, glibc
            // 2.36+) instead of 3 MB of tables read at every start, and no table of every symbol
            // exported (nothing loads plug-ins into tower). lld does both.
            .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"], .when(platforms: [.linux]))
        ]),
        .executableTarget(name: "tower-bench", dependencies: [
            "TowerAgents", "TowerTelemetry", "TowerDemo", "TowerLLM", "TowerConfig", "TowerCore", "TowerStore", "TowerEngine", "TowerConsole", "TowerNet", "TowerServices",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        // The parsers of outside input under libFuzzer (scripts/fuzz builds it with
        // TOWER_FUZZ_BUILD=1); a plain build replays saved inputs through the same targets.
        .executableTarget(name: "tower-fuzz", dependencies: [
            "TowerAgents", "TowerCore", "TowerNet", "TowerServices", "TowerStore", "TowerWebhooks", "TowerTestSupport",
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: parserSettings,
        linkerSettings: [.unsafeFlags(["-use-ld=lld"] + (fuzzing ? ["-sanitize=fuzzer,address"] : []), .when(platforms: [.linux]))]),
        // Helpers shared by the tests and the test worker (temporary dirs, child processes, recording steps).
        .target(name: "TowerTestSupport", dependencies: [
            "TowerCore", "TowerStore", "TowerEngine", "TowerTestLog",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/TowerTestSupport"),
        // A child process for the multi-process tests: runs the engine with recording steps.
        .executableTarget(name: "tower-test-worker", dependencies: [
            "TowerCore", "TowerStore", "TowerEngine", "TowerTestSupport", "TowerAgents", "TowerConfig", "TowerGateway", "TowerNet",
        ], path: "Tests/TowerTestWorker"),
        .testTarget(name: "TowerCoreTests", dependencies: ["TowerCore", "TowerTestSupport"]),
        .testTarget(name: "TowerStoreTests", dependencies: ["TowerCore", "TowerStore", "TowerTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "TowerEngineTests", dependencies: [
            "TowerCore", "TowerStore", "TowerEngine", "TowerTestSupport", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "TowerConsoleTests", dependencies: ["TowerCore", "TowerStore", "TowerEngine", "TowerConsole", "TowerTestSupport"], exclude: ["__Snapshots__"]),
        // The secrets the tests use, and the run log that is scanned for them afterwards.
        .target(name: "TowerTestLog", path: "Tests/TowerTestLog"),
        // A Hummingbird server on a free loopback port, for the clients' protocol tests.
        .target(name: "TowerHTTPTestSupport", dependencies: [
            "TowerTestLog", "TowerCore", "TowerLLM",
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], path: "Tests/TowerHTTPTestSupport"),
        .testTarget(name: "TowerNetTests", dependencies: [
            "TowerCore", "TowerTestLog", "TowerNet", "TowerHTTPTestSupport",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], exclude: ["Fixtures"]),
        .testTarget(name: "TowerServicesTests", dependencies: [
            "TowerCore", "TowerServices", "TowerNet", "TowerStore", "TowerHTTPTestSupport", "TowerTestSupport", "TowerTestLog",
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], exclude: ["Fixtures"]),
        .testTarget(name: "TowerLLMTests", dependencies: [
            "TowerCore", "TowerTestLog", "TowerLLM", "TowerNet", "TowerHTTPTestSupport",
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], exclude: ["Fixtures"]),
        .testTarget(name: "TowerCLITests", dependencies: [
            "TowerCore", "TowerStore", "TowerEngine", "TowerConfig", "TowerTestSupport", "TowerTestLog", "TowerHTTPTestSupport", "TowerNet",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            // Signing the Slack command the audit story sends to `tower serve`.
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "TowerAgentsTests", dependencies: [
            "TowerCore", "TowerAgents", "TowerDemo", "TowerResources", "TowerConfig", "TowerStore", "TowerEngine", "TowerServices", "TowerLLM", "TowerGateway", "TowerNet",
            "TowerConsole", "TowerTestSupport", "TowerTestLog", "TowerHTTPTestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
        ], exclude: ["Fixtures"]),
        .testTarget(name: "TowerWebhooksTests", dependencies: [
            "TowerCore", "TowerWebhooks", "TowerStore", "TowerEngine", "TowerNet", "TowerTestSupport", "TowerTestLog", "TowerHTTPTestSupport",
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], exclude: ["Fixtures"]),
        .testTarget(name: "TowerTelemetryTests", dependencies: [
            "TowerTelemetry",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "TowerGatewayTests", dependencies: [
            "TowerCore", "TowerConfig", "TowerGateway", "TowerServices", "TowerNet", "TowerTestLog", "TowerHTTPTestSupport",
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
