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
}
