/// One SQLite value: what a parameter binds and what a column holds (SQLite's five storage classes).
///
/// Literals make bindings read naturally:
///
/// ```swift
/// try db.execute("INSERT INTO tags(material_id, tag, weight, note) VALUES (?, ?, ?, ?)",
///                [.integer(materialID), "algebra", 0.5, nil])
/// ```
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    /// The value of any convertible Swift value (`Int`, `String`, `Double`, `[UInt8]`, `Bool`, optionals…).
    public init(_ value: some SQLValueConvertible) {
        self = value.sqlValue
    }

    /// An `Int` as an integer value.
    public static func int(_ value: Int) -> SQLValue { .integer(Int64(value)) }

    /// Whether this is SQL `NULL`.
    public var isNull: Bool {
        if case .null = self { true } else { false }
    }

    /// The integer, or nil for any other storage class.
    public var int64: Int64? {
        if case .integer(let value) = self { value } else { nil }
    }

    /// The number as a `Double` (integers are converted), or nil for other storage classes.
    public var double: Double? {
        switch self {
        case .real(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }

    /// The text, or nil for any other storage class.
    public var string: String? {
        if case .text(let value) = self { value } else { nil }
    }

    /// The bytes, or nil for any other storage class.
    public var bytes: [UInt8]? {
        if case .blob(let value) = self { value } else { nil }
    }

    /// SQLite's name of the storage class (`NULL`, `INTEGER`, `REAL`, `TEXT`, `BLOB`), for messages.
    public var storageClass: String {
        switch self {
        case .null: "NULL"
        case .integer: "INTEGER"
        case .real: "REAL"
        case .text: "TEXT"
        case .blob: "BLOB"
        }
    }
}

extension SQLValue: ExpressibleByNilLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByBooleanLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .real(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(booleanLiteral value: Bool) { self = .integer(value ? 1 : 0) }
}

/// A Swift type that maps to and from one ``SQLValue``; used by typed column reads such as
/// `let title: String? = try row.get("title")`.
public protocol SQLValueConvertible: Sendable {
    /// This value as SQLite stores it.
    var sqlValue: SQLValue { get }
    /// The Swift value a stored `value` holds, or nil when its storage class does not fit (e.g. `TEXT` read
    /// as `Int64`, or `NULL` read as a non-optional type).
    init?(sqlValue value: SQLValue)
}

extension SQLValue: SQLValueConvertible {
    public var sqlValue: SQLValue { self }
    public init?(sqlValue value: SQLValue) { self = value }
}

extension Int64: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(self) }
    public init?(sqlValue value: SQLValue) {
        guard let number = value.int64 else { return nil }
        self = number
    }
}

extension Int: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    public init?(sqlValue value: SQLValue) {
        guard let number = value.int64, let exact = Int(exactly: number) else { return nil }
        self = exact
    }
}

extension Int32: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    public init?(sqlValue value: SQLValue) {
        guard let number = value.int64, let exact = Int32(exactly: number) else { return nil }
        self = exact
    }
}

extension Double: SQLValueConvertible {
    public var sqlValue: SQLValue { .real(self) }
    public init?(sqlValue value: SQLValue) {
        guard let number = value.double else { return nil }
        self = number
    }
}

extension Bool: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(self ? 1 : 0) }
    /// Reads 0 as false and 1 as true; any other value does not convert.
    public init?(sqlValue value: SQLValue) {
        switch value.int64 {
        case 0: self = false
        case 1: self = true
        default: return nil
        }
    }
}

extension String: SQLValueConvertible {
    public var sqlValue: SQLValue { .text(self) }
    public init?(sqlValue value: SQLValue) {
        guard let text = value.string else { return nil }
        self = text
    }
}

extension [UInt8]: SQLValueConvertible {
    public var sqlValue: SQLValue { .blob(self) }
    public init?(sqlValue value: SQLValue) {
        guard let bytes = value.bytes else { return nil }
        self = bytes
    }
}

extension Optional: SQLValueConvertible where Wrapped: SQLValueConvertible {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
    /// `NULL` reads as `nil`; any other value must convert to `Wrapped`.
    public init?(sqlValue value: SQLValue) {
        if value.isNull {
            self = .none
        } else if let wrapped = Wrapped(sqlValue: value) {
            self = .some(wrapped)
        } else {
            return nil
        }
    }
}
