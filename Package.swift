// swift-tools-version: 6.1
// The package graph on one screen. What may import what is in Docs/architecture.md:
// NeedleCore imports nothing; PenSimulator imports NeedleCore only.
import Foundation
import PackageDescription

/// NEEDLED_LIBGPIOD=2 builds the GPIO adapter for libgpiod 2.x instead of 1.6 (its pkg-config file
/// found through PKG_CONFIG_PATH; Scripts/libgpiod2 makes such a prefix). Docs/hardware.md.
let libgpiodSettings: [SwiftSetting] =
    ProcessInfo.processInfo.environment["NEEDLED_LIBGPIOD"] == "2" ? [.define("NEEDLED_LIBGPIOD2")] : []

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "needled",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "NeedleCore", targets: ["NeedleCore"]),
        .library(name: "PenSimulator", targets: ["PenSimulator"]),
        .executable(name: "needled", targets: ["needled"]),
        .executable(name: "needlectl", targets: ["needlectl"]),
        // For the fuzz package in Fuzz/ (libFuzzer builds need their own flags and build directory).
        .library(name: "FuzzTargets", targets: ["FuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // The pure core: units, limits, state machine, controllers, supervisor. No I/O, no clocks.
        .target(name: "NeedleCore", path: "Sources/NeedleCore", swiftSettings: strictSettings),
        // The simulated pen: a physical model behind the same PenHardware protocol as real GPIO.
        .target(
            name: "PenSimulator", dependencies: ["NeedleCore"], path: "Simulator",
            exclude: ["Campaign", "LoopSimulation"],
            swiftSettings: strictSettings),
        // The daemon's control loop on the simulated pen in simulated time: the tests' and the fault
        // campaign's one way to tick, the same as the daemon's loop thread.
        .target(
            name: "LoopSimulation",
            dependencies: ["NeedleCore", "PenSimulator", "NeedledLoop", "NeedledSimulatedBackend"],
            path: "Simulator/LoopSimulation", swiftSettings: strictSettings),
        // The fault campaign: random treatments with injected faults, the safety invariants
        // checked every tick. Shared by the property tests and the fault-campaign tool.
        .target(
            name: "FaultCampaign", dependencies: ["NeedleCore", "PenSimulator", "LoopSimulation"],
            path: "Simulator/Campaign",
            swiftSettings: strictSettings),
        .executableTarget(
            name: "fault-campaign",
            dependencies: [
                "FaultCampaign", "NeedleCore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings),
        // JSON-RPC 2.0: line framing, codec, dispatch. NIOCore only: no sockets here.
        .target(
            name: "NeedledRPC",
            dependencies: ["NeedleCore", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings),
        // The daemon, in layers the compiler keeps (Docs/architecture.md, "Layout"). The loop:
        // the tick thread, its rings and the backend protocol; the core and the platform only.
        .target(
            name: "NeedledLoop", dependencies: ["NeedleCore", "CLoopWake"], swiftSettings: strictSettings),
        // The backends: the simulated pen in real time, and GPIO (neither links the other).
        .target(
            name: "NeedledSimulatedBackend", dependencies: ["NeedleCore", "NeedledLoop", "PenSimulator"],
            swiftSettings: strictSettings),
        .target(
            name: "NeedledGPIOBackend", dependencies: ["NeedleCore", "NeedledLoop", "NeedledGPIO", "NeedledUdev"],
            swiftSettings: strictSettings),
        // The configuration: needled.toml read whole or refused, every key with its range.
        .target(
            name: "NeedledConfig",
            dependencies: [
                "NeedleCore", "NeedledRPC", "NeedledStore", "NeedledLoop", "NeedledGPIOBackend",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings),
        // The server: the socket, the API's methods, the records kept from the loop's events.
        .target(
            name: "NeedledServer",
            dependencies: [
                "NeedleCore", "NeedledLoop", "NeedledRPC", "NeedledStore", "NeedledFHIR", "NeedledConfig",
                "NeedledFleet", "NeedledMetrics",
                "CLoopWake",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings),
        // systemd: sd_notify, the watchdog that follows the loop, socket activation, SIGHUP.
        .target(
            name: "NeedledSystemd",
            dependencies: [
                "NeedledLoop", "NeedledRPC", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings),
        // The assembly: the service group, in the order the daemon starts and stops.
        .target(
            name: "NeedledDaemon",
            dependencies: [
                "NeedleCore", "PenSimulator", "NeedledLoop", "NeedledSimulatedBackend", "NeedledGPIOBackend",
                "NeedledConfig", "NeedledServer", "NeedledSystemd", "NeedledRPC", "NeedledGPIO", "NeedledUdev",
                "NeedledStore", "NeedledFleet", "NeedledMetrics", "CMalloc",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings),
        .executableTarget(
            name: "needled",
            dependencies: [
                "NeedledDaemon", "NeedledConfig", "NeedledServer", "NeedledSystemd", "NeedledRPC", "NeedledGPIO",
                "NeedledStore", "NeedledFleet", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
        // Treatment records and single-use cartridges in SQLite (GRDB): the product's memory.
        .target(
            name: "NeedledStore",
            dependencies: [
                "CMalloc", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings),
        // Records in the clinic's standard: a session as FHIR R4 resources (pure: rows in, JSON out).
        .target(
            name: "NeedledFHIR",
            dependencies: ["NeedledStore", "NeedledRPC", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings),
        // The clinic's pens as one fleet on its PostgreSQL: the single-use ledger (postgres-nio, TLS).
        .target(
            name: "NeedledFleet",
            dependencies: [
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings),
        // The metrics Prometheus scrapes (swift-prometheus) and their HTTP listener (NIOHTTP1).
        .target(
            name: "NeedledMetrics",
            dependencies: [
                "NeedleCore", "NeedledLoop", .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings),
        // libgpiod (1.6 on Debian 12, or 2.x with NEEDLED_LIBGPIOD=2): only NeedledGPIO imports it.
        // glibc's malloc.h (mallopt, malloc_trim): the daemon keeps its locked memory small.
        .systemLibrary(name: "CMalloc"),
        // eventfd and ppoll: the loop sleeps to its deadline or until a stop wakes it.
        .systemLibrary(name: "CLoopWake"),
        .systemLibrary(name: "CGPIOD", pkgConfig: "libgpiod", providers: [.apt(["libgpiod-dev"])]),
        // Typed Swift over libgpiod: chips found by label, lines by name, errors with errno.
        .target(
            name: "NeedledGPIO",
            dependencies: ["CGPIOD", .product(name: "SystemPackage", package: "swift-system")],
            swiftSettings: strictSettings + libgpiodSettings),
        // libudev: listing the GPIO chips and watching them come and go. Only NeedledUdev imports it.
        .systemLibrary(name: "CUdev", pkgConfig: "libudev", providers: [.apt(["libudev-dev"])]),
        .target(name: "NeedledUdev", dependencies: ["CUdev"], swiftSettings: strictSettings),
        // Checks NeedledGPIO against a real kernel's gpio-sim chip (run inside the test VM).
        .executableTarget(
            name: "gpio-selftest", dependencies: ["NeedledGPIO", "NeedledUdev"], swiftSettings: strictSettings),
        // A small blocking client for the socket: needlectl and the integration tests use it.
        .target(name: "NeedledClient", dependencies: ["NeedledRPC"], swiftSettings: strictSettings),
        .executableTarget(
            name: "needlectl",
            dependencies: [
                "NeedledClient", "NeedledRPC", "NeedleCore", "PenSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings),
        // Allocation counts of the tick (ordo-one/benchmark): 0 per tick, gated in CI.
        .executableTarget(
            name: "TickAllocations",
            dependencies: [
                "NeedleCore", "PenSimulator", "LoopSimulation", "NeedledLoop", "NeedledSimulatedBackend",
                "NeedledGPIOBackend", "NeedledGPIO",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/TickAllocations",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        // The records at five years' sizes: Scripts/bench-records.
        // What the records' benchmarks store, the same in each.
        .target(
            name: "BenchmarkFixtures", dependencies: ["NeedledStore"], path: "Benchmarks/Fixtures",
            swiftSettings: strictSettings),
        .executableTarget(
            name: "records-bench", dependencies: ["NeedledStore", "NeedledFHIR", "BenchmarkFixtures"],
            path: "Benchmarks/RecordsScale",
            swiftSettings: strictSettings),
        // Fifty pens replicating into one PostgreSQL, in-process: Scripts/bench-fleet-scale.
        .executableTarget(
            name: "fleet-load",
            dependencies: [
                "NeedledConfig", "NeedledFleet", "NeedledServer", "NeedledStore", "BenchmarkFixtures",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/FleetLoad", swiftSettings: strictSettings),
        // The fuzz targets' logic (Fuzz/ wraps it for libFuzzer; FuzzCorpusTests replays the corpus).
        .target(
            name: "FuzzTargets",
            dependencies: [
                "NeedledRPC", "NeedleCore", "NeedledConfig", "FaultCampaign",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "NeedledRPCTests",
            dependencies: [
                "NeedledRPC", "NeedleCore", "NeedledStore", "FuzzTargets",
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings),
        // The records store on its own: every earlier schema (Tests/Fixtures/stores), bad files.
        .testTarget(
            name: "NeedledStoreTests",
            dependencies: ["NeedledStore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings),
        // The daemon's pieces in-process: the loop's rings.
        // The daemon's layers, each tested in-process on its own.
        .testTarget(
            name: "NeedledLoopTests",
            dependencies: ["NeedledLoop", "NeedledSimulatedBackend", "NeedleCore", "PenSimulator"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "NeedledConfigTests", dependencies: ["NeedledConfig", "NeedleCore"], swiftSettings: strictSettings),
        .testTarget(
            name: "NeedledServerTests",
            dependencies: [
                "NeedledServer", "NeedledRPC", "NeedledStore", "NeedledLoop", "NeedledConfig", "NeedleCore",
                "NeedledFleet",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strictSettings),
        .testTarget(name: "NeedledSystemdTests", dependencies: ["NeedledSystemd"], swiftSettings: strictSettings),
        .testTarget(
            name: "NeedledMetricsTests",
            dependencies: [
                "NeedledMetrics", "NeedledLoop", "NeedleCore", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings),
        // The fleet against a real PostgreSQL 15 (Scripts/fleet-server): TLS, a role per pen.
        // What the tests that start servers share: a program run to its end, its output in files.
        .target(name: "TestSupport", path: "Tests/Support", swiftSettings: strictSettings),
        .testTarget(
            name: "NeedledFleetTests",
            dependencies: [
                "NeedledFleet", "TestSupport", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "NeedledDaemonTests",
            dependencies: [
                "NeedledDaemon", "NeedledLoop", "NeedledSimulatedBackend", "NeedleCore", "PenSimulator",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "NeedledGPIOTests",
            dependencies: [
                "NeedledGPIO", "NeedledGPIOBackend", "NeedledLoop", "NeedleCore",
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["NeedledRPC", "NeedledClient", "TestSupport", "needled", "needlectl", "fault-campaign"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "NeedleCoreTests",
            dependencies: [
                "NeedleCore", "PenSimulator",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strictSettings),
        .testTarget(
            name: "SimulatorTests",
            dependencies: [
                "NeedleCore", "PenSimulator", "FaultCampaign", "LoopSimulation", "NeedledLoop",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strictSettings),
    ],
    swiftLanguageModes: [.v6]
)
