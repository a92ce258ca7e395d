import Foundation

/// A document of a term index: the file it was read from and the terms it holds. Tower's
/// ``LexicalIndex`` and the benchmark's frozen BM25 both swap one repository's documents with
/// ``IndexedDocuments/replacing(_:in:frequency:with:read:)``.
public protocol IndexedDocument {
    /// `owner/name`.
    var repository: String { get }
    var path: String { get }
    /// Each term's count in the document.
    var counts: [String: Int] { get }
    /// Whether it was read from exactly this file: the same path and the same content.
    func isReading(of file: CandidateFile) -> Bool
}

/// Swapping one repository's documents in a term index.
public enum IndexedDocuments {
    /// `documents` with `repository`'s replaced by documents of `files`, and the document
    /// frequencies that go with them. A file read before, unchanged, keeps its document; only
    /// the others are `read`. The Discovery benchmark answers each ticket on its repository as
    /// it was before the change; indexing the whole organization again for every ticket costs
    /// seconds a ticket (12 s for fastapi's 4,644 files), while a change's neighbourhood moves a
    /// few dozen files.
    public static func replacing<Document: IndexedDocument>(
        _ repository: String, in documents: [Document], frequency: [String: Int], with files: [CandidateFile], read: (CandidateFile) -> Document
    ) -> (documents: [Document], frequency: [String: Int]) {
        var previous: [String: Document] = [:]
        for document in documents where document.repository == repository { previous[document.path] = document }
        var frequency = frequency
        var kept = documents.filter { $0.repository != repository }
        var reused = Set<String>()
        for file in files {
            if let document = previous[file.path], document.isReading(of: file) {
                kept.append(document)
                reused.insert(file.path)
                continue
            }
            let document = read(file)
            for term in document.counts.keys { frequency[term, default: 0] += 1 }
            kept.append(document)
        }
        for (path, document) in previous where !reused.contains(path) {
            for term in document.counts.keys {
                let left = (frequency[term] ?? 1) - 1
                frequency[term] = left > 0 ? left : nil
            }
        }
        return (kept, frequency)
    }
}

extension LexicalIndex {
    /// This index with one repository's files replaced by `files`, reading again only what
    /// changed (``IndexedDocuments/replacing(_:in:frequency:with:read:)``).
    public func replacing(repository: String, with files: [CandidateFile]) -> LexicalIndex {
        let swapped = IndexedDocuments.replacing(repository, in: documents, frequency: documentFrequency, with: files, read: Self.document)
        return LexicalIndex(documents: swapped.documents, documentFrequency: swapped.frequency, population: population)
    }
}

extension LexicalIndex.Document: IndexedDocument {
    var repository: String { file.repository }
    var path: String { file.path }
    func isReading(of file: CandidateFile) -> Bool { self.file == file }
}
