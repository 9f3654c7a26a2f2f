/// Guesses a material's language (a BCP 47 tag) from the scripts its text is written in.
///
/// Enough for routing and metadata, not a general classifier: it tells apart the languages Cairn's
/// materials come in and answers nil rather than guess.
/// - Hangul dominating → `ko`; Hiragana or Katakana present among the CJK characters → `ja`;
/// - Han characters → `zh-Hant` when traditional-only forms (們 學 說 這 國 …) clearly outnumber
///   simplified-only ones (们 学 说 这 国 …), else `zh-Hans`;
/// - Latin letters → `en` only when common English function words (the, of, and, is, …) make up a fair
///   share of the words; other Latin-script languages are not told apart, so they get nil;
/// - nil for too little text (fewer than two CJK characters or three Latin words) or other scripts.
///
/// ```swift
/// LanguageDetector.detect("The derivative of a constant is zero.")  // "en"
/// LanguageDetector.detect("這個問題的答案是什麼？")                      // "zh-Hant"
/// ```
public enum LanguageDetector {
    /// The language of `text`, or nil when it cannot tell.
    public static func detect(_ text: String) -> String? {
        var hangul = 0, kana = 0, han = 0, latin = 0, traditional = 0, simplified = 0
        var englishWords = 0, words = 0
        var word: [Unicode.Scalar] = []
        func endWord() {
            guard !word.isEmpty else { return }
            words += 1
            if englishFunctionWords.contains(String(String.UnicodeScalarView(word))) { englishWords += 1 }
            word.removeAll(keepingCapacity: true)
        }
        for s in text.unicodeScalars {
            let v = s.value
            switch v {
            case 0x41...0x5A, 0x61...0x7A:
                latin += 1
                word.append(Unicode.Scalar(v | 0x20)!)
                continue
            case 0xC0...0x24F where v != 0xD7 && v != 0xF7, 0x1E00...0x1EFF:
                latin += 1
                word.append(s)
                continue
            case 0xAC00...0xD7A3, 0x1100...0x11FF, 0x3130...0x318F:
                hangul += 1
            case 0x3040...0x309F, 0x30A0...0x30FA, 0x30FC...0x30FF, 0x31F0...0x31FF, 0xFF66...0xFF9F:
                kana += 1
            case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0xF900...0xFAFF, 0x20000...0x2FA1F:
                han += 1
                if traditionalOnly.contains(s) {
                    traditional += 1
                } else if simplifiedOnly.contains(s) {
                    simplified += 1
                }
            default:
                break
            }
            endWord()
        }
        endWord()

        let cjk = hangul + kana + han
        // A CJK character carries about as much as a short Latin word, hence the weight.
        if cjk >= 2 && cjk * 3 >= latin {
            if hangul * 2 > cjk { return "ko" }
            if kana >= 2 && kana * 20 >= kana + han { return "ja" }
            if hangul > han { return "ko" }
            if han == 0 { return nil }
            return traditional > 2 * simplified ? "zh-Hant" : "zh-Hans"
        }
        guard words >= 3 else { return nil }
        return englishWords >= 2 && englishWords * 10 >= words ? "en" : nil
    }

    /// Words frequent in English and rare as words of other Latin-script languages (no `a`, `in`, `on`,
    /// `die`, `was`, which French, German or Spanish share).
    private static let englishFunctionWords: Set<String> = [
        "the", "of", "and", "to", "is", "that", "for", "it", "with", "are", "be", "this", "by", "from", "at",
        "have", "has", "had", "which", "what", "how", "will", "can", "not", "or", "but", "they", "their",
        "there", "these", "those", "you", "your", "we", "our", "he", "she", "his", "her", "its", "were",
        "been", "would", "should", "could", "than", "then", "when", "where", "who", "why", "if", "into",
        "about", "also", "each", "other", "some", "such", "only", "more", "most", "do", "does", "did",
        "many", "any", "all", "one", "two", "after", "before", "between", "because",
    ]

    /// Traditional forms and their simplified counterparts, pair by pair, for characters common in text
    /// whose two forms differ (characters both standards use, such as 里 or 准, are left out).
    private static let pairs = """
        們们學学說说這这國国時时會会來来對对為为與与個个長长開开關关問问間间門门見见現现點点體体發发後后經经\
        頭头過过從从動动種种還还進进樣样當当麼么機机應应實实產产無无話话電电義义業业東东將将兩两區区車车書书\
        決决號号馬马氣气報报級级變变聽听轉转認认讓让識识邊边條条萬万歲岁親亲數数標标費费難难題题結结處处覺觉\
        觀观歷历驗验習习讀读寫写語语課课練练師师錢钱買买賣卖頁页單单紅红綠绿藍蓝顏颜爾尔並并歡欢視视網网術术\
        據据導导務务選选線线設设計计論论記记調调隨随達达運运陽阳陰阴風风飛飞魚鱼鳥鸟龍龙圖图團团園园場场壓压\
        總总該该員员資资質质積积極极聯联則则規规專专傳传價价億亿優优創创劃划劇剧勞劳勢势華华協协衛卫參参雙双\
        嗎吗圓圆夠够夢梦嚴严寶宝屬属層层歸归廣广張张彈弹愛爱戰战戲戏擇择擊击損损換换擔担斷断樂乐橋桥殺杀溫温\
        滿满濟济灣湾燈灯狀状獨独環环畫画療疗盡尽監监確确禮礼稅税穩稳筆笔節节簡简紀纪約约紙纸組组細细終终給给\
        統统繼继續续羅罗聲声腦脑舉举藝艺覽览訊讯許许詞词試试詩诗誤误請请議议護护負负貨货購购軍军輕轻輪轮農农\
        連连遠远適适鄉乡針针鐵铁閱阅陣阵陳陈險险隊队際际雜杂雖虽離离韓韩順顺須须領领額额飯饭館馆
        """

    private static let traditionalOnly: Set<Unicode.Scalar> = {
        let scalars = Array(pairs.unicodeScalars)
        return Set(stride(from: 0, to: scalars.count - 1, by: 2).map { scalars[$0] })
    }()

    private static let simplifiedOnly: Set<Unicode.Scalar> = {
        let scalars = Array(pairs.unicodeScalars)
        return Set(stride(from: 1, to: scalars.count, by: 2).map { scalars[$0] }).subtracting(traditionalOnly)
    }()
}
