@testable import CairnDialogue
import Foundation
import TestSupport
import Testing

@Suite("Prompt templates")
struct PromptTemplateTests {
    @Test("the repository's prompts/ load, equal the built-in ones, and each renders every placeholder")
    func repositoryTemplates() throws {
        let dir = try RepositoryFile.path("prompts")
        let library = try PromptLibrary.load(directory: dir)
        #expect(library.system.names == PromptLibrary.standard.system.names)
        for (file, text) in zip(PromptLibrary.files, PromptLibrary.standardTexts) {
            let onDisk = try String(contentsOfFile: dir + "/" + file.name, encoding: .utf8)
            #expect(onDisk == text, "\(file.name) differs from the built-in copy")
        }
        let chunks = [
            PromptChunk(marker: 1, chunkID: 11, materialID: 5, title: "Biology 7", pageNumber: 3, heading: "Osmosis",
                        sourceURI: "https://example.org/bio", license: "CC-BY-4.0", content: "Water moves across membranes.",
                        similarity: 0.8),
            PromptChunk(marker: 2, chunkID: 12, materialID: 6, title: "Notes", pageNumber: nil, heading: nil, sourceURI: nil,
                        license: nil, content: "Cells can burst.", similarity: 0.6),
        ]
        let rendered = library.render(question: "What is osmosis?", chunks: chunks, language: "en", tenant: "class-7b")
        #expect(rendered.messages.map(\.role) == ["system", "user"])
        let system = rendered.messages[0].content, user = rendered.messages[1].content
        #expect(system.contains("(en)") && system.contains("[1]"))
        #expect(user.contains("[1] Biology 7, page 3 — Osmosis (https://example.org/bio)\nWater moves across membranes."))
        #expect(user.contains("[2] Notes\nCells can burst."))  // empty sections vanish
        #expect(user.hasSuffix("Question: What is osmosis?"))
        #expect(!user.contains("{{") && !system.contains("{{"))
    }

    @Test("bad templates are refused naming the template, the line and the problem")
    func refusals() {
        func message(_ text: String, required: Set<String> = ["content"]) -> String {
            let r = Result { () throws(DialogueError) in
                try PromptTemplate(name: "t.txt", text: text, allowed: ["content", "title"], required: required)
            }
            if case .failure(let e) = r { return e.message }
            return "accepted"
        }
        #expect(message("ok {{content}}") == "accepted")
        #expect(message("a\nb {{conten}}").contains("line 2") && message("a\nb {{conten}}").contains("unknown placeholder"))
        #expect(message("{{#title}} x {{content}}").contains("never closed"))
        #expect(message("{{content}} {{/title}}").contains("closes no"))
        #expect(message("{{title}}").contains("must use {{content}}"))
        #expect(message("{{content").contains("never closed"))
        #expect(message("{{ content }} and {{#title}}[{{title}}]{{/title}}") == "accepted")
    }

    @Test("a prompts_dir missing a file is refused naming it")
    func missingFile() throws {
        let dir = try TemporaryDirectory()
        let r = Result { () throws(DialogueError) in try PromptLibrary.load(directory: dir.path) }
        guard case .failure(let e) = r else { Issue.record("loaded an empty directory"); return }
        #expect(e.message.contains("coach_system.txt"))
    }
}
