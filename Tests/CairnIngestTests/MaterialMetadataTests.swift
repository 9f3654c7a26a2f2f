import CairnIngest
import Testing

@Suite struct MaterialMetadataTests {
    @Test func specificValuesWinAndGapsComeFromDefaults() {
        let flags = MaterialMetadata(owner: "tenant-a", topic: "algebra", tags: ["sat"], language: "en",
                                     provenance: ProvenanceInput(licenseType: .unknown, retentionYears: 5))
        let record = MaterialMetadata(title: "Item 1", tags: [], language: "ko",
                                      provenance: ProvenanceInput(licenseType: LicenseType(rawValue: "CC-BY-4.0")))
        let merged = record.filled(from: flags)
        #expect(merged.owner == "tenant-a")
        #expect(merged.title == "Item 1")
        #expect(merged.tags == ["sat"])
        #expect(merged.language == "ko")
        #expect(merged.provenance.licenseType?.rawValue == "CC-BY-4.0")
        #expect(merged.provenance.retentionYears == 5)
    }

    @Test func licenceIdentifiersAreValidated() {
        for good in LicenseType.known { #expect(LicenseType(rawValue: good) != nil, "\(good)") }
        for bad in ["", "CC BY", "MIT;DROP", String(repeating: "x", count: 65)] {
            #expect(LicenseType(rawValue: bad) == nil, "\(bad)")
        }
    }

    @Test func errorsAreClassified() {
        #expect(IngestError(.malformed, "x").isUserError)
        #expect(!IngestError(.storage, "x").isUserError)
    }
}
