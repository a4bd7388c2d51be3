/// A member of staff who acts in a consultation.
public struct Clinician: Sendable, Hashable, Codable, CustomStringConvertible {
  /// What a clinician may do.
  public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    /// Nurses and other staff: may answer, acknowledge warnings and end a
    /// consultation, but not override a referral or a wait.
    case staff
    /// A physician: may also override a referral or a wait, with a written reason.
    case physician
  }

  /// The clinician's name, as it goes into the record.
  public var name: String
  /// The clinician's role.
  public var role: Role
  /// The name of the clinic account that proved who the clinician is (by its
  /// password, at the edge that signed them in), or `nil` for a clinician
  /// the caller names without an account. The engine takes it as given: it
  /// is for the record, and for front ends to tell a signed decision from a
  /// claimed one.
  public var account: String?

  /// Creates a clinician.
  public init(name: String, role: Role, account: String? = nil) {
    self.name = name
    self.role = role
    self.account = account
  }

  /// The name and role: `Dr Ada Lane (physician)`.
  public var description: String { "\(name) (\(role.rawValue))" }
}
