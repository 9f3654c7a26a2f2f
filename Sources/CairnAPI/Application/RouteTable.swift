import CairnService

/// The API's path templates (`/v1/materials/{id}`) and the methods each takes, read from the OpenAPI
/// document, so a request with a known path and another method is answered 405 with `Allow`, not 404.
struct RouteTable: Sendable {
    private let routes: [(segments: [String], methods: [String])]

    init(openAPI: JSONValue) {
        guard case .object(let paths)? = openAPI["paths"] else {
            routes = []
            return
        }
        routes = paths.map { path, operations in
            var methods: [String] = []
            if case .object(let fields) = operations { methods = fields.map { $0.0.uppercased() } }
            return (Self.segments(path), methods.sorted())
        }
    }

    /// The methods of the route template `path` matches, or nil when it matches none.
    func methods(forPath path: String) -> [String]? {
        let asked = Self.segments(path)
        for route in routes where route.segments.count == asked.count {
            let matches = zip(route.segments, asked).allSatisfy { template, segment in
                (template.hasPrefix("{") && template.hasSuffix("}") && !segment.isEmpty) || template == segment
            }
            if matches { return route.methods }
        }
        return nil
    }

    private static func segments(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
    }
}
