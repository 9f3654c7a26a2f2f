import CairnIndex
import CairnVectorMath

/// A write to the vector index as it is logged in the WAL.
///
/// Payloads (little-endian): type 1 `upsert` = `u64 label, u32 dimension, dimension × f32`;
/// type 2 `remove` = `u64 label`.
public enum VectorOperation: Sendable, Equatable {
    case upsert(label: UInt64, vector: [Float])
    case remove(label: UInt64)

    static let upsertType: UInt8 = 1
    static let removeType: UInt8 = 2

    public var label: UInt64 {
        switch self {
        case .upsert(let label, _), .remove(let label): label
        }
    }

    func encoded() -> (type: UInt8, payload: [UInt8]) {
        switch self {
        case .upsert(let label, let vector):
            var bytes = [UInt8]()
            bytes.reserveCapacity(12 + vector.count * 4)
            withUnsafeBytes(of: label.littleEndian) { bytes.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt32(vector.count).littleEndian) { bytes.append(contentsOf: $0) }
            for x in vector { withUnsafeBytes(of: x.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
            return (Self.upsertType, bytes)
        case .remove(let label):
            return (Self.removeType, withUnsafeBytes(of: label.littleEndian) { Array($0) })
        }
    }

    static func decode(type: UInt8, payload: [UInt8], lsn: UInt64) throws(StorageError) -> VectorOperation {
        func u64(_ at: Int) -> UInt64 {
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(payload[at + i]) << (8 * UInt64(i)) }
            return v
        }
        switch type {
        case upsertType:
            guard payload.count >= 12 else { throw .corruption("WAL record \(lsn): upsert payload too short") }
            let dim = Int(UInt32(payload[8]) | UInt32(payload[9]) << 8 | UInt32(payload[10]) << 16
                | UInt32(payload[11]) << 24)
            guard payload.count == 12 + dim * 4 else {
                throw .corruption("WAL record \(lsn): upsert of dimension \(dim) has \(payload.count) bytes")
            }
            let vector = (0..<dim).map { i -> Float in
                let o = 12 + i * 4
                let bits = UInt32(payload[o]) | UInt32(payload[o + 1]) << 8 | UInt32(payload[o + 2]) << 16
                    | UInt32(payload[o + 3]) << 24
                return Float(bitPattern: bits)
            }
            return .upsert(label: u64(0), vector: vector)
        case removeType:
            guard payload.count == 8 else { throw .corruption("WAL record \(lsn): remove payload is not 8 bytes") }
            return .remove(label: u64(0))
        default:
            throw .corruption("WAL record \(lsn): unknown vector operation type \(type)")
        }
    }

    func apply(to index: HNSWIndex) throws(IndexError) {
        switch self {
        case .upsert(let label, let vector): try index.insert(label: label, vector: vector)
        case .remove(let label): index.remove(label: label)
        }
    }
}
