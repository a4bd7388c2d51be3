/// A drawing of a merged workflow's state machine, written as a Mermaid
/// flowchart or as a Graphviz DOT graph.
///
/// Each stage is a node whose label gives its title, its id and expected
/// duration, the waits before it, its steps in the order they are asked (a
/// guarded step with its `when` condition, an optional step marked so) and
/// the ids of its `warn` and `exclude` checks. The procedure stage is marked
/// in its label and drawn in its own colours. Transitions are edges labelled with their
/// branch condition, the last branch of several with `otherwise`. The three
/// outcomes are terminal nodes: a stage's `end:` is an edge to its outcome,
/// its `stop` checks are one dashed edge to `deferred` and its `refer` checks
/// one dashed edge to `referred`, each labelled with the checks' ids.
///
/// The text depends only on the merged workflow, so the same workflow and
/// areas always give the same bytes.
public struct WorkflowGraph: Sendable {
  /// The languages a graph can be written in.
  public enum Format: String, Sendable, Hashable, CaseIterable {
    /// A Mermaid flowchart (`flowchart TD`), which GitHub renders inside a
    /// fenced `mermaid` block.
    case mermaid
    /// Graphviz's DOT language, for `dot -Tsvg`.
    case dot
  }

  /// The workflow drawn, with the chosen areas merged in.
  public let workflow: MergedWorkflow

  /// A graph of `workflow`.
  public init(_ workflow: MergedWorkflow) {
    self.workflow = workflow
  }

  /// The graph written in `format`.
  public func render(_ format: Format) -> String {
    switch format {
    case .mermaid: return mermaid()
    case .dot: return dot()
    }
  }

  /// The graph as a Mermaid flowchart, ending with a newline.
  public func mermaid() -> String {
    // Mermaid centres each line, so continuation lines are not indented, and
    // it wraps edge labels wider than about two hundred pixels itself.
    let layout = Layout(workflow, style: Layout.Style(nodeWidth: 44, edgeWidth: 24, indents: false))
    var out = "%%{init: {\"flowchart\": {\"wrappingWidth\": 400}}}%%\nflowchart TD\n"
    out += "  %% \(Self.mermaidComment(layout.caption))\n"
    for node in layout.nodes {
      let text = (node.heading + node.lines).map(Self.mermaidEscape).joined(separator: "<br/>")
      switch node.kind {
      case .start: out += "  \(node.id)((\"\(text)\"))\n"
      case .stage, .unknown: out += "  \(node.id)[\"\(text)\"]\n"
      // A double circle, the usual mark of a final state. (Mermaid's stadium
      // and subroutine shapes fail to draw edges into a label with entities.)
      case .outcome: out += "  \(node.id)(((\"\(text)\")))\n"
      }
    }
    for edge in layout.edges {
      let arrow = edge.kind == .stop || edge.kind == .refer ? "-.->" : "-->"
      if edge.label.isEmpty {
        out += "  \(edge.from) \(arrow) \(edge.to)\n"
      } else {
        let text = edge.label.map(Self.mermaidEscape).joined(separator: "<br/>")
        out += "  \(edge.from) \(arrow)|\"\(text)\"| \(edge.to)\n"
      }
    }
    out += "  classDef stage fill:#f6f8fa,stroke:#57606a,color:#1f2328\n"
    out += "  classDef procedure fill:#fff8c5,stroke:#9a6700,stroke-width:3px,color:#1f2328\n"
    out += "  classDef start fill:#1f2328,stroke:#1f2328,color:#ffffff\n"
    for outcome in Outcome.allCases {
      let (fill, stroke) = Self.colors(outcome)
      out += "  classDef \(outcome.rawValue) fill:\(fill),stroke:\(stroke),stroke-width:2px,color:#1f2328\n"
    }
    var classes: [(String, [String])] = [("start", []), ("stage", []), ("procedure", [])]
    classes += Outcome.allCases.map { ($0.rawValue, []) }
    for node in layout.nodes {
      let name: String
      switch node.kind {
      case .start: name = "start"
      case .stage(let isProcedure): name = isProcedure ? "procedure" : "stage"
      case .unknown: name = "stage"
      case .outcome(let outcome): name = outcome.rawValue
      }
      if let index = classes.firstIndex(where: { $0.0 == name }) { classes[index].1.append(node.id) }
    }
    for (name, ids) in classes where !ids.isEmpty {
      out += "  class \(ids.joined(separator: ",")) \(name)\n"
    }
    // Mermaid styles edges by their position in the text.
    for (kind, outcome) in [(Layout.EdgeKind.stop, Outcome.deferred), (.refer, .referred)] {
      let indices = layout.edges.indices.filter { layout.edges[$0].kind == kind }
      guard !indices.isEmpty else { continue }
      let (_, stroke) = Self.colors(outcome)
      out += "  linkStyle \(indices.map(String.init).joined(separator: ",")) stroke:\(stroke),color:\(stroke)\n"
    }
    return out
  }

  /// The graph in Graphviz's DOT language, ending with a newline.
  public func dot() -> String {
    let layout = Layout(workflow, style: Layout.Style(nodeWidth: 44, edgeWidth: 44, indents: true))
    var out = "digraph \"\(Self.dotEscape(workflow.workflow.id))\" {\n"
    out += "  graph [rankdir=TB, nodesep=0.5, ranksep=0.6, pad=0.4, fontname=\"Helvetica\", fontsize=16, "
    out += "labelloc=t, label=\"\(Self.dotEscape(layout.caption))\"];\n"
    out += "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#f6f8fa\", color=\"#57606a\", "
    out += "fontname=\"Helvetica\", fontsize=11, margin=\"0.2,0.1\"];\n"
    out += "  edge [fontname=\"Helvetica\", fontsize=10, color=\"#57606a\"];\n"
    // The start, the stages and the outcomes that `end:` reaches share a
    // group, which keeps the main path a straight line down the middle.
    let ended = Set(layout.edges.filter { $0.kind == .end }.map(\.to))
    for node in layout.nodes {
      var label = node.heading.map { Self.dotEscape($0) + "\\n" }.joined()
      label += node.lines.map { Self.dotEscape($0) + "\\l" }.joined()
      var attributes = ["label=\"\(label)\""]
      switch node.kind {
      case .start:
        attributes += ["shape=circle", "fillcolor=\"#1f2328\"", "fontcolor=\"#ffffff\"", "fontsize=10", "margin=0.05"]
      case .stage(let isProcedure):
        if isProcedure { attributes += ["fillcolor=\"#fff8c5\"", "color=\"#9a6700\"", "penwidth=3"] }
      case .unknown:
        attributes += ["style=\"rounded,dashed\""]
      case .outcome(let outcome):
        let (fill, stroke) = Self.colors(outcome)
        attributes += [
          "fillcolor=\"\(fill)\"", "color=\"\(stroke)\"", "penwidth=2", "peripheries=2", "fontsize=13",
        ]
      }
      switch node.kind {
      case .start, .stage, .unknown: attributes.append("group=path")
      case .outcome: if ended.contains(node.id) { attributes.append("group=path") }
      }
      out += "  \(node.id) [\(attributes.joined(separator: ", "))];\n"
    }
    for edge in layout.edges {
      var attributes: [String] = []
      if !edge.label.isEmpty {
        attributes.append("label=\"\(edge.label.map { Self.dotEscape($0) + "\\l" }.joined())\"")
      }
      switch edge.kind {
      case .stop, .refer:
        let (_, stroke) = Self.colors(edge.kind == .stop ? .deferred : .referred)
        attributes += ["style=dashed", "color=\"\(stroke)\"", "fontcolor=\"\(stroke)\""]
      case .end:
        attributes += ["penwidth=2", "weight=8"]
      case .next, .start:
        attributes += ["weight=8"]
      }
      out += "  \(edge.from) -> \(edge.to) [\(attributes.joined(separator: ", "))];\n"
    }
    out += "}\n"
    return out
  }

  // MARK: - Colours

  /// The fill and border colour of an outcome (and of the checks leading to it).
  static func colors(_ outcome: Outcome) -> (fill: String, stroke: String) {
    switch outcome {
    case .completed: return ("#dafbe1", "#1a7f37")
    case .deferred: return ("#ffebe9", "#cf222e")
    case .referred: return ("#fff1e5", "#bc4c00")
    }
  }

  // MARK: - Escaping

  /// `text` made safe inside a quoted Mermaid label: characters the parser or
  /// its entity decoding would read are written as `#…;` entities, and line
  /// breaks become spaces.
  static func mermaidEscape(_ text: String) -> String {
    var out = ""
    for character in text {
      switch character {
      case "\"": out += "#quot;"
      case "#": out += "#35;"
      case "&": out += "#amp;"
      case "<": out += "#lt;"
      case ">": out += "#gt;"
      case "[": out += "#91;"
      case "]": out += "#93;"
      case "{": out += "#123;"
      case "}": out += "#125;"
      case "|": out += "#124;"
      case "`": out += "#96;"
      case ":": out += "#58;"
      case ";": out += "#59;"
      case _ where character.isNewline || character == "\t": out += " "
      default: out.append(character)
      }
    }
    return out
  }

  /// `text` made safe inside a Mermaid `%%` comment, which ends at the line.
  static func mermaidComment(_ text: String) -> String {
    String(text.map { $0.isNewline ? " " : $0 })
  }

  /// `text` made safe inside a quoted DOT string: backslashes and quotes
  /// escaped, line breaks as spaces.
  static func dotEscape(_ text: String) -> String {
    var out = ""
    for character in text {
      switch character {
      case "\\": out += "\\\\"
      case "\"": out += "\\\""
      case _ where character.isNewline || character == "\t": out += " "
      default: out.append(character)
      }
    }
    return out
  }

  // MARK: - Layout

  /// What is drawn, independent of the language it is written in.
  struct Layout {
    enum NodeKind: Equatable {
      case start
      case stage(isProcedure: Bool)
      /// A transition's target that is not a stage of the workflow.
      case unknown
      case outcome(Outcome)
    }

    struct Node {
      var id: String
      var kind: NodeKind
      /// Centred lines: the title.
      var heading: [String]
      /// Left-aligned lines.
      var lines: [String]
    }

    enum EdgeKind: Equatable {
      case start, next, end, stop, refer
    }

    struct Edge {
      var from: String
      var to: String
      var kind: EdgeKind
      var label: [String]
    }

    /// How lines are wrapped.
    struct Style {
      /// The longest line of a node's label before it wraps, in characters.
      var nodeWidth: Int
      /// The longest line of an edge's label before it wraps, in characters.
      var edgeWidth: Int
      /// Whether continuation lines are indented.
      var indents: Bool
    }

    var style: Style
    var caption: String
    var nodes: [Node] = []
    var edges: [Edge] = []

    init(_ merged: MergedWorkflow, style: Style) {
      self.style = style
      let flow = merged.workflow
      let areas = merged.areas.map(\.id)
      caption =
        "\(flow.title) (\(flow.id), version \(flow.version)), areas: "
        + (areas.isEmpty ? "none" : areas.joined(separator: ", "))

      var used: Set<String> = ["start"]
      var stageIDs: [String: String] = [:]
      for stage in merged.stages where stageIDs[stage.id] == nil {
        stageIDs[stage.id] = Self.uniqueID("stage_" + Self.identifier(stage.id), used: &used)
      }
      var unknownTargets: [String] = []
      func nodeID(_ stage: String) -> String {
        if let id = stageIDs[stage] { return id }
        let id = Self.uniqueID("stage_" + Self.identifier(stage), used: &used)
        stageIDs[stage] = id
        unknownTargets.append(stage)
        return id
      }
      let outcomeIDs = Dictionary(uniqueKeysWithValues: Outcome.allCases.map { ($0, "terminal_\($0.rawValue)") })

      nodes.append(Node(id: "start", kind: .start, heading: ["start"], lines: []))
      edges.append(Edge(from: "start", to: nodeID(flow.start), kind: .start, label: []))
      for stage in merged.stages {
        let id = nodeID(stage.id)
        if nodes.contains(where: { $0.id == id }) { continue }
        nodes.append(stageNode(stage, id: id))
        switch stage.stage.transition {
        case .end(let outcome, _):
          edges.append(Edge(from: id, to: outcomeIDs[outcome] ?? outcome.rawValue, kind: .end, label: []))
        case .branches(let branches):
          for branch in branches {
            var label: [String] = []
            if let condition = branch.condition {
              label = wrap(Self.words(condition.text), width: style.edgeWidth)
            } else if branches.count > 1 {
              label = ["otherwise"]
            }
            edges.append(Edge(from: id, to: nodeID(branch.target), kind: .next, label: label))
          }
        }
        let stops = stage.checks.filter { $0.check.outcome == .stop }.map(\.check.id)
        if !stops.isEmpty {
          let label = wrap(Self.list(stops, after: "stop:"), width: style.edgeWidth)
          edges.append(Edge(from: id, to: outcomeIDs[.deferred] ?? "", kind: .stop, label: label))
        }
        let refers = stage.checks.filter { $0.check.outcome == .refer }.map(\.check.id)
        if !refers.isEmpty {
          let label = wrap(Self.list(refers, after: "refer, not approved:"), width: style.edgeWidth)
          edges.append(Edge(from: id, to: outcomeIDs[.referred] ?? "", kind: .refer, label: label))
        }
      }
      for target in unknownTargets {
        nodes.append(Node(id: stageIDs[target] ?? target, kind: .unknown, heading: [target], lines: ["not a stage"]))
      }
      for outcome in Outcome.allCases {
        let title = flow.outcomes[outcome]?.title ?? outcome.rawValue
        let heading = title.lowercased() == outcome.rawValue ? [title] : [title, "(\(outcome.rawValue))"]
        nodes.append(
          Node(id: outcomeIDs[outcome] ?? outcome.rawValue, kind: .outcome(outcome), heading: heading, lines: []))
      }
    }

    /// The node of one stage, with everything its label lists.
    func stageNode(_ stage: MergedWorkflow.MergedStage, id: String) -> Node {
      var heading = [stage.stage.title]
      if stage.isProcedure { heading.append("(procedure stage)") }
      var lines = ["\(stage.id) · expected \(Self.human(stage.duration))"]
      for wait in stage.waits.lazy.map(\.wait) {
        var words = ["wait", "≥", "\(wait.atLeast)", "since", wait.since]
        if let condition = wait.condition { words += ["when"] + Self.words(condition.text) }
        lines += wrap(words, width: style.nodeWidth)
      }
      if !stage.steps.isEmpty {
        lines.append("steps:")
        for (index, step) in stage.steps.lazy.map(\.step).enumerated() {
          var words = ["\(index + 1).", step.id]
          if step.isOptional { words.append("(optional)") }
          if let condition = step.condition {
            words[words.count - 1] += ","
            words += ["when"] + Self.words(condition.text)
          }
          lines += wrap(words, width: style.nodeWidth, indent: "     ")
        }
      }
      for outcome in [CheckOutcome.warn, .exclude] {
        let ids = stage.checks.filter { $0.check.outcome == outcome }.map(\.check.id)
        if !ids.isEmpty { lines += wrap(Self.list(ids, after: "\(outcome.rawValue):"), width: style.nodeWidth) }
      }
      return Node(id: id, kind: .stage(isProcedure: stage.isProcedure), heading: heading, lines: lines)
    }

    /// `15m to 20m`, or `15m` when both ends agree.
    static func human(_ range: TimeRange) -> String {
      range.min == range.max ? "\(range.min)" : "\(range.min) to \(range.max)"
    }

    /// The words of `text`, split at white space.
    static func words(_ text: String) -> [String] {
      text.split(whereSeparator: \.isWhitespace).map(String.init)
    }

    /// `prefix` followed by `items` separated by commas, as words.
    static func list(_ items: [String], after prefix: String) -> [String] {
      [prefix] + items.enumerated().map { $0.offset < items.count - 1 ? $0.element + "," : $0.element }
    }

    /// `words` joined by spaces into lines of at most `width` characters (a
    /// longer word stands alone); lines after the first are indented by
    /// `indent` when the style indents.
    func wrap(_ words: [String], width: Int, indent: String = "  ") -> [String] {
      let indent = style.indents ? indent : ""
      var lines: [String] = []
      var current = ""
      for word in words {
        if current.isEmpty {
          current = word
        } else if current.count + 1 + word.count <= width {
          current += " " + word
        } else {
          lines.append(current)
          current = indent + word
        }
      }
      if !current.isEmpty { lines.append(current) }
      return lines
    }

    /// `text` as an identifier both languages accept: ASCII letters, digits
    /// and underscores, every other character an underscore.
    static func identifier(_ text: String) -> String {
      String(
        text.unicodeScalars.map { scalar -> Character in
          switch scalar {
          case "a"..."z", "A"..."Z", "0"..."9", "_": return Character(scalar)
          default: return "_"
          }
        })
    }

    /// `base`, or `base_2`, `base_3`... when it is taken; recorded as used.
    static func uniqueID(_ base: String, used: inout Set<String>) -> String {
      var candidate = base
      var suffix = 2
      while used.contains(candidate) {
        candidate = "\(base)_\(suffix)"
        suffix += 1
      }
      used.insert(candidate)
      return candidate
    }
  }
}
