public import CairnDialogue
import CairnIngest
import Metrics
public import Foundation

/// A dialogue to record as the API received it: the answer's fields, and the tenant when the caller names one.
public struct DialogueSubmission: Sendable {
    public var input: DialogueInput
    /// The tenant the answer belongs to: a coach key's own (naming another is a 403); for an admin key, this,
    /// else the joined retrieval's tenant, else the one tenant owning every cited chunk.
    public var tenant: String?

    public init(input: DialogueInput, tenant: String?) {
        self.input = input
        self.tenant = tenant
    }
}

extension CairnService {
    /// Records one answer: the tenant settled (see ``DialogueSubmission/tenant``), the retrieval joined, the
    /// citations resolved and priced (see `DialogueStore.record`).
    /// - Throws: `.forbidden` for another tenant or a coach's `created_at`; `.unprocessable` when an admin's
    ///   answer names no tenant and none can be derived; `.unprocessable` naming `retrieval_id` or `citations[i].chunk_id`; `.notReady`.
    public func recordDialogue(_ submission: DialogueSubmission, as identity: Identity) throws(ServiceError) -> StoredDialogue {
        let parts = try parts()
        var input = submission.input
        if identity.role == .coach {
            guard let own = identity.tenant?.rawValue else { throw ServiceError(.forbidden, "this key has no tenant") }
            if let named = submission.tenant, named != own {
                throw ServiceError(.forbidden, "this key may only record dialogues of tenant \"\(own)\"", field: "tenant")
            }
            if input.createdAt != nil {
                throw ServiceError(.forbidden, "only admin keys may give \"created_at\" (to import past answers)",
                                   field: "created_at")
            }
            input.tenant = own
        }
        var retrieval: JoinedRetrieval? = nil
        if let id = input.retrievalID {
            retrieval = try joinedRetrieval(id, parts)
            // A coach joins only its own tenant's retrievals (an admin's unfiltered one could list other tenants' chunks).
            guard let found = retrieval, identity.role == .admin || found.tenant == input.tenant else {
                throw ServiceError(.unprocessable, "\"retrieval_id\" \(id) names no retrieval of this tenant",
                                   field: "retrieval_id")
            }
        }
        if identity.role == .admin {
            if let named = submission.tenant {
                input.tenant = named
            } else if let tenant = retrieval?.tenant {
                input.tenant = tenant
            } else {
                let owners = try ServiceError.catching { () throws(DialogueError) in
                    try parts.dialogues.owners(ofChunks: input.citations.map(\.chunkID))
                }
                guard owners.count == 1, let only = owners.first else {
                    throw ServiceError(.unprocessable, "\"tenant\" is missing: name the tenant the answer belongs to (it "
                        + "could not be taken from the retrieval or the citations)", field: "tenant")
                }
                input.tenant = only
            }
            if let found = retrieval, let tenant = found.tenant, tenant != input.tenant {
                throw ServiceError(.unprocessable, "\"retrieval_id\" \(found.id) names a retrieval of tenant \"\(tenant)\", "
                    + "not \"\(input.tenant)\"", field: "retrieval_id")
            }
        }
        input.apiKeyID = identity.keyID.rawValue
        if input.latencyRetrievalMilliseconds == nil { input.latencyRetrievalMilliseconds = retrieval?.totalMilliseconds }
        let recorded = try ServiceError.catching { () throws(DialogueError) in
            try parts.dialogues.record(input, retrieval: retrieval, prices: parts.prices)
        }
        metrics.dialogues.increment()
        return recorded
    }

    /// The retrieval `id` from the log (flushing the log's buffer once when it is not found yet).
    func joinedRetrieval(_ id: String, _ parts: Parts) throws(ServiceError) -> JoinedRetrieval? {
        if let found = try parts.retrievals.joined(id) { return found }
        parts.retrievals.flush()
        return try parts.retrievals.joined(id)
    }

    /// One dialogue (a coach's own tenant's only; others are not found).
    public func dialogue(_ id: Int64, as identity: Identity) throws(ServiceError) -> StoredDialogue {
        let parts = try parts()
        let tenant = try scope(nil, identity: identity, field: "tenant")
        let found = try ServiceError.catching { () throws(DialogueError) in
            try parts.dialogues.dialogue(id, tenant: tenant)
        }
        guard let found else { throw ServiceError(.notFound, "no dialogue \(id)", field: "id") }
        return found
    }

    /// A page of dialogues, newest first (a coach sees its own tenant's).
    public func dialogues(_ query: DialogueQuery, as identity: Identity) throws(ServiceError)
        -> (items: [StoredDialogue], next: Int64?) {
        let parts = try parts()
        var q = query
        q.tenant = try scope(q.tenant, identity: identity, field: "tenant")
        return try ServiceError.catching { () throws(DialogueError) in try parts.dialogues.dialogues(q) }
    }

    /// Records a student's feedback (-1, 0, 1) on a dialogue.
    public func setFeedback(_ id: Int64, _ value: Int, as identity: Identity) throws(ServiceError) -> StoredDialogue {
        let parts = try parts()
        let tenant = try scope(nil, identity: identity, field: "tenant")
        let updated = try ServiceError.catching { () throws(DialogueError) in
            try parts.dialogues.setFeedback(id, value, tenant: tenant)
        }
        guard let updated else { throw ServiceError(.notFound, "no dialogue \(id)", field: "id") }
        return updated
    }

}
