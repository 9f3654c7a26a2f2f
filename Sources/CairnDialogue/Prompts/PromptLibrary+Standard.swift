extension PromptLibrary {
    /// The repository's `prompts/` templates, compiled in: used when no `prompts_dir` is set (a test keeps the
    /// two equal).
    public static let standard: PromptLibrary = {
        do {
            return try PromptLibrary(texts: standardTexts, source: "built-in")
        } catch {
            fatalError("the built-in prompt templates do not parse: \(error)")
        }
    }()

    static let standardTexts: [String] = [
        #"""
        You are a patient study coach. Answer the student's question using only the numbered sources in the context.
        After every sentence that uses a source, put its number in square brackets, like [1] or [2, 3].
        If the sources do not contain the answer, say so plainly instead of guessing, and suggest what to look up.
        Answer in the language of the question{{#language}} ({{language}}){{/language}}. Keep it short: a few sentences, or a short list.

        """#,
        #"""
        [{{marker}}] {{title}}{{#page}}, page {{page}}{{/page}}{{#heading}} — {{heading}}{{/heading}}{{#source}} ({{source}}){{/source}}
        {{content}}

        """#,
        #"""
        Context:
        {{context}}

        Question: {{question}}

        """#,
    ]
}
