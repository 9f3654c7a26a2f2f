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

    /// `0006_chunk_generation`: a second counter, `content_generation.chunk_generation`, that only changes to
    /// `material_chunks` advance (the triggers of 0005 on that table are replaced by ones advancing both).
    ///
    /// The keyword index is built from chunk texts alone, so its saved copy is current while this counter
    /// holds its value, whatever happens to materials' statuses or metadata meanwhile.
    static let chunkGeneration = Migration("0006_chunk_generation", sql: """
        ALTER TABLE content_generation ADD COLUMN chunk_generation INTEGER NOT NULL DEFAULT 0;
        """ + ["INSERT", "UPDATE", "DELETE"].map { event in
            """

            DROP TRIGGER material_chunks_generation_\(event.lowercased());
            CREATE TRIGGER material_chunks_generation_\(event.lowercased()) AFTER \(event) ON material_chunks
                BEGIN UPDATE content_generation SET generation = generation + 1, chunk_generation = chunk_generation + 1
                WHERE id = 1; END;
            """
        }.joined())
}
