import Foundation
import Testing

/// `mesoflow-bench` says what it measures instead of starting minutes of
/// measurements, and refuses what it does not know.
struct BenchCommandTests {
  let cli = CLITests()

  @Test func helpListsEveryModeAndRunsNothing() throws {
    let result = try cli.run(["--help"], program: "mesoflow-bench")
    #expect(result.status == 0)
    for mode in [
      "--iterations", "--area", "--engine-only", "--run-only", "--sign-in-only", "--detail", "--profile-shipped",
      "--profile-large",
    ] {
      #expect(result.stdout.contains(mode), "\(mode)")
    }
    #expect(result.stdout.contains("docs/BENCHMARKS.md"))
    #expect(!result.stdout.contains("shipped definitions: "), "it measured something")
  }

  @Test func anUnknownOptionOrTwoModesAreRefused() throws {
    let unknown = try cli.run(["--engine"], program: "mesoflow-bench")
    #expect(unknown.status == 64)
    #expect(unknown.stderr.contains("Unknown option '--engine'"))
    let two = try cli.run(["--engine-only", "--sign-in-only"], program: "mesoflow-bench")
    #expect(two.status == 64)
    #expect(two.stderr.contains("choose one of"))
    let none = try cli.run(["--iterations", "0"], program: "mesoflow-bench")
    #expect(none.status == 64)
  }
}
