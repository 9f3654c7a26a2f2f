/// Carries a value whose thread-safety the code guarantees by construction (e.g. a buffer that worker threads
/// only read) across a `@Sendable` boundary.
struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
