/// PostgreSQL's `numeric` in its binary form, to and from decimal text (`-12.34`), so an exact decimal never
/// passes through binary floating point on its way in or out.
///
/// The binary form is four int16s — the number of base-10000 digits, the weight of the first digit (its power
/// of 10000), the sign (0x0000 positive, 0x4000 negative) and the display scale (digits after the point) —
/// then the digits, most significant first.
public enum PostgresNumeric {
    /// The binary form of `text` (an optional `-`, digits, optionally `.` and digits); nil when it is not one.
    public static func binary(_ text: String) -> [UInt8]? {
        var body = Substring(text)
        let negative = body.hasPrefix("-")
        if negative { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty || parts.count == 2 else { return nil }
        let integer = parts[0], fraction = parts.count == 2 ? parts[1] : ""
        guard (integer + fraction).allSatisfy({ $0.isASCII && $0.isNumber }), !(integer + fraction).isEmpty else { return nil }
        let scale = fraction.count
        // Base-10000 groups: the integer part padded on the left, the fraction on the right, to multiples of 4.
        let intDigits = String(repeating: "0", count: (4 - integer.count % 4) % 4) + integer
        let fracDigits = fraction + String(repeating: "0", count: (4 - fraction.count % 4) % 4)
        var groups: [Int16] = []
        var chars = Array(intDigits + fracDigits)
        var index = 0
        while index < chars.count {
            groups.append(Int16(String(chars[index..<index + 4]))!)
            index += 4
        }
        chars.removeAll()
        var weight = intDigits.count / 4 - 1
        while let first = groups.first, first == 0 {
            groups.removeFirst()
            weight -= 1
        }
        while let last = groups.last, last == 0 { groups.removeLast() }
        var out = PostgresBinaryWriter()
        if groups.isEmpty { weight = 0 }
        out.int16(Int16(groups.count))
        out.int16(Int16(weight))
        out.int16(negative && !groups.isEmpty ? 0x4000 : 0)
        out.int16(Int16(scale))
        for group in groups { out.int16(group) }
        return out.bytes
    }

    /// The decimal text of a binary `numeric` (with its display scale's digits after the point); nil for NaN,
    /// infinities or bytes that are not one.
    public static func text(_ raw: UnsafeRawBufferPointer) -> String? {
        guard raw.count >= 8 else { return nil }
        func int16(_ offset: Int) -> Int { Int(Int16(bitPattern: PostgresBinaryReader.uint16(raw, offset))) }
        let count = int16(0), weight = int16(2), sign = int16(4) & 0xFFFF, scale = int16(6)
        guard count >= 0, raw.count == 8 + 2 * count, sign == 0 || sign == 0x4000, scale >= 0 else { return nil }
        let digits = (0..<count).map { int16(8 + 2 * $0) }
        var integer = ""
        if weight >= 0 {
            for position in 0...weight {
                let group = position < digits.count ? digits[position] : 0
                integer += position == 0 ? String(group) : pad(group)
            }
        } else {
            integer = "0"
        }
        var fraction = ""
        var position = weight + 1
        while fraction.count < scale {
            let index = position
            let group = index >= 0 && index < digits.count ? digits[index] : 0
            fraction += pad(group)
            position += 1
        }
        fraction = String(fraction.prefix(scale))
        let negative = sign == 0x4000 && digits.contains { $0 != 0 }
        return (negative ? "-" : "") + integer + (scale > 0 ? "." + fraction : "")
    }

    private static func pad(_ group: Int) -> String {
        let s = String(group)
        return String(repeating: "0", count: 4 - s.count) + s
    }
}
