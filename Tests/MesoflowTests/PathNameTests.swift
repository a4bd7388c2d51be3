import Testing

@testable import Mesoflow

struct PathNameTests {
  @Test func parentsOfEveryShapeOfPath() {
    #expect(PathName.parent(of: "a/b/c.yaml") == "a/b")
    #expect(PathName.parent(of: "c.yaml") == ".")
    #expect(PathName.parent(of: "./c.yaml") == ".")
    #expect(PathName.parent(of: ".") == "..")
    #expect(PathName.parent(of: "") == "..")
    #expect(PathName.parent(of: "..") == "../..")
    #expect(PathName.parent(of: "/x") == "/")
    #expect(PathName.parent(of: "a/b/") == "a")
  }

  @Test func joinsWithoutDoublingSlashes() {
    #expect(PathName.join(".", "Workflows") == "Workflows")
    #expect(PathName.join("a/", "b") == "a/b")
    #expect(PathName.join("..", "Plugins") == "../Plugins")
  }

  @Test func normalizedTakesOutDotsAndParentsAsWritten() {
    #expect(
      PathName.normalized("Workflows/tests/../../Plugins/tests/face/patients.yaml")
        == "Plugins/tests/face/patients.yaml")
    #expect(PathName.normalized("./a//b/./c.yaml") == "a/b/c.yaml")
    #expect(PathName.normalized("../x") == "../x")
    #expect(PathName.normalized("a/../../x") == "../x")
    #expect(PathName.normalized("a/..") == ".")
    #expect(PathName.normalized("/a/../../b") == "/b")
    #expect(PathName.normalized("/") == "/")
  }
}
