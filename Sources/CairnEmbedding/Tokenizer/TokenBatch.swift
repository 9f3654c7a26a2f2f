/// Encoded texts padded to a common length: the encoder's input.
///
/// Row `r` occupies `ids[r * maxLength ..< (r + 1) * maxLength]`; its first `lengths[r]` ids are real
/// (`[CLS]` … `[SEP]`) and the rest are `[PAD]`, with `mask` 1 over the real ids and 0 over the padding.
///
/// ```swift
/// let batch = tokenizer.encodeBatch(["short", "a somewhat longer text"])
/// batch.count      // 2
/// batch.maxLength  // 6: the longest row, [CLS] a somewhat longer text [SEP]
/// batch.lengths    // [3, 6]
/// ```
public struct TokenBatch: Sendable, Hashable {
    /// Row-major token ids, `count × maxLength`, padded with the pad id.
    public var ids: [Int32]
    /// Row-major attention mask, `count × maxLength`: 1 for a real token, 0 for padding.
    public var mask: [Float]
    /// Real tokens per row, special tokens included.
    public var lengths: [Int]
    /// Ids per row after padding: the longest row's length (0 for an empty batch).
    public var maxLength: Int

    /// Number of rows (texts).
    public var count: Int { lengths.count }

    /// Pads already encoded rows (each with its `[CLS]`/`[SEP]`) to the longest one.
    ///
    /// Callers that bucket texts by length build one batch per bucket from their rows.
    public init(rows: [[Int32]], padID: Int32) {
        let width = rows.map(\.count).max() ?? 0
        var ids = [Int32](repeating: padID, count: rows.count * width)
        var mask = [Float](repeating: 0, count: rows.count * width)
        for (r, row) in rows.enumerated() {
            let base = r * width
            for (j, id) in row.enumerated() {
                ids[base + j] = id
                mask[base + j] = 1
            }
        }
        self.ids = ids
        self.mask = mask
        self.lengths = rows.map(\.count)
        self.maxLength = width
    }

    /// The real ids of row `r` (no padding).
    public func row(_ r: Int) -> ArraySlice<Int32> {
        ids[r * maxLength..<(r * maxLength + lengths[r])]
    }
}
