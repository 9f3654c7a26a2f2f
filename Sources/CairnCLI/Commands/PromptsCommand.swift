import ArgumentParser
import CairnDialogue
import Foundation

/// `cairn prompts check [--dir DIR]`: what `cairn serve` checks at start-up, without starting it.
struct PromptsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prompts", abstract: "The prompt templates of POST /v1/answer and /v1/prompt.",
        subcommands: [PromptsCheckCommand.self])
}

struct PromptsCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a directory of prompt templates and show what they render for a sample question.")

    @Option(help: "The directory holding coach_system.txt, context_chunk.txt and user_message.txt (default: built-in).")
    var dir: String?

    func run() throws {
        let library: PromptLibrary
        do {
            library = try dir.map(PromptLibrary.load(directory:)) ?? .standard
        } catch {
            throw CLIError(error.message)
        }
        let sample = [
            PromptChunk(marker: 1, chunkID: 101, materialID: 7, title: "Biology 7", pageNumber: 12, heading: "Osmosis",
                        sourceURI: "https://school.example/biology-7.pdf", license: "CC-BY-4.0",
                        content: "Water moves across a semipermeable membrane toward the side with more solute.",
                        similarity: 0.82),
            PromptChunk(marker: 2, chunkID: 102, materialID: 8, title: "Class notes", pageNumber: nil, heading: nil,
                        sourceURI: nil, license: nil, content: "Plant cells do not burst: the cell wall holds them.",
                        similarity: 0.61),
        ]
        let rendered = library.render(question: "Why do plant cells not burst in water?", chunks: sample, language: "en",
                                      tenant: "class-7b")
        print("ok: \(library.source) templates parse (\(PromptLibrary.files.map(\.name).joined(separator: ", ")))\n")
        for message in rendered.messages {
            print("── \(message.role) ──\n\(message.content)\n")
        }
    }
}
