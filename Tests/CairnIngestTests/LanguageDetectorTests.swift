import CairnIngest
import Testing

@Suite struct LanguageDetectorTests {
    @Test func english() {
        #expect(LanguageDetector.detect("The derivative of a constant is zero, and the derivative of x is one.") == "en")
        #expect(LanguageDetector.detect("What is the value of x if 2x + 3 = 7?") == "en")
        // A few CJK names do not outweigh English prose.
        #expect(LanguageDetector.detect("The poet 李白 wrote many of the most famous poems of the Tang dynasty.") == "en")
    }

    @Test func otherLatinScriptIsUnknown() {
        #expect(LanguageDetector.detect("Le chat est sur la table et le chien dort dans le jardin.") == nil)
        #expect(LanguageDetector.detect("Der Hund schläft im Garten, während die Katze spielt.") == nil)
    }

    @Test func korean() {
        #expect(LanguageDetector.detect("한국어 문장은 띄어쓰기로 단어를 구분합니다.") == "ko")
        #expect(LanguageDetector.detect("大韓民國의 憲法은 국민의 權利를 보장한다.") == "ko")
    }

    @Test func japanese() {
        #expect(LanguageDetector.detect("日本語の文章には平仮名と漢字が混ざっています。") == "ja")
        #expect(LanguageDetector.detect("コンピュータサイエンス入門") == "ja")
    }

    @Test func chineseSimplifiedAndTraditional() {
        #expect(LanguageDetector.detect("我们学习数学，这个问题的答案是什么？") == "zh-Hans")
        #expect(LanguageDetector.detect("我們學習數學，這個問題的答案是什麼？") == "zh-Hant")
        // Characters both standards share: simplified is the default.
        #expect(LanguageDetector.detect("中文大小上下") == "zh-Hans")
        // A stray traditional form in simplified text does not flip it.
        #expect(LanguageDetector.detect("我们学习数学，这个问题很难，國") == "zh-Hans")
    }

    @Test func tooLittleTextIsUnknown() {
        #expect(LanguageDetector.detect("") == nil)
        #expect(LanguageDetector.detect("x = 2") == nil)
        #expect(LanguageDetector.detect("the") == nil)
        #expect(LanguageDetector.detect("中") == nil)
        #expect(LanguageDetector.detect("12345 !!! ...") == nil)
        #expect(LanguageDetector.detect("Привет, как дела? Это русский текст.") == nil)
    }
}
