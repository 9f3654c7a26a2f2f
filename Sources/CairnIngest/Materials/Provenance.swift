/// What kind of content a material is.
public enum ContentType: String, Sendable, Hashable, CaseIterable, Codable {
    case material, creationLog = "creation_log", generated, noteArticle = "note_article", aiResponse = "ai_response"
}

/// How a material came to Cairn.
public enum AcquisitionMethod: String, Sendable, Hashable, CaseIterable, Codable {
    case apiFetch = "api_fetch", manualUpload = "manual_upload", aiGenerated = "ai_generated"
    case userCreated = "user_created", systemImport = "system_import"
}

/// The licence a material is held under: an SPDX-style identifier (`CC-BY-4.0`, `MIT`, `proprietary`,
/// `public-domain`, `unknown`, …).
///
/// Any identifier made of letters, digits, `.`, `-` and `+` (at most 63 characters: a PostgreSQL enum label's limit, for the mirror) is accepted, so new
/// licences need no release; ``known`` lists the ones the issue tracker and reports name.
public struct LicenseType: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String

    /// Validates `rawValue`; nil when it is empty, too long, or holds other characters.
    public init?(rawValue: String) {
        guard !rawValue.isEmpty, rawValue.count <= 63,
              rawValue.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)
                  || $0 == "." || $0 == "-" || $0 == "+") })
        else { return nil }
        self.rawValue = rawValue
    }

    public static let unknown = LicenseType(rawValue: "unknown")!
    /// Licences commonly seen on study materials.
    public static let known = ["CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0", "CC-BY-NC-SA-4.0", "CC0-1.0", "MIT",
                               "Apache-2.0", "proprietary", "public-domain", "unknown"]

    public var description: String { rawValue }
}

/// Where a material came from and under which terms it may be kept and shared.
///
/// Every field is optional at input; the store fills defaults (`content_type` material, `acquisition_method`
/// manual_upload or system_import, `license_type` unknown, consent and permission false).
public struct ProvenanceInput: Sendable, Hashable, Codable {
    public var sourceURI: String?
    public var contentType: ContentType?
    public var acquisitionMethod: AcquisitionMethod?
    public var licenseType: LicenseType?
    /// Years the material may be kept (0...100).
    public var retentionYears: Int?
    public var externalShareConsent: Bool?
    public var permissionFlag: Bool?
    public var acquiredBy: String?
    /// ISO 8601 date or date-time.
    public var acquiredAt: String?

    public init(
        sourceURI: String? = nil, contentType: ContentType? = nil, acquisitionMethod: AcquisitionMethod? = nil,
        licenseType: LicenseType? = nil, retentionYears: Int? = nil, externalShareConsent: Bool? = nil,
        permissionFlag: Bool? = nil, acquiredBy: String? = nil, acquiredAt: String? = nil
    ) {
        self.sourceURI = sourceURI
        self.contentType = contentType
        self.acquisitionMethod = acquisitionMethod
        self.licenseType = licenseType
        self.retentionYears = retentionYears
        self.externalShareConsent = externalShareConsent
        self.permissionFlag = permissionFlag
        self.acquiredBy = acquiredBy
        self.acquiredAt = acquiredAt
    }

    /// `self` with every field that is nil taken from `defaults`.
    public func filled(from defaults: ProvenanceInput) -> ProvenanceInput {
        ProvenanceInput(
            sourceURI: sourceURI ?? defaults.sourceURI, contentType: contentType ?? defaults.contentType,
            acquisitionMethod: acquisitionMethod ?? defaults.acquisitionMethod,
            licenseType: licenseType ?? defaults.licenseType, retentionYears: retentionYears ?? defaults.retentionYears,
            externalShareConsent: externalShareConsent ?? defaults.externalShareConsent,
            permissionFlag: permissionFlag ?? defaults.permissionFlag, acquiredBy: acquiredBy ?? defaults.acquiredBy,
            acquiredAt: acquiredAt ?? defaults.acquiredAt)
    }
}
