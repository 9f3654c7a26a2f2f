import CairnIngest
import CairnService
import Foundation
import Hummingbird

/// `POST /v1/vector_stores/{vector_store_id}/search` in OpenAI's wire format. A vector store is a tenant's
/// materials (the id is the `owner_id`); results carry Cairn's locators in `attributes`, and OpenAI's
/// comparison and compound filters apply to the materials' attributes.
struct VectorStoreRoutes {
    let service: CairnService

    /// Comparisons a filter may hold in all, and how deep `and`/`or` may nest.
    static let maxComparisons = 100
    static let maxDepth = 8

    func register(on router: Router<CairnRequestContext>) {
        router.post("/v1/vector_stores/{vector_store_id}/search") { request, context in try await search(request, context) }
    }

    func search(_ request: Request, _ context: CairnRequestContext) async throws -> Response {
        let identity = try context.caller()
        // The path segment as sent is percent-encoded (a tenant may hold spaces or any script).
        guard let raw = context.parameters.get("vector_store_id"), let storeID = raw.removingPercentEncoding,
              !storeID.isEmpty, storeID.unicodeScalars.count <= 256
        else {
            throw ServiceError(.notFound, "no such vector store", field: "vector_store_id")
        }
        var body = try await BodyReader.jsonObject(request, limit: service.configuration.maxJSONBytes)
        let search = try Self.parse(&body, storeID: storeID)
        let result = try await service.searchVectorStore(search, as: identity)
        return JSONResponse.make(Wire.vectorStoreSearch(result))
    }

    static func parse(_ body: inout RequestObject, storeID: String) throws(ServiceError) -> VectorStoreSearchRequest {
        var r = VectorStoreSearchRequest(storeID: storeID, queries: [])
        switch body.value("query") {
        case nil: throw ServiceError(.invalid, "\"query\" is missing; give a question or a list of them", field: "query")
        case let q as String: r.queries = [q]
        case let list as [Any]:
            r.queries = try list.enumerated().map { i, item throws(ServiceError) in
                guard let q = item as? String else {
                    throw ServiceError(.invalid, "\"query[\(i)]\" must be a string", field: "query[\(i)]")
                }
                return q
            }
        default: throw ServiceError(.invalid, "\"query\" must be a string or a list of strings", field: "query")
        }
        r.maxResults = try body.int("max_num_results", 1...VectorStoreSearchRequest.maxResultsLimit) ?? 10
        if var filters = try body.object("filters") {
            var count = 0
            r.predicate = try parseFilter(&filters, depth: 0, count: &count)
        }
        if var ranking = try body.object("ranking_options") {
            if let ranker = try ranking.string("ranker", maxLength: 64),
               !["auto", "none", "default-2024-11-15"].contains(ranker) {
                throw ranking.invalid("ranker", "is \"\(ranker)\"; allowed: auto, none, default-2024-11-15")
            }
            r.scoreThreshold = try ranking.number("score_threshold", 0...1).map(Float.init)
            try ranking.rejectUnknown()
        }
        // Accepted for compatibility; Cairn searches the query as given (search_query in the answer shows it).
        if let rewrite = body.value("rewrite_query"), !((rewrite as? NSNumber).map(RequestObject.isBool) ?? false) {
            throw body.invalid("rewrite_query", "must be true or false")
        }
        try body.rejectUnknown()
        return r
    }

    /// A comparison (`{key, type, value}`) or a compound filter (`{type: and|or, filters: [...]}`).
    static func parseFilter(_ f: inout RequestObject, depth: Int, count: inout Int) throws(ServiceError) -> MaterialPredicate {
        guard let type = try f.string("type", maxLength: 16) else {
            throw f.invalid("type", "is missing; give eq, ne, gt, gte, lt, lte, in, nin, or and/or with filters")
        }
        if type == "and" || type == "or" {
            guard depth < maxDepth else {
                throw ServiceError(.unprocessable, "\"\(f.name("filters"))\" nest more than \(maxDepth) levels deep",
                                   field: f.name("filters"))
            }
            guard let parts = try f.objects("filters", maxCount: maxComparisons), !parts.isEmpty else {
                throw f.invalid("filters", "must be a non-empty list of filters for type \"\(type)\"")
            }
            var predicates: [MaterialPredicate] = []
            for var part in parts {
                predicates.append(try parseFilter(&part, depth: depth + 1, count: &count))
            }
            try f.rejectUnknown()
            return type == "and" ? .and(predicates) : .or(predicates)
        }
        guard let op = MaterialPredicate.Comparison(rawValue: type) else {
            throw f.invalid("type", "is \"\(type)\"; allowed: eq, ne, gt, gte, lt, lte, in, nin, and, or")
        }
        count += 1
        guard count <= maxComparisons else {
            throw ServiceError(.unprocessable, "the filter holds more than \(maxComparisons) comparisons",
                               field: f.name("type"))
        }
        guard let rawKey = try f.string("key", maxLength: 64) else {
            throw f.invalid("key", "is missing; give one of " + keyList)
        }
        guard let key = MaterialAttribute(rawValue: rawKey) else {
            throw f.invalid("key", "is \"\(rawKey)\"; filterable attributes: " + keyList)
        }
        if op.isOrdering && !key.isNumeric {
            throw f.invalid("type", "is \"\(type)\", which orders numbers; \"\(rawKey)\" is text: use eq, ne, in or nin")
        }
        guard let raw = f.value("value") else { throw f.invalid("value", "is missing") }
        let value = try parseValue(raw, key: key, op: op, name: f.name("value"))
        try f.rejectUnknown()
        return .compare(key, op, value)
    }

    static var keyList: String { MaterialAttribute.allCases.map(\.rawValue).joined(separator: ", ") }

    /// The value for `key`: a number (or a decimal string) for material_id, text otherwise; a list for in/nin.
    static func parseValue(_ raw: Any, key: MaterialAttribute, op: MaterialPredicate.Comparison, name: String)
        throws(ServiceError) -> MaterialPredicate.PredicateValue
    {
        func bad(_ message: String, _ field: String = name) -> ServiceError {
            ServiceError(.invalid, "\"\(field)\" \(message)", field: field)
        }
        func scalar(_ item: Any, _ field: String) throws(ServiceError) -> MaterialPredicate.PredicateValue {
            if key.isNumeric {
                if let n = item as? NSNumber, !RequestObject.isBool(n), n.doubleValue.isFinite { return .number(n.doubleValue) }
                // At most 15 digits: every such id is exact as a double, which the comparison uses.
                if let text = item as? String {
                    let digits = text.hasPrefix("-") ? text.utf8.dropFirst() : text.utf8[...]
                    if (1...15).contains(digits.count), digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int64(text) {
                        return .number(Double(n))
                    }
                }
                throw bad("must be a number for \"\(key.rawValue)\"", field)
            }
            guard let s = item as? String else {
                if let n = item as? NSNumber, RequestObject.isBool(n) {
                    throw bad("is a boolean; \"\(key.rawValue)\" holds text", field)
                }
                throw bad("must be a string for \"\(key.rawValue)\"", field)
            }
            guard s.unicodeScalars.count <= 1_024 else { throw bad("is over 1,024 characters", field) }
            if key == .language {
                guard MetadataFields.isLanguageTag(s), let tag = MetadataFields.normalizeLanguage(s) else {
                    throw bad("is \"\(s)\"; give a language tag such as en, ko, zh-Hans or zh-Hant", field)
                }
                return .text(tag)
            }
            return .text(s)
        }
        if op.takesList {
            guard let list = raw as? [Any] else { throw bad("must be a list for \"\(op.rawValue)\"") }
            guard list.count <= 1_000 else { throw bad("has \(list.count) items; allowed: at most 1000") }
            var values: [MaterialPredicate.PredicateValue] = []
            for (i, item) in list.enumerated() { values.append(try scalar(item, "\(name)[\(i)]")) }
            if key.isNumeric {
                return .numbers(values.compactMap { if case .number(let n) = $0 { n } else { nil } })
            }
            return .texts(values.compactMap { if case .text(let s) = $0 { s } else { nil } })
        }
        if raw is [Any] { throw bad("is a list; \"\(op.rawValue)\" compares one value (use in or nin for a list)") }
        return try scalar(raw, name)
    }
}
