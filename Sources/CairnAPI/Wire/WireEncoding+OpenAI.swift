import CairnIngest
import CairnService
import Foundation

extension Wire {
    /// OpenAI's embeddings list, written straight to bytes (a batch of 2,048 vectors is 786,432 numbers).
    static func embeddings(_ r: EmbeddingsResult, base64: Bool) -> [UInt8] {
        let dimension = r.vectors.first?.count ?? 0
        var out: [UInt8] = []
        out.reserveCapacity(64 + r.vectors.count * (base64 ? dimension * 4 * 4 / 3 + 64 : dimension * 12 + 48))
        out += Array(#"{"object":"list","data":["#.utf8)
        for (i, vector) in r.vectors.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += Array(#"{"object":"embedding","index":\#(i),"embedding":"#.utf8)
            if base64 {
                out.append(UInt8(ascii: "\""))
                out += Array(littleEndianFloat32(vector).base64EncodedString().utf8)
                out.append(UInt8(ascii: "\""))
            } else {
                out.append(UInt8(ascii: "["))
                for (j, x) in vector.enumerated() {
                    if j > 0 { out.append(UInt8(ascii: ",")) }
                    // The shortest decimal that reads back as the same float32; "0" for non-finite values.
                    out += Array((x.isFinite ? x.description : "0").utf8)
                }
                out.append(UInt8(ascii: "]"))
            }
            out.append(UInt8(ascii: "}"))
        }
        out += Array(#"],"model":"#.utf8)
        JSONValue.string(r.model).write(into: &out)
        out += Array(#","usage":{"prompt_tokens":\#(r.promptTokens),"total_tokens":\#(r.promptTokens)}}"#.utf8)
        return out
    }

    /// The vector's float32 values as little-endian bytes (what OpenAI's base64 encoding packs).
    static func littleEndianFloat32(_ vector: [Float]) -> Data {
        var data = Data(count: vector.count * 4)
        data.withUnsafeMutableBytes { raw in
            for (i, x) in vector.enumerated() {
                raw.storeBytes(of: x.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self)
            }
        }
        return data
    }

    /// OpenAI's vector-store search page; Cairn's locators and provenance are in each result's `attributes`.
    static func vectorStoreSearch(_ r: VectorStoreSearchResult) -> JSONValue {
        let data: [JSONValue] = r.chunks.map { hit in
            let c = hit.chunk
            var attributes: [(String, JSONValue)] = [
                ("chunk_id", .int(c.chunkID.rawValue)), ("material_id", .int(c.materialID.rawValue)),
                ("chunk_index", .int(c.chunkIndex)), ("char_start", .int(c.charStart)), ("char_end", .int(c.charEnd)),
            ]
            if let page = c.pageNumber { attributes.append(("page_number", .int(page))) }
            if let page = c.pageEnd { attributes.append(("page_end", .int(page))) }
            attributes.append(("heading_path", .string(c.headingPath.joined(separator: " > "))))
            attributes.append(("title", .string(c.title)))
            attributes.append(("owner_id", .string(c.owner)))
            let optional: [(String, String?)] = [
                ("external_id", c.externalID), ("topic", c.topic),
                ("tags", c.tags.isEmpty ? nil : c.tags.joined(separator: ",")), ("lang", c.language),
                ("content_type", c.contentType), ("license_type", c.licenseType), ("source_uri", c.sourceURI),
                ("acquisition_method", c.acquisitionMethod),
            ]
            for (key, value) in optional { if let value { attributes.append((key, .string(value))) } }
            return [
                "file_id": .string(String(c.materialID.rawValue)), "filename": .string(c.filename ?? c.title),
                "score": .float(hit.similarity), "attributes": .object(attributes),
                "content": [["type": "text", "text": .string(c.content)]],
            ]
        }
        return [
            "object": "vector_store.search_results.page", "search_query": .strings(r.queries), "data": .array(data),
            "has_more": false, "next_page": .null, "retrieval_ids": .strings(r.retrievalIDs),
        ]
    }
}
