public import Foundation

/// One chat message.
public struct ChatMessage: Sendable, Hashable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// A retrieved chunk as the prompt numbers it.
public struct PromptChunk: Sendable, Hashable {
    /// The number the answer cites it by (`[marker]`): its rank in the retrieval.
    public var marker: Int
    public var chunkID: Int64
    public var materialID: Int64
    public var title: String
    public var pageNumber: Int?
    public var heading: String?
    public var sourceURI: String?
    public var license: String?
    public var content: String
    public var similarity: Double

    public init(marker: Int, chunkID: Int64, materialID: Int64, title: String, pageNumber: Int?, heading: String?,
                sourceURI: String?, license: String?, content: String, similarity: Double) {
        self.marker = marker
        self.chunkID = chunkID
        self.materialID = materialID
        self.title = title
        self.pageNumber = pageNumber
        self.heading = heading
        self.sourceURI = sourceURI
        self.license = license
        self.content = content
        self.similarity = similarity
    }
}

/// A prompt ready for a chat model, and which marker stands for which chunk.
public struct RenderedPrompt: Sendable, Hashable {
    public var messages: [ChatMessage]
    /// The numbered chunks, in marker order.
    public var chunks: [PromptChunk]
}

/// The three prompt templates of `POST /v1/answer` and `POST /v1/prompt` (see `prompts/README.md`), checked
/// when loaded.
public struct PromptLibrary: Sendable, Hashable {
    public let system: PromptTemplate
    public let chunk: PromptTemplate
    public let user: PromptTemplate
    /// Where they came from (a directory, or built-in).
    public let source: String

    /// The file names, and what each may and must use.
    public static let files: [(name: String, allowed: Set<String>, required: Set<String>)] = [
        ("coach_system.txt", ["language", "tenant"], []),
        ("context_chunk.txt", ["marker", "content", "title", "page", "heading", "source", "license", "chunk_id",
                               "material_id"], ["marker", "content"]),
        ("user_message.txt", ["context", "question", "language"], ["context", "question"]),
    ]

    /// Parses the three templates' texts (in ``files`` order).
    public init(texts: [String], source: String) throws(DialogueError) {
        var parsed: [PromptTemplate] = []
        for (file, text) in zip(Self.files, texts) {
            parsed.append(try PromptTemplate(name: source == "built-in" ? file.name : "\(source)/\(file.name)", text: text,
                                             allowed: file.allowed, required: file.required))
        }
        system = parsed[0]
        chunk = parsed[1]
        user = parsed[2]
        self.source = source
    }

    /// Reads and checks the three templates in `directory`.
    /// - Throws: `.configuration` naming the file (and line) at fault.
    public static func load(directory: String) throws(DialogueError) -> PromptLibrary {
        var texts: [String] = []
        for file in files {
            let path = (directory as NSString).appendingPathComponent(file.name)
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw DialogueError(.configuration, "prompt template \(path) cannot be read (prompts_dir must hold "
                    + files.map(\.name).joined(separator: ", ") + ")")
            }
            texts.append(text)
        }
        return try PromptLibrary(texts: texts, source: directory)
    }

    /// The messages for `question` over `chunks` (numbered by their markers).
    public func render(question: String, chunks: [PromptChunk], language: String?, tenant: String?) -> RenderedPrompt {
        let context = chunks.map { c in
            chunk.render([
                "marker": String(c.marker), "content": c.content, "title": c.title,
                "page": c.pageNumber.map(String.init) ?? "", "heading": c.heading ?? "", "source": c.sourceURI ?? "",
                "license": c.license ?? "", "chunk_id": String(c.chunkID), "material_id": String(c.materialID),
            ]).trimmingCharacters(in: .newlines)
        }.joined(separator: "\n\n")
        let systemText = system.render(["language": language ?? "", "tenant": tenant ?? ""])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let userText = user.render(["context": context, "question": question, "language": language ?? ""])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return RenderedPrompt(messages: [ChatMessage(role: "system", content: systemText),
                                         ChatMessage(role: "user", content: userText)], chunks: chunks)
    }
}
