/// One search result: a vector id and its distance to the query (smaller is closer).
///
/// Results are ordered ascending by ``distance``, ties by ``id``; `<` implements that order.
public struct Neighbor: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The id of the vector (an index slot or a global row number).
    public var id: UInt32
    /// The distance under the metric of the search (see ``Metric``).
    public var distance: Float

    /// A result for `id` at `distance`.
    public init(id: UInt32, distance: Float) {
        self.id = id
        self.distance = distance
    }

    public static func < (a: Neighbor, b: Neighbor) -> Bool {
        a.distance < b.distance || (a.distance == b.distance && a.id < b.id)
    }

    public var description: String { "\(id)@\(distance)" }
}
