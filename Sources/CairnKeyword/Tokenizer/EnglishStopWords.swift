/// The English stop words: function words that say nothing about a topic (articles, pronouns, auxiliaries,
/// common prepositions and conjunctions), in their folded form (apostrophes removed: "don't" is "dont").
public enum EnglishStopWords {
    /// The list (135 words).
    public static let words: Set<String> = [
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "arent", "as",
        "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "cant", "cannot",
        "could", "couldnt", "did", "didnt", "do", "does", "doesnt", "doing", "dont", "down", "during", "each", "few",
        "for", "from", "further", "had", "hadnt", "has", "hasnt", "have", "havent", "having", "he", "her", "here",
        "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "isnt", "it", "its",
        "itself", "me", "more", "most", "my", "myself", "no", "nor", "not", "of", "off", "on", "once", "only", "or",
        "other", "ought", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some",
        "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they",
        "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when",
        "where", "which", "while", "who", "whom", "why", "with", "would", "you", "your", "yours", "yourself",
        "yourselves",
    ]
}
