public import Mesoflow

/// A merged workflow described for people and programs: what
/// `mesoflow describe` prints.
public enum WorkflowDescription {
  /// The description as text, for a clinic lead to read: the stages in
  /// order with their waits, steps, checks and transitions, the outcomes,
  /// the aftercare, the follow-up and each area's procedure.
  ///
  /// - Parameter merged: The workflow with the chosen areas' plugins.
  /// - Returns: The text, ending in a line feed.
  public static func text(for merged: MergedWorkflow) -> String {
    DescriptionText.render(merged)
  }

  /// The description as the JSON of docs/DESCRIBE-JSON.md (schema
  /// `mesoflow.describe/1`): keys sorted, two-space indentation, exactly
  /// what `mesoflow describe --format json` prints.
  ///
  /// - Parameter merged: The workflow with the chosen areas' plugins.
  /// - Returns: The JSON text, ending in a line feed.
  /// - Throws: ``DocumentError`` with the code
  ///   ``DocumentError/Code/notEncodable`` when a number has no JSON form
  ///   (one that is not finite, which no definition read from YAML holds).
  public static func json(for merged: MergedWorkflow) throws(DocumentError) -> String {
    try JSONText.encode(DescribeJSON(merged), "the description")
  }
}
