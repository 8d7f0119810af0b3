// swift-tools-version: 6.1
// The libFuzzer targets, in a package of their own: they are built with
// `-sanitize=fuzzer,address -parse-as-library` (libFuzzer brings main) into Fuzz/.build, apart
// from the normal build. Run them with Scripts/fuzz; the logic is FuzzTargets in the root package.
import PackageDescription

let package = Package(
    name: "needled-fuzz",
    dependencies: [.package(name: "needled", path: "..")],
    targets: [
        .target(name: "FuzzDriver"),
        .executableTarget(
            name: "fuzz-rpc", dependencies: ["FuzzDriver", .product(name: "FuzzTargets", package: "needled")]),
        .executableTarget(
            name: "fuzz-config", dependencies: ["FuzzDriver", .product(name: "FuzzTargets", package: "needled")]),
    ],
    swiftLanguageModes: [.v6]
)
