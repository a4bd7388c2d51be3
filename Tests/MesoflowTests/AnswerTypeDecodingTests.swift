import MesoflowYAML
import Testing

@testable import Mesoflow

/// Every answer type a definition may name decodes as that type, and no
/// other: a type added to the list alone cannot pass for another.
struct AnswerTypeDecodingTests {
  @Test(arguments: DefinitionDecoder.typeKeys.keys.sorted())
  func eachAnswerTypeDecodesAsItself(_ name: String) throws {
    let extra: String
    switch name {
    case "choice", "multi-choice": extra = "        options: [a, b]\n"
    default: extra = ""
    }
    let text = """
      workflow: demo
      title: Demo
      version: 1
      procedure: treat
      outcomes:
        completed: { title: Completed }
      stages:
        - id: treat
          steps:
            - id: the_step
              ask: Anything?
              type: \(name)

      """ + extra + "    end: completed\n"
    let catalog = Catalog(sources: [SourceText(name: "t.yaml", text: text)])
    #expect(catalog.diagnostics.map(\.description) == [])
    #expect(catalog.workflows["demo"]?.stages.first?.steps.first?.answer.name == name)
  }
}
