import CairnIngest
import Foundation
import Testing
import TestSupport

@Suite struct DiscoveryTests {
    @Test func globSyntax() throws {
        let cases: [(String, String, Bool)] = [
            ("*.pdf", "a.pdf", true), ("*.pdf", "deep/er/a.pdf", true), ("*.pdf", "a.pdf.txt", false),
            ("notes/*.md", "notes/a.md", true), ("notes/*.md", "notes/x/a.md", false), ("notes/*.md", "x/notes/a.md", false),
            ("notes/**/*.md", "notes/a.md", true), ("notes/**/*.md", "notes/x/y/a.md", true),
            ("**/draft?.md", "draft1.md", true), ("**/draft?.md", "a/b/draft2.md", true), ("**/draft?.md", "a/draft10.md", false),
            ("drafts/**", "drafts/a/b.txt", true), ("drafts/**", "other/drafts/b.txt", false),
            ("ch[0-9].txt", "ch7.txt", true), ("ch[!0-9].txt", "ch7.txt", false), ("ch[!0-9].txt", "chx.txt", true),
            ("[abc]*", "b-file", true), ("/top.md", "top.md", true), ("/top.md", "sub/top.md", false),
            ("a/**z", "a/b/z", true), ("a**z", "a/b/z", false), ("a**z", "x/abz", true), ("\\*.md", "*.md", true), ("\\*.md", "x.md", false),
            ("*", "한국어.txt", true), ("?.txt", "中.txt", true),
        ]
        for (pattern, path, expected) in cases {
            #expect(try Glob(pattern).matches(path) == expected, "\(pattern) vs \(path)")
        }
        #expect(throws: IngestError.self) { try Glob("ch[0-9.txt") }
        #expect(throws: IngestError.self) { try Glob("") }
        #expect(try Glob(".private/**").mentionsHidden)
        #expect(try !Glob("*.md").mentionsHidden)
    }

    /// A small tree: sorted walk order, default extensions, hidden entries and a symlink loop.
    private func makeTree() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory(prefix: "cairn-walk")
        let fm = FileManager.default
        for sub in ["b", "a/deep", ".git", "drafts", ".private"] {
            try fm.createDirectory(atPath: dir.file(sub), withIntermediateDirectories: true)
        }
        for (name, body) in [("z.txt", "z"), ("a/one.md", "1"), ("a/deep/two.pdf", "22"), ("b/data.csv", "x"),
                             ("b/image.png", "png"), (".hidden.txt", "h"), (".git/config.txt", "g"),
                             ("drafts/d.md", "d"), (".private/p.md", "p"), ("a/deep/three.JSONL", "333")] {
            try Data(body.utf8).write(to: URL(fileURLWithPath: dir.file(name)))
        }
        try fm.createSymbolicLink(atPath: dir.file("a/deep/loop"), withDestinationPath: dir.path + "/a")
        return dir
    }

    @Test func walkTakesKnownExtensionsInSortedOrder() throws {
        let dir = try makeTree()
        let walk = FileWalker.walk([dir.path])
        #expect(walk.errors.isEmpty)
        #expect(walk.files.map(\.relativePath) == ["a/deep/three.JSONL", "a/deep/two.pdf", "a/one.md", "b/data.csv",
                                                   "drafts/d.md", "z.txt"])
        #expect(walk.files.first { $0.relativePath == "a/deep/two.pdf" }?.size == 2)
        #expect(walk.files.allSatisfy { $0.path == dir.path + "/" + $0.relativePath })
    }

    @Test func includeExcludeAndHidden() throws {
        let dir = try makeTree()
        let mdOnly = FileWalker.walk([dir.path], options: .init(include: [try Glob("*.md")], exclude: [try Glob("drafts/**")]))
        #expect(mdOnly.files.map(\.relativePath) == ["a/one.md"])
        let excludeWins = FileWalker.walk([dir.path], options: .init(include: [try Glob("**/*.md")], exclude: [try Glob("one.md")]))
        #expect(excludeWins.files.map(\.relativePath) == ["drafts/d.md"])
        let hidden = FileWalker.walk([dir.path], options: .init(exclude: [try Glob("a")], includeHidden: true))
        #expect(hidden.files.map(\.relativePath) == [".git/config.txt", ".hidden.txt", ".private/p.md", "b/data.csv",
                                                     "drafts/d.md", "z.txt"])
        let named = FileWalker.walk([dir.path], options: .init(include: [try Glob(".private/**"), try Glob("z.txt")]))
        #expect(named.files.map(\.relativePath) == [".private/p.md", "z.txt"])
    }

    @Test func explicitFilesAndMissingPaths() throws {
        let dir = try makeTree()
        let walk = FileWalker.walk([dir.file(".hidden.txt"), dir.file("missing.pdf"), dir.file("b"), dir.file("b/data.csv")])
        #expect(walk.files.map(\.relativePath) == [".hidden.txt", "data.csv"])
        #expect(walk.errors.count == 1)
        #expect(walk.errors.first?.kind == .io)
        #expect(walk.errors.first?.message == dir.file("missing.pdf") + ": no such file or directory")
    }

    @Test func jsonlManifest() throws {
        let dir = try TemporaryDirectory(prefix: "cairn-manifest")
        let text = """
        {"path": "notes/ch1.pdf", "owner": "t1", "title": "Chapter 1", "topic": "algebra", "tags": ["sat", "algebra"], "lang": "ko", "license_type": "CC-BY-SA-4.0", "retention_years": 3}
        {"path": "/abs/ch2.md", "tags": "a;b", "external_share_consent": false}
        {"owner": "t1"}
        {"path": "./notes/ch1.pdf"}
        {"path": "ch3.html", "license": "CC BY"}

        {"file": "../up.txt", "acquired_at": "2024-03-01"}
        """
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir.file("list.jsonl")))
        let manifest = try Manifest.read(path: dir.file("list.jsonl"))
        #expect(manifest.entries.map(\.path) == [dir.path + "/notes/ch1.pdf", "/abs/ch2.md", (dir.path as NSString).deletingLastPathComponent + "/up.txt"])
        #expect(manifest.entries.map(\.line) == [1, 2, 7])
        let first = manifest.entries[0].metadata
        #expect(first.owner == "t1" && first.title == "Chapter 1" && first.topic == "algebra" && first.language == "ko")
        #expect(first.tags == ["sat", "algebra"])
        #expect(first.provenance.licenseType?.rawValue == "CC-BY-SA-4.0")
        #expect(first.provenance.retentionYears == 3)
        #expect(manifest.entries[1].metadata.tags == ["a", "b"])
        #expect(manifest.entries[1].metadata.provenance.externalShareConsent == false)
        #expect(manifest.errors.map(\.message) == [
            "list.jsonl line 3: missing \"path\"",
            "list.jsonl line 4: \"./notes/ch1.pdf\" is already listed on line 1",
            "list.jsonl line 5: \"license\" is \"CC BY\"; allowed: an identifier of letters, digits, '.', '-', '+' such as "
                + LicenseType.known.joined(separator: ", "),
        ])
    }

    @Test func csvManifest() throws {
        let csv = "path,owner,Tags,lang,permission_flag\nnotes/a.pdf,t1,\"x;y\",zh-CN,1\nb.md,,,,maybe\n"
        let manifest = try Manifest.parse(Array(csv.utf8), format: .csv, baseDirectory: "/data/set", displayName: "m.csv")
        #expect(manifest.entries.map(\.path) == ["/data/set/notes/a.pdf"])
        #expect(manifest.entries.first?.metadata.tags == ["x", "y"])
        #expect(manifest.entries.first?.metadata.language == "zh-Hans")
        #expect(manifest.entries.first?.metadata.provenance.permissionFlag == true)
        #expect(manifest.errors.map(\.message) == ["m.csv line 3: \"permission_flag\" is \"maybe\"; allowed: true or false"])
        #expect(throws: IngestError.self) {
            try Manifest.parse(Array("name,owner\na,b\n".utf8), format: .csv, baseDirectory: "/", displayName: "m.csv")
        }
        #expect(throws: IngestError.self) { try Manifest.read(path: "/nonexistent/list.txt") }
    }
}
