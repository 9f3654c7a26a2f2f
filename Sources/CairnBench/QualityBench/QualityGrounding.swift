import Foundation

/// Calibration of the grounding thresholds: which (similarity, keyword score) pair best tells questions the
/// materials answer from questions whose pages were held out.
///
/// A question is flagged `not_in_materials` when its best similarity is below `s` **and** its best keyword
/// score is below `k`. The chosen pair flags as many held-out questions as possible while flagging at most
/// ``maxFalseAlarm`` of the answerable ones (a coach that wrongly says "that isn't in your notes" is worse
/// than one that tries), on the calibration half (even query ids); the other half reports how it does.
public struct QualityGrounding: Sendable, Hashable, Codable {
    public struct Sample: Sendable, Hashable, Codable {
        public var queryID: Int
        public var heldOut: Bool
        public var maxSimilarity: Float
        public var maxKeyword: Float
    }

    public struct Outcome: Sendable, Hashable, Codable {
        /// Held-out questions flagged / held-out questions.
        public var recall: Double
        /// Answerable questions flagged / answerable questions.
        public var falseAlarm: Double
        /// Flagged questions that were held out / flagged questions.
        public var precision: Double
        public var heldOut: Int
        public var answerable: Int
    }

    public static let maxFalseAlarm = 0.05

    public var similarity: Float
    public var keyword: Float
    public var calibration: Outcome
    public var validation: Outcome
    /// How the thresholds in force (the defaults) do on the validation half.
    public var defaults: Outcome

    public static func outcome(_ samples: [Sample], similarity: Float, keyword: Float) -> Outcome {
        var flaggedHeld = 0, flaggedAnswerable = 0, held = 0, answerable = 0
        for s in samples {
            let flagged = s.maxSimilarity < similarity && s.maxKeyword < keyword
            if s.heldOut {
                held += 1
                if flagged { flaggedHeld += 1 }
            } else {
                answerable += 1
                if flagged { flaggedAnswerable += 1 }
            }
        }
        let flagged = flaggedHeld + flaggedAnswerable
        return Outcome(recall: held > 0 ? Double(flaggedHeld) / Double(held) : 0,
                       falseAlarm: answerable > 0 ? Double(flaggedAnswerable) / Double(answerable) : 0,
                       precision: flagged > 0 ? Double(flaggedHeld) / Double(flagged) : 0, heldOut: held,
                       answerable: answerable)
    }

    /// Grid search over similarity −0.2…1 and keyword score 0…1 in steps of 0.01.
    public static func calibrate(_ samples: [Sample], defaults: (Float, Float)) -> QualityGrounding {
        let calibration = samples.filter { $0.queryID % 2 == 0 }
        let validation = samples.filter { $0.queryID % 2 == 1 }
        var best: (Float, Float, Outcome)? = nil
        for si in -20...100 {
            let s = Float(si) / 100
            for ki in 0...100 {
                let k = Float(ki) / 100
                let o = outcome(calibration, similarity: s, keyword: k)
                guard o.falseAlarm <= maxFalseAlarm else { continue }
                if best == nil || o.recall > best!.2.recall
                    || (o.recall == best!.2.recall && o.falseAlarm < best!.2.falseAlarm) {
                    best = (s, k, o)
                }
            }
        }
        let (s, k, o) = best ?? (-1, 0, outcome(calibration, similarity: -1, keyword: 0))
        return QualityGrounding(similarity: s, keyword: k, calibration: o,
                                validation: outcome(validation, similarity: s, keyword: k),
                                defaults: outcome(validation, similarity: defaults.0, keyword: defaults.1))
    }
}
