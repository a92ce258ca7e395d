import Foundation
import TowerAgents

/// The benchmark's baseline, frozen: BM25 (k1 1.2, b 0.75) over each file's path and content,
/// with its own tokenizer (lowercase runs of letters, digits and `_`) and its own short stop
/// list, so that it does not move when Tower's tokenizer or keyword rules change.
struct PlainBM25 {
    struct Document {
        var repository: String
        var path: String
        var content: String?
        var counts: [String: Int]
        var length: Int
    }

    let documents: [Document]
    let frequency: [String: Int]
    let averageLength: Double

    static let stop: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of", "on", "or", "that", "the", "this", "to", "was", "with",
    ]

    static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        var word: [UInt8] = []
        for byte in text.utf8 {
            if (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5F {
                word.append(byte)
            } else if byte >= 0x41 && byte <= 0x5A {
                word.append(byte + 32)
            } else if !word.isEmpty {
                out.append(String(decoding: word, as: UTF8.self))
                word.removeAll(keepingCapacity: true)
            }
        }
        if !word.isEmpty { out.append(String(decoding: word, as: UTF8.self)) }
        return out
    }

    init(_ files: [(repository: String, path: String, content: String?)]) {
        var frequency: [String: Int] = [:]
        let documents = files.map(Self.document)
        for document in documents { for term in document.counts.keys { frequency[term, default: 0] += 1 } }
        self.init(documents: documents, frequency: frequency)
    }

    private init(documents: [Document], frequency: [String: Int]) {
        self.documents = documents
        self.frequency = frequency
        averageLength = max(1, Double(documents.map(\.length).reduce(0, +)) / Double(max(1, documents.count)))
    }

    private static func document(_ file: (repository: String, path: String, content: String?)) -> Document {
        let terms = tokens(file.path) + tokens(file.content ?? "")
        var counts: [String: Int] = [:]
        for term in terms { counts[term, default: 0] += 1 }
        return Document(repository: file.repository, path: file.path, content: file.content, counts: counts, length: terms.count)
    }

    /// The same with one repository's files replaced, reading again only those that changed
    /// (``IndexedDocuments/replacing(_:in:frequency:with:read:)``, as Tower's index does).
    func replacing(repository: String, with files: [CandidateFile]) -> PlainBM25 {
        let swapped = IndexedDocuments.replacing(repository, in: documents, frequency: frequency, with: files) {
            Self.document(($0.repository, $0.path, $0.content))
        }
        return PlainBM25(documents: swapped.documents, frequency: swapped.frequency)
    }

    /// The files for a query, best first, and the repository of the best three (halving).
    func rank(_ query: String, limit: Int = 10) -> (files: [String], repository: String?) {
        let terms = Array(Set(Self.tokens(query).filter { !Self.stop.contains($0) && $0.count > 1 }))
        let n = Double(documents.count)
        var scored: [(Int, Double)] = []
        for (index, document) in documents.enumerated() {
            var score = 0.0
            for term in terms {
                guard let tf = document.counts[term].map(Double.init) else { continue }
                let df = Double(frequency[term] ?? 0)
                let idf = log(1 + (n - df + 0.5) / (df + 0.5))
                score += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * Double(document.length) / averageLength))
            }
            if score > 0 { scored.append((index, score)) }
        }
        scored.sort { $0.1 != $1.1 ? $0.1 > $1.1 : documents[$0.0].path < documents[$1.0].path }
        var byRepository: [String: [Double]] = [:]
        for (index, score) in scored { byRepository[documents[index].repository, default: []].append(score) }
        let repository = byRepository.max { a, b in
            func total(_ s: [Double]) -> Double { s.prefix(3).enumerated().map { $0.element / pow(2, Double($0.offset)) }.reduce(0, +) }
            return total(a.value) < total(b.value)
        }?.key
        return (scored.prefix(limit).map { "\(documents[$0.0].repository)/\(documents[$0.0].path)" }, repository)
    }
}

extension PlainBM25.Document: IndexedDocument {
    func isReading(of file: CandidateFile) -> Bool { path == file.path && content == file.content }
}
