import CairnIngest
import Testing

@Suite struct CSVReaderTests {
    private func parse(_ text: String) throws -> CSVTable {
        try CSVReader.parse(Array(text.utf8), displayName: "t.csv")
    }

    @Test func quotesDoubledQuotesNewlinesAndCRLF() throws {
        let table = try parse("\u{FEFF}a,b,c\r\n1,\"x, \"\"quoted\"\"\",3\r\n\"multi\r\nline\",,last\r\n\r\n4,5,6")
        #expect(table.header == ["a", "b", "c"])
        #expect(table.rows.map(\.cells) == [["1", "x, \"quoted\"", "3"], ["multi\r\nline", "", "last"], ["4", "5", "6"]])
        #expect(table.rows.map(\.line) == [2, 3, 6])
    }

    @Test func unclosedQuoteFailsNamingItsLine() {
        let error = #expect(throws: IngestError.self) { try parse("a,b\n1,2\n3,\"open\n4,5\n") }
        #expect(error?.kind == .malformed)
        #expect(error?.message == "t.csv line 3: a quoted field is never closed")
    }

    @Test func emptyFileIsEmptyContent() {
        #expect(throws: IngestError.self) { try parse("\n\n") }
    }

    @Test func textColumnGivesOneRecordPerRow() throws {
        let csv = "external_id,Text,owner,tags,license_type,retention_years\n"
            + "r1,First text,t1,a;b,CC-BY-4.0,3\n"
            + "r2,,t1,,,\n"
            + "r3,Third text,t2,\"x, y\",CC BY,\n"
        let results = try RecordReader.read(Array(csv.utf8), format: .csv, displayName: "rows.csv")
        #expect(results.map(\.number) == [2, 3, 4])
        let first = try results[0].result.get()
        #expect(first.externalID == "r1")
        #expect(first.extracted.text == "First text")
        #expect(first.metadata.tags == ["a", "b"])
        #expect(first.metadata.provenance.licenseType?.rawValue == "CC-BY-4.0")
        #expect(first.metadata.provenance.retentionYears == 3)
        guard case .failure(let blank) = results[1].result, case .failure(let license) = results[2].result else {
            Issue.record("rows 3 and 4 should fail")
            return
        }
        #expect(blank.kind == .emptyContent)
        #expect(blank.message.hasPrefix("rows.csv line 3: "))
        #expect(license.message.contains("\"license_type\" is \"CC BY\""))
    }

    @Test func tooManyCellsFailsTheRow() throws {
        let results = try RecordReader.read(Array("text,owner\nok,t1\nbad,t1,extra\n".utf8), format: .csv, displayName: "c.csv")
        #expect((try? results[0].result.get())?.metadata.owner == "t1")
        guard case .failure(let error) = results[1].result else { Issue.record("row 3 should fail"); return }
        #expect(error.message == "c.csv line 3: 3 fields but the header has 2")
    }

    @Test func tableWithoutTextColumnIsOneMaterial() throws {
        let table = try parse("word,meaning,level\nephemeral,lasting a short time,B2\nubiquitous,,C1\n")
        #expect(table.textColumn == nil)
        #expect(CSVReader.tableText(table).text
            == "word: ephemeral; meaning: lasting a short time; level: B2\nword: ubiquitous; level: C1")
        let results = try RecordReader.read(Array("k,v\n한국어,중국어\n".utf8), format: .csv, displayName: "kv.csv")
        #expect(results.count == 1)
        #expect(try results[0].result.get().extracted.text == "k: 한국어; v: 중국어")
    }

    @Test func latin1FallbackForNonUTF8() throws {
        let table = try CSVReader.parse(Array("text\n".utf8) + [0x63, 0x61, 0x66, 0xE9, 0x0A], displayName: "l.csv")
        #expect(table.rows.first?.cells == ["caf\u{E9}"])
    }
}
