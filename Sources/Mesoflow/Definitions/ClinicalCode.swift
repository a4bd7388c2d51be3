/// A code of a clinical terminology, as the definitions give it, for the
/// records other systems read: the code system's URI, the code in it, and
/// the system's words for it.
///
/// Codes come from the YAML, never from the program: the engine names no
/// treatment area and holds no clinical code of its own. A plugin's
/// `anatomical-site:` is one (``AreaPlugin/anatomicalSite``).
public struct ClinicalCode: Sendable, Hashable {
  /// The URI of the code system, such as `http://snomed.info/sct` for
  /// SNOMED CT.
  public var system: String
  /// The code within ``system``, as text, exactly as written (a code is a
  /// name, not a number: it keeps its digits as given).
  public var code: String
  /// The code system's words for the code, if the definitions give them.
  public var display: String?

  /// Creates `code` of `system`, with the system's words for it if given.
  public init(system: String, code: String, display: String? = nil) {
    self.system = system
    self.code = code
    self.display = display
  }
}
