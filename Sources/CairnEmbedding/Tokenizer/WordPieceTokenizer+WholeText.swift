import Foundation

extension WordPieceTokenizer {
    /// The reference path: each normalisation step over the whole text, in the reference order. Used for
    /// texts whose combining marks NFD may reorder, and by tests as the oracle for the table path.
    func feedWholeText(_ bytes: UnsafeBufferPointer<UInt8>, into emitter: inout WordPieceEmitter) {
        var cleaned = String.UnicodeScalarView()
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x5B, let special = specialToken(in: bytes, at: i) {
                cleaned.append(Self.marker(special.index))
                i += special.bytes.count
                continue
            }
            let scalar = Self.decodeScalar(bytes, at: &i)
            if BertScalarClass.isRemoved(scalar) { continue }
            if BertScalarClass.isWhitespace(scalar) {
                cleaned.append(" ")
            } else if BertScalarClass.isCJKIdeograph(scalar.value) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        let decomposed = String(cleaned).decomposedStringWithCanonicalMapping
        let markers = Self.markerBase..<(Self.markerBase + UInt32(specialTokens.count))
        for scalar in decomposed.unicodeScalars {
            if emitter.isFull { return }
            let v = scalar.value
            if v < 0x80 {
                Self.feed(ascii: UInt8(v), into: &emitter)
                continue
            }
            if markers.contains(v) {
                emitter.appendSpecial(specialTokens[Int(v - Self.markerBase)].id)
                continue
            }
            let properties = scalar.properties
            if properties.generalCategory == .nonspacingMark { continue }
            if properties.changesWhenLowercased {
                for lower in properties.lowercaseMapping.unicodeScalars { Self.feed(normalized: lower, into: &emitter) }
            } else {
                Self.feed(normalized: scalar, into: &emitter)
            }
        }
    }

    /// The ids ``encode(_:maxLength:)`` gives, computed on the whole-text reference path (for tests that
    /// check the fast path against it).
    @_spi(Testing)
    public func referenceEncode(_ text: String, maxLength: Int = WordPieceTokenizer.defaultMaxLength) -> [Int32] {
        let limit = max(maxLength, 2) - 1
        var ids: [Int32] = [clsID]
        appendPieces(of: text, to: &ids, limit: limit, wholeText: true)
        if ids.count > limit { ids.removeSubrange(limit...) }
        ids.append(sepID)
        return ids
    }

    /// One scalar after normalisation (pre-tokeniser rules only).
    private static func feed(normalized scalar: Unicode.Scalar, into emitter: inout WordPieceEmitter) {
        if scalar.value < 0x80 { return feed(ascii: UInt8(scalar.value), into: &emitter) }
        if BertScalarClass.isWhitespace(scalar) {
            emitter.endWord()
        } else if BertScalarClass.isPunctuation(scalar) {
            emitter.appendIsolated(scalar)
        } else {
            emitter.append(scalar)
        }
    }

    /// Private-use scalars stand for special tokens between cleaning and pre-tokenising: cleaning drops every
    /// private-use scalar of the input, so these cannot collide with text.
    private static let markerBase: UInt32 = 0xE000

    private static func marker(_ index: Int) -> Unicode.Scalar {
        Unicode.Scalar(markerBase + UInt32(index))!
    }
}
