import ArgumentParser

/// Says so when the first word is not a command, and suggests the nearest one (`cairn serch` → `search`).
enum CommandSuggestion {
    /// The message for an unknown first word, or nil when it is a command, an option or absent.
    static func unknownCommandMessage(_ arguments: [String], commands: [any ParsableCommand.Type]) -> String? {
        guard let word = arguments.first, !word.hasPrefix("-"), word != "help" else { return nil }
        let names = commands.compactMap { $0.configuration.commandName }
        guard !names.contains(word) else { return nil }
        let ranked = names.map { ($0, distance(word.lowercased(), $0)) }.sorted { $0.1 < $1.1 }
        var message = "cairn: '\(word)' is not a command."
        if let best = ranked.first, best.1 <= max(2, word.count / 3) || best.0.hasPrefix(word.lowercased()) {
            message += " Did you mean '\(best.0)'?"
        }
        return message + "\nCommands: \(names.joined(separator: ", ")). See `cairn --help`.\n"
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...max(1, b.count) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
