/// The words that never become search terms: a published English stop list, the words ticket
/// trackers' templates put in every ticket, and the words of change requests themselves.
enum StopWords {
    /// The Glasgow Information Retrieval Group's English stop list, as scikit-learn ships it
    /// (`sklearn/feature_extraction/_stop_words.py`, BSD-3-Clause; the original at
    /// http://ir.dcs.gla.ac.uk/resources/linguistic_utils/stop_words), 318 words.
    static let glasgow: Set<String> = [
        "a", "about", "above", "across", "after", "afterwards", "again", "against", "all", "almost", "alone", "along", "already", "also", "although",
        "always", "am", "among", "amongst", "amoungst", "amount", "an", "and", "another", "any", "anyhow", "anyone", "anything", "anyway",
        "anywhere", "are", "around", "as", "at", "back", "be", "became", "because", "become", "becomes", "becoming", "been", "before", "beforehand",
        "behind", "being", "below", "beside", "besides", "between", "beyond", "bill", "both", "bottom", "but", "by", "call", "can", "cannot", "cant",
        "co", "con", "could", "couldnt", "cry", "de", "describe", "detail", "do", "done", "down", "due", "during", "each", "eg", "eight", "either",
        "eleven", "else", "elsewhere", "empty", "enough", "etc", "even", "ever", "every", "everyone", "everything", "everywhere", "except", "few",
        "fifteen", "fifty", "fill", "find", "fire", "first", "five", "for", "former", "formerly", "forty", "found", "four", "from", "front", "full",
        "further", "get", "give", "go", "had", "has", "hasnt", "have", "he", "hence", "her", "here", "hereafter", "hereby", "herein", "hereupon",
        "hers", "herself", "him", "himself", "his", "how", "however", "hundred", "i", "ie", "if", "in", "inc", "indeed", "interest", "into", "is",
        "it", "its", "itself", "keep", "last", "latter", "latterly", "least", "less", "ltd", "made", "many", "may", "me", "meanwhile", "might",
        "mill", "mine", "more", "moreover", "most", "mostly", "move", "much", "must", "my", "myself", "name", "namely", "neither", "never",
        "nevertheless", "next", "nine", "no", "nobody", "none", "noone", "nor", "not", "nothing", "now", "nowhere", "of", "off", "often", "on",
        "once", "one", "only", "onto", "or", "other", "others", "otherwise", "our", "ours", "ourselves", "out", "over", "own", "part", "per",
        "perhaps", "please", "put", "rather", "re", "same", "see", "seem", "seemed", "seeming", "seems", "serious", "several", "she", "should",
        "show", "side", "since", "sincere", "six", "sixty", "so", "some", "somehow", "someone", "something", "sometime", "sometimes", "somewhere",
        "still", "such", "system", "take", "ten", "than", "that", "the", "their", "them", "themselves", "then", "thence", "there", "thereafter",
        "thereby", "therefore", "therein", "thereupon", "these", "they", "thick", "thin", "third", "this", "those", "though", "three", "through",
        "throughout", "thru", "thus", "to", "together", "too", "top", "toward", "towards", "twelve", "twenty", "two", "un", "under", "until", "up",
        "upon", "us", "very", "via", "was", "we", "well", "were", "what", "whatever", "when", "whence", "whenever", "where", "whereafter", "whereas",
        "whereby", "wherein", "whereupon", "wherever", "whether", "which", "while", "whither", "who", "whoever", "whole", "whom", "whose", "why",
        "will", "with", "within", "without", "would", "yet", "you", "your", "yours", "yourself", "yourselves",
    ]

    /// Glasgow words that are also the vocabulary of code (`name`, `system`, `empty`, `call`,
    /// `first`): in a ticket they are as likely to name a function as to be filler.
    static let codeVocabulary: Set<String> = [
        "amount", "back", "bill", "bottom", "call", "computer", "detail", "empty", "fill", "find", "fire", "first", "found", "front", "full",
        "interest", "last", "move", "name", "next", "part", "show", "side", "system", "top", "thick", "thin",
    ]

    /// What issue templates and bug reports say whatever the change: GitHub's and Jira's default
    /// templates ("Describe the bug", "Steps to reproduce", "Expected behavior", "Environment"),
    /// and how people report ("currently", "getting", "previously", "incorrectly").
    static let trackers: Set<String> = [
        "actual", "actually", "additional", "alternative", "alternatives", "appear", "appears", "attempt", "basically", "behavior", "behaviour",
        "bug", "considered", "context", "correct", "correctly", "currently", "describe", "description", "expect", "expected", "expecting",
        "feature", "getting", "happen", "happened", "happening", "happens", "incorrect", "incorrectly", "instead", "issue", "issues", "minimal",
        "motivation", "please", "previously", "problem", "properly", "proposal", "really", "reproduce", "reproduction", "request", "screenshot",
        "screenshots", "solution", "step", "steps", "summary", "thanks", "ticket", "tried", "trying", "unable", "unexpected", "unexpectedly",
        "want", "wants", "wrong",
    ]

    /// The words of a change request: what every ticket asks, whatever it is about.
    static let changes: Set<String> = [
        "able", "add", "added", "adding", "adds", "allow", "allows", "better", "case", "cases", "change", "changed", "changes", "code", "data",
        "default", "doesn", "don", "ensure", "false", "file", "files", "fix", "fixed", "fixes", "given", "implement", "implementation", "improve",
        "improvement", "make", "making", "need", "needs", "new", "nil", "none", "null", "option", "options", "remove", "removed", "removes",
        "return", "returns", "support", "supports", "sure", "test", "tests", "thing", "things", "true", "update", "updated", "updates", "use",
        "used", "uses", "using", "value", "values", "way", "work", "working", "works", "isn", "aren", "wasn", "won", "can't", "cannot", "shouldn",
        "wouldn", "couldn", "etc", "e.g", "i.e", "via", "let", "get", "got", "gets", "set", "sets", "user", "users", "call", "calls", "called",
    ]

    /// Every stop word.
    static let all: Set<String> = filler.union(changes)

    /// English and the trackers' words, without a request's common words.
    static let filler: Set<String> = glasgow.subtracting(codeVocabulary).union(trackers)

    /// Whether `word` (lowercase) says nothing about where code lives: a stop word, or an adverb
    /// (`previously`, `incorrectly`), which names no code.
    static func contains(_ word: String) -> Bool {
        if all.contains(word) { return true }
        return isAdverb(word)
    }

    /// Whether `word` (lowercase) is English or a tracker's filler, not merely a request's
    /// common word: `test` and `file` are too common to search, yet `test client` and `file
    /// name` join into names code uses (`TestClient`, `file_name`).
    static func isFiller(_ word: String) -> Bool {
        filler.contains(word) || isAdverb(word)
    }

    /// `-ly` adverbs of at least seven letters whose stem is a word (`previous`, `incorrect`):
    /// `assembly`, `family`, `supply` and `readonly` are not adverbs.
    static func isAdverb(_ word: String) -> Bool {
        guard word.count >= 7, word.hasSuffix("ly"), !nounsInLy.contains(word) else { return false }
        return ["ously", "ently", "antly", "ectly", "ately", "ively", "ually", "ally", "edly", "ingly", "iously", "erly", "arly", "ibly", "ably", "ctly", "ntly", "tly"]
            .contains { word.hasSuffix($0) }
    }

    static let nounsInLy: Set<String> = ["assembly", "anomaly", "butterfly", "monopoly", "readonly", "friendly", "quarterly", "monthly", "weekly"]
}
