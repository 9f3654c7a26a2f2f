import CairnEmbedding
import Foundation
import Testing
import TestSupport

/// The built-in model is looked for the way an installed tool would, whatever the working directory.
@Suite struct ModelLocatorTests {
    @Test func placesAreTriedInOrderAndTheProjectOfTheExecutableIsFound() throws {
        let root = try TemporaryDirectory(prefix: "cairn-locator")
        let project = root.file("project")
        let model = project + "/index-data/models/all-MiniLM-L6-v2"
        try FileManager.default.createDirectory(atPath: model, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: project + "/.build/release", withIntermediateDirectories: true)
        let places = ModelLocator.candidates(dataDirectory: root.file("data"), environment: ["HOME": "/home/u"],
                                             executable: project + "/.build/release/cairn")
        #expect(places == [root.file("data/models/all-MiniLM-L6-v2"), model,
                           "/home/u/.local/share/cairn/models/all-MiniLM-L6-v2", "index-data/models/all-MiniLM-L6-v2"])
        let xdg = ModelLocator.candidates(dataDirectory: "d", environment: ["XDG_DATA_HOME": "/x", "HOME": "/h"], executable: nil)
        #expect(xdg.contains("/x/cairn/models/all-MiniLM-L6-v2") && !xdg.contains { $0.hasPrefix("/h") })
        #expect(ModelLocator.candidates(dataDirectory: "d", environment: ["CAIRN_MODEL_DIR": "/m"], executable: nil) == ["/m"])
        // Only a directory with both files counts as installed.
        #expect(!ModelLocator.isInstalled(at: model))
        _ = FileManager.default.createFile(atPath: model + "/vocab.txt", contents: Data("x".utf8))
        _ = FileManager.default.createFile(atPath: model + "/model.safetensors", contents: Data("x".utf8))
        #expect(ModelLocator.isInstalled(at: model))
    }

    @Test func aMissingModelNamesEveryPlaceLookedAt() throws {
        let root = try TemporaryDirectory(prefix: "cairn-locator")
        setenv("CAIRN_MODEL_DIR", root.file("nothing-here"), 1)
        defer { unsetenv("CAIRN_MODEL_DIR") }
        do {
            _ = try EmbedderFactory.makeBuiltin(dataDirectory: root.file("data"))
            Issue.record("a model was found in an empty directory")
        } catch {
            #expect(error.kind == .modelMissing)
            #expect(error.message.contains(root.file("nothing-here")) && error.message.contains("scripts/bootstrap.sh"))
        }
    }
}
