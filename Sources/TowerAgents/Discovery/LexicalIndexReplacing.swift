import Foundation

extension LexicalIndex {
    /// This index with one repository's files replaced by `files`, reading again only what
    /// changed: a file at the same path with the same content keeps its terms. The Discovery
    /// benchmark answers each ticket on its repository as it was before the change; indexing
    /// the whole organization again for every ticket costs seconds a ticket (12 s for fastapi's
    /// 4,644 files), while the files a change's neighbourhood moved are a few dozen.
    public func replacing(repository: String, with files: [CandidateFile]) -> LexicalIndex {
        var previous: [String: Document] = [:]
        for document in documents where document.file.repository == repository { previous[document.file.path] = document }
        var frequency = documentFrequency
        var kept = documents.filter { $0.file.repository != repository }
        var reused = Set<String>()
        for file in files {
            if let document = previous[file.path], document.file == file {
                kept.append(document)
                reused.insert(file.path)
                continue
            }
            let document = Self.document(file)
            for term in document.counts.keys { frequency[term, default: 0] += 1 }
            kept.append(document)
        }
        for (path, document) in previous where !reused.contains(path) {
            for term in document.counts.keys {
                let left = (frequency[term] ?? 1) - 1
                frequency[term] = left > 0 ? left : nil
            }
        }
        return LexicalIndex(documents: kept, documentFrequency: frequency, population: population)
    }
}
