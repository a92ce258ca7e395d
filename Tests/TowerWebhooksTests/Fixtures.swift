import Crypto
import Foundation

/// The shared public payloads (copied from ../shared/fixtures; origins in Fixtures/SOURCES.md)
/// and signatures computed here, independently of the code under test.
enum WebhookFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func data(_ path: String) -> Data {
        (try? Data(contentsOf: directory.appendingPathComponent(path))) ?? Data()
    }

    static func json(_ path: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: data(path)) as? [String: Any]) ?? [:]
    }

    static func encode(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    /// HMAC-SHA256 as lowercase hex.
    static func hmac(_ message: Data, _ secret: String) -> String {
        HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8))).map { String(format: "%02x", $0) }.joined()
    }
}
