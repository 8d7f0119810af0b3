// swift-tools-version: 6.1
// The package graph on one screen. What may import what is in Docs/architecture.md:
// NeedleCore imports nothing; PenSimulator imports NeedleCore only.
import PackageDescription

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
    ],
    dependencies: [
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1")
    ],
    targets: [
        // The pure core: units, limits, state machine, controllers, supervisor. No I/O, no clocks.
        .target(name: "NeedleCore", path: "Sources/NeedleCore", swiftSettings: strictSettings),
        // The simulated pen: a physical model behind the same PenHardware protocol as real GPIO.
        .target(
            name: "PenSimulator", dependencies: ["NeedleCore"], path: "Simulator",
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
                "NeedleCore", "PenSimulator",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strictSettings),
    ],
    swiftLanguageModes: [.v6]
)
