import CairnService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting

/// Study texts for the API tests.
enum Texts {
    static let photosynthesis = """
        # Photosynthesis

        Plants make glucose from carbon dioxide and water, using the energy of sunlight captured by chlorophyll in \
        their chloroplasts. Oxygen is released as a by-product of the light reactions.

        ## The Calvin cycle

        In the Calvin cycle, the enzyme RuBisCO fixes carbon dioxide into three-carbon sugars that the plant turns \
        into glucose and starch.
        """

    static let newton = """
        Newton's second law says that the net force on an object equals its mass times its acceleration. Doubling the \
        force on a cart doubles its acceleration, while doubling its mass halves it.
        """

    static let revolution = """
        <html><head><title>The French Revolution</title></head><body><h1>Causes</h1>
        <p>By 1789 France was nearly bankrupt after costly wars, and bread prices had soared in Paris.</p></body></html>
        """

    static let algebraBank = """
        {"id_str": "alg-1", "bank_id": "sat", "lang": "en", "topic_tags": ["algebra", "linear"], "stem_rich": {"html": "<p>Solve 2x + 3 = 7 for x.</p>"}, "options_rich": [{"html": "x = 2"}, {"html": "x = 5"}], "answer_key": "A"}
        {"id_str": "alg-2", "bank_id": "sat", "lang": "en", "topic_tags": ["algebra", "quadratic"], "stem_rich": {"html": "<p>Factor the quadratic x^2 - 5x + 6.</p>"}, "options_rich": [{"html": "(x-2)(x-3)"}, {"html": "(x+2)(x+3)"}], "answer_key": "A"}
        {"id_str": "geo-1", "bank_id": "sat", "lang": "ko", "topic_tags": ["geometry"], "stem_rich": {"html": "<p>삼각형의 내각의 합은 몇 도입니까?</p>"}, "options_rich": [{"html": "180도"}, {"html": "360도"}], "answer_key": "A"}
        """

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
}
