/// Plain text (`.txt`): the decoded text as it is, without pages or headings.
///
/// ```swift
/// let extracted = try PlainTextExtractor.extract(bytes: Array(data), name: "notes.txt")
/// ```
public enum PlainTextExtractor {
    /// `text` with normalised line endings (see ``TextDecoding``).
    public static func extract(_ text: String) -> ExtractedText {
        ExtractedText(text: TextDecoding.normalizingLineEndings(text))
    }

    /// Decodes and extracts a plain-text file.
    ///
    /// - Throws: ``IngestError`` `.malformed` for bytes that are not text (see ``TextDecoding/decode(_:name:)``),
    ///   `.emptyContent` when the file holds only whitespace.
    public static func extract(bytes: [UInt8], name: String) throws(IngestError) -> ExtractedText {
        let extracted = ExtractedText(text: try TextDecoding.decode(bytes, name: name))
        try requireContent(extracted, name: name)
        return extracted
    }

    /// Throws `.emptyContent` when `extracted` has no character other than whitespace.
    static func requireContent(_ extracted: ExtractedText, name: String) throws(IngestError) {
        guard extracted.text.unicodeScalars.contains(where: { !$0.properties.isWhitespace }) else {
            throw IngestError(.emptyContent, "\(name): the file holds no text to index")
        }
    }
}
