import CairnSQL

extension StoreSchema {
    /// The tables the chunk catalog and the keyword index are built from.
    static let contentTables = ["materials", "provenance", "material_chunks"]

    /// `0005_content_generation`: a counter that every insert, update or delete of a row in
    /// ``contentTables`` advances, inside the transaction that changes the row.
    ///
    /// A copy of something built from those rows (the chunk catalog, the keyword index), saved together with
    /// the generation it was built at, is current exactly when the counter still holds that value — whoever
    /// wrote the store since: the server, a CLI command, a mirror rebuild or a hand-written SQL statement.
    /// A transaction that rolls back takes its advances with it. Triggers fire per row, also for rows removed by
    /// a cascade: deleting a material advances it once for the material, once for its provenance and once per
    /// chunk.
    static let contentGeneration = Migration("0005_content_generation", sql: """
        CREATE TABLE content_generation (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            generation INTEGER NOT NULL
        );
        INSERT INTO content_generation (id, generation) VALUES (1, 0);
        """ + contentTables.map(generationTriggers).joined())

    private static func generationTriggers(table: String) -> String {
        ["INSERT", "UPDATE", "DELETE"].map { event in
            """

            CREATE TRIGGER \(table)_generation_\(event.lowercased()) AFTER \(event) ON \(table)
                BEGIN UPDATE content_generation SET generation = generation + 1 WHERE id = 1; END;
            """
        }.joined()
    }
}
