import ArgumentParser
import Mesoflow
import MesoflowSQLite
import MesoflowStore

/// `--store PATH`, shared by every command that reads or writes consultations.
struct StoreOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "The consultation store, a SQLite file.",
      discussion:
        "Default: $MESOFLOW_STORE, else $XDG_DATA_HOME/mesoflow/consultations.sqlite, else ~/.local/share/mesoflow/consultations.sqlite.",
      valueName: "path"))
  var store: String?

  /// The store's path: the option, the environment, or the default.
  var path: String {
    if let store { return store }
    if let path = Platform.environment("MESOFLOW_STORE") { return path }
    if let data = Platform.environment("XDG_DATA_HOME") { return data + "/mesoflow/consultations.sqlite" }
    if let home = Platform.environment("HOME") { return home + "/.local/share/mesoflow/consultations.sqlite" }
    return "mesoflow-consultations.sqlite"
  }

  /// `--store PATH` (quoted for a shell when needed) when the store is not
  /// the default one, for the commands the program suggests; else empty.
  var argument: String {
    guard store != nil || Platform.environment("MESOFLOW_STORE") != nil else { return "" }
    let safe = path.allSatisfy { $0.isLetter || $0.isNumber || "/._-+:@".contains($0) }
    return "--store "
      + (safe
        ? path : "'" + path.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'")
  }

  /// Opens the store, creating it when absent.
  func open() throws -> ConsultationArchive { ConsultationArchive(store: try openStore()) }

  /// Opens the store's consultations and its accounts.
  func openWithAccounts() throws -> (ConsultationArchive, AccountDirectory) {
    let store = try openStore()
    return (ConsultationArchive(store: store), AccountDirectory(store: store))
  }

  /// Opens the store's accounts.
  func accounts() throws -> AccountDirectory { AccountDirectory(store: try openStore()) }

  private func openStore() throws -> SQLiteStore {
    do {
      return try SQLiteStore(path: path)
    } catch {
      Platform.printError("error: \(error)")
      throw ExitCode(1)
    }
  }
}

extension StoreOptions {
  /// A stored consultation, rebuilt under the definitions it started with.
  func consultation(_ id: String) throws -> Consultation {
    let archive = try open()
    do {
      return try archive.open(id, clock: SystemClock()).0
    } catch {
      throw fail(error)
    }
  }
}

/// Prints a store error and exits 1.
func fail(_ error: any Error) -> ExitCode {
  Platform.printError("error: \(error)")
  return ExitCode(1)
}
