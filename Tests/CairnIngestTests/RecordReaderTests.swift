import CairnIngest
import Foundation
import Testing

@Suite struct RecordReaderTests {
    private func read(_ text: String, _ format: RecordFormat, _ name: String = "bank.jsonl") throws -> [RecordResult] {
        try RecordReader.read(Array(text.utf8), format: format, displayName: name)
    }

    private func records(_ text: String, _ format: RecordFormat) throws -> [MaterialRecord] {
        try read(text, format).map { try $0.result.get() }
    }

    private func extra(_ record: MaterialRecord) throws -> [String: Any] {
        let json = try #require(record.extraJSON)
        return try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test func aRecordWithANULCharacterFailsAloneNamingItsField() throws {
        let lines = #"{"external_id": "a", "text": "fine"}"# + "\n"
            + #"{"external_id": "b", "text": "x", "tags": ["ok", "bad\u0000tag"]}"# + "\n"
            + #"{"external_id": "c", "title": "nul\u0000title", "text": "y"}"#
        let results = try read(lines, .jsonl)
        #expect(results.count == 3)
        #expect((try? results[0].result.get()) != nil)
        for (result, field) in [(results[1], "tags[1]"), (results[2], "title")] {
            guard case .failure(let error) = result.result else {
                Issue.record("a record with NUL was read")
                continue
            }
            #expect(error.field == field && error.message.contains("NUL"), "\(error)")
        }
    }

    /// Foundation's JSON reader drops a raw U+FEFF at the start of each string; ``JSONText`` keeps it.
    @Test func aFieldThatBeginsWithAByteOrderMarkKeepsIt() throws {
        let bom = "\u{FEFF}"
        let line = bom + #"{"external_id": "\#(bom)a", "text": "\#(bom)\#(bom)x"}"#
        let item = try #require(try records(line, .jsonl).first)
        #expect(item.externalID == bom + "a")
        #expect(item.extracted.text.unicodeScalars.first == "\u{FEFF}")
        let json = #"{"k": ["\#(bom)", "x\#(bom)", "\ufeff"]}"#
        let object = try #require(try JSONText.value(Array(json.utf8)) as? [String: Any])
        #expect(object["k"] as? [String] == [bom, "x" + bom, bom])
        // A BOM outside a string is still not JSON; one before the document is the document's.
        #expect(throws: (any Error).self) { try JSONText.value(Array("[1, \(bom)2]".utf8)) }
        #expect(JSONText.value(bom + "[\"\(bom)\"]") as? [String] == [bom])
        // After an unpaired backslash a BOM is an invalid escape, and stays one; after a paired one it is text.
        #expect(throws: (any Error).self) { try JSONText.value(Array(#"["\\#(bom)"]"#.utf8)) }
        #expect(JSONText.value(#"["\\\#(bom)"]"#) as? [String] == ["\\" + bom])
        // Bytes that only begin a BOM, at the very end, are left as they are (and are not UTF-8).
        #expect(throws: (any Error).self) { try JSONText.value([0x22, 0xEF, 0xBB] as [UInt8]) }
    }

    @Test func englishItemBecomesStemAndOptions() throws {
        let line = #"{"id_str": "MATH-ALG-001", "bank_id": "SAT_MATH", "lang": "en", "stem_rich": {"html": "<p>Solve for <i>x</i>: 2x + 1 = 5 &amp; x &gt; 0.</p><p>Show&nbsp;work.</p>"}, "options_rich": [{"key":"A","text":"x = 1"}, {"key":"B","html":"<b>x = 2</b>"}, {"text":"x = 3"}], "answer_key": {"correct":["B"]}, "topic_tags": ["algebra", "linear"], "license_type": "cc-by-4.0", "acquired_at": "2024-03-01", "difficulty": 2}"#
        let item = try #require(try records(line, .jsonl).first)
        #expect(item.externalID == "MATH-ALG-001")
        #expect(item.extracted.text == "Solve for x: 2x + 1 = 5 & x > 0.\n\nShow work.\n\nA. x = 1\nB. x = 2\nC. x = 3")
        #expect(item.metadata.title == "Solve for x: 2x + 1 = 5 & x > 0. Show work.")
        #expect(item.metadata.language == "en")
        #expect(item.metadata.tags == ["algebra", "linear", "bank:SAT_MATH"])
        #expect(item.metadata.topic == "algebra")
        #expect(item.metadata.provenance.licenseType?.rawValue == "CC-BY-4.0")
        #expect(item.metadata.provenance.acquiredAt == "2024-03-01")
        let kept = try extra(item)
        #expect(kept["bank_id"] as? String == "SAT_MATH")
        #expect((kept["answer_key"] as? [String: Any])?["correct"] as? [String] == ["B"])
        #expect((kept["options"] as? [Any])?.count == 3)
        #expect(kept["difficulty"] as? Int == 2)
        #expect(kept["stem_rich"] == nil)
    }

    @Test func stemHTMLBecomesPlainText() throws {
        let html = "<p>x<sup>2</sup> &#39;a&#39; &#x4E2D; &lt;b&gt; 1 < 2</p><script>bad()</script>"
            + "<ul><li>one</li><li>two &amp;c</li></ul><p>end</p>"
        let line = #"{"id_str": "H1", "stem_rich": {"html": "\#(html)"}, "options_rich": ["<i>first</i>", {"key": "Z", "html": "<p>multi</p><p>line</p>"}]}"#
        let item = try #require(try records(line, .jsonl).first)
        #expect(item.extracted.text == "x^2 'a' 中 <b> 1 < 2\n\n- one\n- two &c\n\nend\n\nA. first\nZ. multi line")
    }

    @Test func koreanAndChineseItems() throws {
        let bank = """
        {"id_str": "KO-1", "lang": "ko", "stem_rich": {"html": "<p>다음 중 옳은 것은?</p>"}, "options_rich": [{"key": "A", "text": "서울은 한국의 수도이다."}], "topic_tags": ["지리"]}
        {"id_str": "ZH-1", "lang": "zh-CN", "stem_rich": {"html": "<p>下列哪一项是正确的？</p>"}, "options_rich": [{"key": "A", "text": "北京是中国的首都。"}]}
        {"id_str": "ZH-2", "lang": "zh_TW", "stem_rich": {"html": "下列哪一項是正確的？<br/>請選擇。"}, "options_rich": [{"key": "A", "text": "臺北"}]}
        {"id_str": "ZH-3", "lang": "zh-Hant", "stem_rich": {"text": "\(String(repeating: "漢字", count: 60))"}}
        """
        let items = try records(bank, .jsonl)
        #expect(items.map(\.metadata.language) == ["ko", "zh-Hans", "zh-Hant", "zh-Hant"])
        #expect(items[0].extracted.text == "다음 중 옳은 것은?\n\nA. 서울은 한국의 수도이다.")
        #expect(items[0].metadata.topic == "지리")
        #expect(items[1].extracted.text == "下列哪一项是正确的？\n\nA. 北京是中国的首都。")
        #expect(items[2].extracted.text == "下列哪一項是正確的？\n請選擇。\n\nA. 臺北")
        #expect(items[3].metadata.title == String(repeating: "漢字", count: 40) + "…")
    }

    @Test func genericRecordsWithProvenance() throws {
        let line = #"{"external_id": 42, "title": "Photosynthesis", "text": "Plants turn light\r\ninto sugar.", "owner": "t1", "topic": "biology", "tags": "plants; energy", "lang": "EN-us", "source_uri": "https://example.org/p", "content_type": "note_article", "acquisition_method": "api_fetch", "license": "MIT", "retention_years": "5", "external_share_consent": true, "permission_flag": "no", "acquired_by": "importer", "acquired_at": "2024-03-01T09:30:00+09:00", "grade": "7"}"#
        let record = try #require(try records(line, .jsonl).first)
        #expect(record.externalID == "42")
        #expect(record.extracted.text == "Plants turn light\ninto sugar.")
        #expect(record.metadata == MaterialMetadata(
            owner: "t1", title: "Photosynthesis", topic: "biology", tags: ["plants", "energy"], language: "en-US",
            provenance: ProvenanceInput(
                sourceURI: "https://example.org/p", contentType: .noteArticle, acquisitionMethod: .apiFetch,
                licenseType: LicenseType(rawValue: "MIT"), retentionYears: 5, externalShareConsent: true,
                permissionFlag: false, acquiredBy: "importer", acquiredAt: "2024-03-01T09:30:00+09:00")))
        #expect(record.extraJSON == #"{"grade":"7"}"#)
    }

    @Test func badLinesAreReportedAndSkipped() throws {
        let text = """
        {"external_id": "a", "text": "good one"}
        {"external_id": "b", "text": "oops"

        {"external_id": "c", "text": "bad type", "content_type": "foo"}
        {"id_str": "d", "options_rich": []}
        [1, 2]
        {"external_id": "e", "text": "good two", "retention_years": 500}
        {"external_id": "f", "text": "good three", "acquired_at": "2024-02-30"}
        {"external_id": "g", "text": "good four"}
        """
        let results = try read(text, .jsonl)
        #expect(results.map(\.number) == [1, 2, 4, 5, 6, 7, 8, 9])
        let messages = results.map { r -> String in
            switch r.result {
            case .success(let record): "ok \(record.externalID ?? "")"
            case .failure(let error): error.message
            }
        }
        #expect(messages[0] == "ok a")
        #expect(messages[1].hasPrefix("bank.jsonl line 2: not valid JSON"))
        #expect(messages[2] == "bank.jsonl line 4: \"content_type\" is \"foo\"; allowed: material, creation_log, generated, note_article, ai_response")
        #expect(messages[3] == "bank.jsonl line 5: missing \"stem_rich\" (the item has no question text)")
        #expect(messages[4] == "bank.jsonl line 6: expected a JSON object, found a list")
        #expect(messages[5].hasPrefix("bank.jsonl line 7: \"retention_years\" is 500; allowed: a whole number from 0 to 100"))
        #expect(messages[6].hasPrefix("bank.jsonl line 8: \"acquired_at\" is \"2024-02-30\""))
        #expect(messages[7] == "ok g")
    }

    @Test func fileWhereNothingParsesFails() {
        let one = #expect(throws: IngestError.self) { try read(#"{"title": "no text"}"#, .jsonl) }
        #expect(one?.kind == .emptyContent)
        let many = #expect(throws: IngestError.self) { try read("{\n}\n{\"text\": 3, \"tags\": {}}\n", .jsonl) }
        #expect(many?.kind == .malformed)
        #expect(many?.message.hasPrefix("bank.jsonl: none of its 3 records could be read") == true)
        #expect(throws: IngestError.self) { try read("\n \n", .jsonl) }
        #expect(throws: IngestError.self) { try read("[1, 2", .json, "bank.json") }
    }

    @Test func jsonArraysItemsAndSingleObjects() throws {
        let array = try records(#"[{"text": "one"}, {"id_str": "Q1", "stem_rich": "<p>two</p>"}]"#, .json)
        #expect(array.map(\.extracted.text) == ["one", "two"])
        let wrapped = try read(#"{"items": [{"text": "a"}, {"text": ""}, {"text": "c"}]}"#, .json, "bank.json")
        #expect(wrapped.count == 3)
        guard case .failure(let error) = wrapped[1].result else { Issue.record("record 2 should fail"); return }
        #expect(error.message == "bank.json record 2: \"text\" is blank")
        let single = try records("\u{FEFF}{\"text\": \"solo\", \"owner\": \"t9\"}", .json)
        #expect(single.map(\.metadata.owner) == ["t9"])
        #expect(RecordFormat(fileName: "x.NDJSON") == .jsonl)
    }

    @Test func languageTagsAndDatesAreNormalisedAndChecked() {
        let cases: [(String, String?)] = [
            ("en", "en"), ("EN_gb", "en-GB"), ("ko-KR", "ko-KR"), ("zh", "zh-Hans"), ("zh-SG", "zh-Hans"),
            ("zh-Hans-CN", "zh-Hans"), ("zh-HK", "zh-Hant"), ("zh-hant", "zh-Hant"), ("sr-latn", "sr-Latn"),
            ("english!", nil), ("", nil), ("e", nil),
        ]
        for (raw, expected) in cases { #expect(MetadataFields.normalizeLanguage(raw) == expected, "\(raw)") }
        for good in ["2024-02-29", "2024-03-01T09:30", "2024-03-01T09:30:15.250Z", "2024-03-01 09:30:00-05:00", "2024-03-01T09:30:00+0900"] {
            #expect(MetadataFields.isISO8601(good), "\(good)")
        }
        for bad in ["2023-02-29", "2024-13-01", "2024-3-1", "yesterday", "2024-03-01T25:00", "2024-03-01T09:30Zx"] {
            #expect(!MetadataFields.isISO8601(bad), "\(bad)")
        }
    }

    @Test func stringRowsUseTheSameRules() throws {
        let metadata = try MetadataFields.parse(["owner": "t1", "license_type": "proprietary", "permission_flag": "yes",
                                                 "tags": "a,b,,a", "lang": "zh-TW"], context: "flags")
        #expect(metadata.tags == ["a", "b"])
        #expect(metadata.language == "zh-Hant")
        #expect(metadata.provenance.permissionFlag == true)
        let error = #expect(throws: IngestError.self) { try MetadataFields.parse(["acquisition_method": "scraped"], context: "flags") }
        #expect(error?.message == "flags: \"acquisition_method\" is \"scraped\"; allowed: api_fetch, manual_upload, ai_generated, user_created, system_import")
    }
}
