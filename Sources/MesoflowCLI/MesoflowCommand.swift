import ArgumentParser

/// The `mesoflow` command.
@main
struct MesoflowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mesoflow",
    abstract: "A consultation workflow engine for aesthetic-medicine clinics.",
    discussion: """
      Workflows (Workflows/*.yaml) and area plugins (Plugins/*.yaml) define the
      consultation; see docs/DEFINITIONS.md for how to write them.
      """,
    version: "0.1.0",
    subcommands: [
      Validate.self, Describe.self, Check.self, TestScenarios.self, Run.self, Resume.self, List.self, Show.self,
      Export.self, Verify.self, Graph.self, User.self, Audit.self,
    ]
  )
}
