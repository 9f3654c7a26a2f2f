/// The descriptive fields of a material that an upload, a manifest line, a record or command-line flags
/// can set. Nil (or empty tags) means "not given here": ``filled(from:)`` layers a more specific source
/// (a record, a manifest line) over a more general one (the command's flags).
public struct MaterialMetadata: Sendable, Hashable, Codable {
    /// The user or tenant the material belongs to.
    public var owner: String?
    public var title: String?
    public var topic: String?
    public var tags: [String]
    /// BCP 47 tag: `en`, `ko`, `zh-Hans`, `zh-Hant`, …
    public var language: String?
    public var provenance: ProvenanceInput

    public init(
        owner: String? = nil, title: String? = nil, topic: String? = nil, tags: [String] = [], language: String? = nil,
        provenance: ProvenanceInput = ProvenanceInput()
    ) {
        self.owner = owner
        self.title = title
        self.topic = topic
        self.tags = tags
        self.language = language
        self.provenance = provenance
    }

    /// `self` with unset fields taken from `defaults` (tags: `self`'s when non-empty, else the defaults').
    public func filled(from defaults: MaterialMetadata) -> MaterialMetadata {
        MaterialMetadata(
            owner: owner ?? defaults.owner, title: title ?? defaults.title, topic: topic ?? defaults.topic,
            tags: tags.isEmpty ? defaults.tags : tags, language: language ?? defaults.language,
            provenance: provenance.filled(from: defaults.provenance))
    }
}

/// One material read from a record file (a JSON/JSONL item bank or generic records, a CSV row): its text is
/// already extracted, and `sourceKey` tells a later upload of a changed version apart from a new material.
public struct MaterialRecord: Sendable, Hashable {
    /// The id the source system uses (`id_str`, `external_id`); returned with every search result.
    public var externalID: String?
    public var metadata: MaterialMetadata
    public var extracted: ExtractedText
    /// Extra fields worth keeping (an item's options and answer key, a bank id) as a JSON object text.
    public var extraJSON: String?

    public init(externalID: String?, metadata: MaterialMetadata, extracted: ExtractedText, extraJSON: String? = nil) {
        self.externalID = externalID
        self.metadata = metadata
        self.extracted = extracted
        self.extraJSON = extraJSON
    }
}
