import ArgumentParser
import CairnIngest
import Foundation

extension IndexCommand {
    /// The command's flags as the metadata of materials that do not set their own.
    func defaultMetadata() throws -> MaterialMetadata {
        var provenance = ProvenanceInput(sourceURI: sourceURI, retentionYears: retentionYears,
                                         externalShareConsent: externalShareConsent, permissionFlag: permission,
                                         acquiredBy: acquiredBy, acquiredAt: acquiredAt)
        if let contentType {
            guard let value = ContentType(rawValue: contentType) else {
                throw ValidationError("--content-type \(contentType): use one of "
                    + ContentType.allCases.map(\.rawValue).joined(separator: ", "))
            }
            provenance.contentType = value
        }
        provenance.acquisitionMethod = .systemImport
        if let acquisitionMethod {
            guard let value = AcquisitionMethod(rawValue: acquisitionMethod) else {
                throw ValidationError("--acquisition-method \(acquisitionMethod): use one of "
                    + AcquisitionMethod.allCases.map(\.rawValue).joined(separator: ", "))
            }
            provenance.acquisitionMethod = value
        }
        if let license {
            guard let value = LicenseType(rawValue: license) else {
                throw ValidationError("--license \(license): an SPDX-style identifier such as "
                    + LicenseType.known.joined(separator: ", "))
            }
            provenance.licenseType = value
        }
        if let retentionYears, !(0...100).contains(retentionYears) {
            throw ValidationError("--retention-years \(retentionYears) is out of range 0...100")
        }
        if let acquiredAt, !MetadataFields.isISO8601(acquiredAt) {
            throw ValidationError("--acquired-at \(acquiredAt): expected an ISO 8601 date or date-time")
        }
        let tagList = tags.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } } ?? []
        return MaterialMetadata(owner: owner, topic: topic, tags: tagList,
                                language: lang.map { MetadataFields.normalizeLanguage($0) ?? $0 }, provenance: provenance)
    }

    /// The files to index (from paths and manifests) and the paths that could not be used.
    func discover() throws -> ([IngestInput], [BulkJobError]) {
        let includes: [Glob], excludes: [Glob]
        do {
            includes = try include.map { pattern throws(IngestError) in try Glob(pattern) }
            excludes = try exclude.map { pattern throws(IngestError) in try Glob(pattern) }
        } catch {
            throw ValidationError(error.message)
        }
        var inputs: [IngestInput] = []
        var problems: [BulkJobError] = []
        let walk = FileWalker.walk(paths, options: FileWalker.Options(include: includes, exclude: excludes))
        inputs += walk.files.map { IngestInput(path: $0.path) }
        problems += walk.errors.map { BulkJobError(path: "", reason: $0.message) }
        for file in manifest {
            do {
                let read = try Manifest.read(path: file)
                inputs += read.entries.map { IngestInput(path: $0.path, metadata: $0.metadata) }
                problems += read.errors.map { BulkJobError(path: file, reason: $0.message) }
            } catch {
                problems.append(BulkJobError(path: file, reason: error.message))
            }
        }
        return (inputs, problems)
    }
}
