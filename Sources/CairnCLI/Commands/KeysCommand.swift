public import ArgumentParser
import CairnIngest
import CairnService
import Foundation

/// `cairn keys …`: API keys of the retrieval service. Works while a server runs (it notices within a second).
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke the retrieval service's API keys.",
        subcommands: [KeysCreateCommand.self, KeysListCommand.self, KeysRevokeCommand.self])

    /// The key store of a data directory (migrating its database first).
    static func open(_ data: DataDirectoryOptions) throws -> KeyStore {
        do {
            let store = try MaterialStore(dataDirectory: data.path)
            return try KeyStore(databasePath: store.path)
        } catch let error as IngestError {
            throw CLIError(error.message)
        } catch let error as ServiceError {
            throw CLIError(error.detail ?? error.message)
        }
    }
}

extension Role: ExpressibleByArgument {}

/// `cairn keys create --role admin|coach [--tenant T] [--name N]`: prints the new key alone on stdout.
struct KeysCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a key; prints the key alone on standard output (shown once).")

    @OptionGroup var data: DataDirectoryOptions

    @Option(help: "admin (everything, every tenant) or coach (retrieval and reading one tenant's materials).")
    var role: Role

    @Option(help: "The tenant (owner_id) a coach key is bound to.")
    var tenant: String?

    @Option(help: "A name to recognise the key by.")
    var name: String?

    func validate() throws {
        if role == .coach && (tenant ?? "").isEmpty { throw ValidationError("a coach key needs --tenant") }
        if role == .admin && tenant != nil { throw ValidationError("an admin key sees every tenant: leave out --tenant") }
    }

    func run() throws {
        let keys = try KeysCommand.open(data)
        do {
            let (record, secret) = try keys.create(role: role, tenant: tenant.map(TenantID.init(rawValue:)), name: name)
            print(secret)
            let tenantText = record.tenant.map { ", tenant \($0)" } ?? ""
            let line = "created key \(record.id) (\(record.role.rawValue)\(tenantText), \(record.prefix)…)\n"
            FileHandle.standardError.write(Data(line.utf8))
        } catch {
            throw CLIError(error.message)
        }
    }
}

/// `cairn keys list`.
struct KeysListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List keys (never their secrets).")

    @OptionGroup var data: DataDirectoryOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let records: [APIKeyRecord]
        do { records = try KeysCommand.open(data).list() } catch let error as ServiceError { throw CLIError(error.message) }
        if json {
            try printJSON(records.map { r -> [String: Any] in
                ["id": r.id.rawValue, "name": r.name, "role": r.role.rawValue, "tenant": r.tenant?.rawValue ?? NSNull(),
                 "prefix": r.prefix, "created_at": r.createdAt, "revoked_at": r.revokedAt ?? NSNull()]
            })
            return
        }
        if records.isEmpty { print("no keys yet (`cairn serve` creates an admin key on its first start)") }
        for r in records {
            let state = r.revokedAt.map { "revoked \($0)" } ?? "active"
            print("\(r.id)\t\(r.role.rawValue)\t\(r.tenant?.rawValue ?? "-")\t\(r.prefix)…\t\(r.name)\t\(r.createdAt)\t\(state)")
        }
    }
}

/// `cairn keys revoke ID`.
struct KeysRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke a key; a running server refuses it within a second.")

    @OptionGroup var data: DataDirectoryOptions

    @Argument(help: "The key's id (see `cairn keys list`).")
    var id: Int64

    func run() throws {
        let revoked: Bool
        do { revoked = try KeysCommand.open(data).revoke(APIKeyID(rawValue: id)) } catch let error as ServiceError {
            throw CLIError(error.message)
        }
        guard revoked else { throw CLIError("no active key \(id) (see `cairn keys list`)") }
        print("revoked key \(id)")
    }
}
