// swift-tools-version:6.0
import PackageDescription

// Compiler settings shared by every Swift target (never by the system library,
// whose manifest entry does not accept settings).
let swiftSettings: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("MemberImportVisibility"),
  .enableUpcomingFeature("InternalImportsByDefault"),
  .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
]

let package = Package(
  name: "Mesoflow",
  // Synchronization.Mutex, which the library uses, needs macOS 15.
  platforms: [.macOS(.v15)],
  products: [
    .library(name: "Mesoflow", targets: ["Mesoflow"]),
    .library(name: "MesoflowConformance", targets: ["MesoflowConformance"]),
    .library(name: "MesoflowStore", targets: ["MesoflowStore"]),
    .library(name: "MesoflowSQLite", targets: ["MesoflowSQLite"]),
    .library(name: "MesoflowRecords", targets: ["MesoflowRecords"]),
    .executable(name: "mesoflow", targets: ["MesoflowCLI"]),
    .executable(name: "mesoflow-bench", targets: ["MesoflowBenchmarks"]),
    .executable(name: "mesoflow-example", targets: ["HandsClinicExample"]),
    // The fuzz targets (docs/TESTING.md): built with libFuzzer by .ci/fuzz; a
    // normal build makes programs that replay the files they are given.
    .executable(name: "mesoflow-fuzz-yaml", targets: ["FuzzYAML"]),
    .executable(name: "mesoflow-fuzz-definitions", targets: ["FuzzDefinitions"]),
    .executable(name: "mesoflow-fuzz-expressions", targets: ["FuzzExpressions"]),
    .executable(name: "mesoflow-fuzz-answers", targets: ["FuzzAnswers"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
  ],
  targets: [
    .systemLibrary(
      name: "CYAML",
      pkgConfig: "yaml-0.1",
      providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]
    ),
    .systemLibrary(
      name: "CArgon2",
      pkgConfig: "libargon2",
      providers: [.apt(["libargon2-dev"]), .brew(["argon2"])]
    ),
    .target(name: "MesoflowYAML", dependencies: ["CYAML"]),
    .target(name: "Mesoflow", dependencies: ["MesoflowYAML"]),
    .target(name: "MesoflowConformance", dependencies: ["Mesoflow"]),
    // The documents made from a consultation or a merged workflow; pure.
    .target(name: "MesoflowRecords", dependencies: ["Mesoflow"]),
    .target(name: "MesoflowStore", dependencies: ["Mesoflow", "MesoflowYAML", "CArgon2"]),
    .target(
      name: "MesoflowSQLite",
      dependencies: ["Mesoflow", "MesoflowStore", .product(name: "GRDB", package: "GRDB.swift")]
    ),
    .executableTarget(
      name: "MesoflowCLI",
      dependencies: [
        "Mesoflow", "MesoflowYAML", "MesoflowStore", "MesoflowSQLite", "MesoflowRecords",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(
      name: "MesoflowBenchmarks",
      dependencies: [
        "Mesoflow", "MesoflowYAML", "MesoflowStore", "MesoflowSQLite",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(name: "HandsClinicExample", dependencies: ["Mesoflow"], path: "Examples/HandsClinic"),
    // What the fuzz targets share: the shipped definitions, checks of
    // locations, the replaying main.
    .target(name: "MesoflowFuzzSupport", dependencies: ["Mesoflow", "MesoflowYAML"], path: "Tests/Fuzz/Support"),
    .executableTarget(
      name: "FuzzYAML", dependencies: ["MesoflowYAML", "MesoflowFuzzSupport"], path: "Tests/Fuzz/YAML"),
    .executableTarget(
      name: "FuzzDefinitions", dependencies: ["Mesoflow", "MesoflowFuzzSupport"], path: "Tests/Fuzz/Definitions"),
    .executableTarget(
      name: "FuzzExpressions", dependencies: ["Mesoflow", "MesoflowFuzzSupport"], path: "Tests/Fuzz/Expressions"),
    .executableTarget(
      name: "FuzzAnswers", dependencies: ["Mesoflow", "MesoflowFuzzSupport"], path: "Tests/Fuzz/Answers"),
    // What several test targets share: a seeded random number generator.
    .target(name: "MesoflowTestSupport", path: "Tests/MesoflowTestSupport"),
    .testTarget(name: "MesoflowYAMLTests", dependencies: ["MesoflowYAML", "MesoflowTestSupport"]),
    .testTarget(
      name: "MesoflowTests", dependencies: ["Mesoflow", "MesoflowYAML", "MesoflowConformance", "MesoflowTestSupport"],
      exclude: ["Corpus", "LegacyDefinitions"]),
    .testTarget(
      name: "MesoflowCLITests",
      dependencies: [
        "MesoflowCLI", "HandsClinicExample", "MesoflowTestSupport", "Mesoflow", "MesoflowStore", "MesoflowSQLite",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      exclude: ["Answers"]),
    .testTarget(
      name: "MesoflowStoreTests", dependencies: ["Mesoflow", "MesoflowStore", "MesoflowSQLite", "MesoflowYAML"]),
    // MesoflowStore only to check the record JSON's summary against the store's.
    .testTarget(name: "MesoflowRecordsTests", dependencies: ["MesoflowRecords", "Mesoflow", "MesoflowStore"]),
  ]
)

for target in package.targets where [.executable, .test, .regular].contains(target.type) {
  target.swiftSettings = (target.swiftSettings ?? []) + swiftSettings
}
