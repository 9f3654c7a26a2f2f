import CairnIngest
import CairnKeyword

extension ServiceSetting {
    /// Retrieval's settings: the default mode, MMR's λ, BM25 and the tokenizer, the grounding thresholds.
    static let retrieval: [ServiceSetting] = [
        .string("retrieval.mode", "CAIRN_RETRIEVAL_MODE", "ranking when a request gives no mode: vector, keyword or hybrid") {
            (c, v) throws(ConfigurationError) in
            guard let mode = RetrievalMode(rawValue: v) else {
                throw ConfigurationError("is \"\(v)\"; allowed: vector, keyword, hybrid")
            }
            c.retrieval.mode = mode
        },
        .double("retrieval.mmr_lambda", nil, "MMR's λ for diversify (1: relevance only, 0: most diverse)", 0...1) {
            $0.retrieval.mmrLambda = $1
        },
        .double("keyword.k1", nil, "BM25 k1 (term-frequency saturation)", BM25Parameters.k1Range) {
            $0.retrieval.keyword.bm25.k1 = $1
        },
        .double("keyword.b", nil, "BM25 b (length normalisation)", BM25Parameters.bRange) {
            $0.retrieval.keyword.bm25.b = $1
        },
        .string("keyword.stop_words", nil, "stop words left out of keyword search: english or none") {
            (c, v) throws(ConfigurationError) in
            switch v {
            case "english": c.retrieval.keyword.tokenizer.englishStopWords = true
            case "none": c.retrieval.keyword.tokenizer.englishStopWords = false
            default: throw ConfigurationError("is \"\(v)\"; allowed: english, none")
            }
        },
        .double("grounding.similarity_threshold", nil, "best similarity below which a retrieval is below_threshold",
                -1...1) { $0.retrieval.grounding.similarity = Float($1) },
        .double("grounding.keyword_threshold", nil,
                "best normalised keyword score below which the keywords do not support an answer", 0...1) {
            $0.retrieval.grounding.keyword = Float($1)
        },
        .double("recall_check.floor", nil, "recall@k of the live index below which the recall check reports a tenant",
                0...1) { $0.recallCheck.floor = $1 },
        .int("recall_check.queries_per_tenant", nil, "stored chunk vectors the recall check asks per tenant", 1...1_000) {
            $0.recallCheck.queriesPerTenant = $1
        },
        .int("recall_check.logged_queries_per_tenant", nil,
             "past questions per tenant from the retrieval log the recall check asks too", 0...1_000) {
            $0.recallCheck.loggedQueriesPerTenant = $1
        },
        .int("recall_check.overall_queries", nil, "stored chunk vectors the recall check asks of the whole index",
             0...100_000) { $0.recallCheck.overallQueries = $1 },
        .double("recall_check.seconds", nil, "time budget of one recall check in seconds", 1...86_400) {
            $0.recallCheck.seconds = $1
        },
    ]
}
