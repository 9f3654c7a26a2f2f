/// HTML character references: the named entities study materials use (Latin-1, typography, Greek letters,
/// common mathematical symbols) and every numeric form (`&#8212;`, `&#x2014;`).
enum HTMLEntities {
    /// The character reference starting at `scalars[start]` (which holds `&`): what it stands for and how many
    /// scalars it spans, or nil when it is not one (the `&` is then literal text).
    ///
    /// A semicolon is required, except for the legacy forms browsers still accept without it (`&amp`,
    /// `&lt`, `&gt`, `&quot`, `&nbsp`, `&copy`, `&reg`) when no letter or digit follows.
    static func reference(in scalars: [Unicode.Scalar], at start: Int) -> (value: [Unicode.Scalar], length: Int)? {
        var i = start + 1
        guard i < scalars.count else { return nil }
        if scalars[i] == "#" {
            i += 1
            let hex = i < scalars.count && (scalars[i] == "x" || scalars[i] == "X")
            if hex { i += 1 }
            let digitsStart = i
            var value: UInt32 = 0
            while i < scalars.count, let digit = digitValue(scalars[i], hex: hex), i - digitsStart < 8 {
                value = value * (hex ? 16 : 10) + digit
                i += 1
            }
            guard i > digitsStart else { return nil }
            if i < scalars.count, scalars[i] == ";" { i += 1 }
            return ([numericScalar(value)], i - start)
        }
        let nameStart = i
        while i < scalars.count, i - nameStart < 10, scalars[i].isASCII,
              scalars[i].properties.isAlphabetic || ("0"..."9").contains(scalars[i]) {
            i += 1
        }
        guard i > nameStart else { return nil }
        let name = String(String.UnicodeScalarView(scalars[nameStart..<i]))
        if i < scalars.count, scalars[i] == ";", let value = named[name] { return ([value], i + 1 - start) }
        if legacy.contains(name), let value = named[name] { return ([value], i - start) }
        return nil
    }

    private static func digitValue(_ s: Unicode.Scalar, hex: Bool) -> UInt32? {
        switch s.value {
        case 0x30...0x39: s.value - 0x30
        case 0x61...0x66 where hex: s.value - 0x61 + 10
        case 0x41...0x46 where hex: s.value - 0x41 + 10
        default: nil
        }
    }

    /// The scalar a numeric reference stands for, with the HTML rules: 0x80–0x9F mean their Windows-1252
    /// characters, and NUL, surrogates and values past U+10FFFF become U+FFFD.
    private static func numericScalar(_ value: UInt32) -> Unicode.Scalar {
        if (0x80...0x9F).contains(value), let mapped = windows1252[value] { return Unicode.Scalar(mapped)! }
        guard value != 0, let scalar = Unicode.Scalar(value) else { return "\u{FFFD}" }
        return scalar
    }

    private static let windows1252: [UInt32: UInt32] = [
        0x80: 0x20AC, 0x82: 0x201A, 0x83: 0x0192, 0x84: 0x201E, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021,
        0x88: 0x02C6, 0x89: 0x2030, 0x8A: 0x0160, 0x8B: 0x2039, 0x8C: 0x0152, 0x8E: 0x017D, 0x91: 0x2018,
        0x92: 0x2019, 0x93: 0x201C, 0x94: 0x201D, 0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02DC,
        0x99: 0x2122, 0x9A: 0x0161, 0x9B: 0x203A, 0x9C: 0x0153, 0x9E: 0x017E, 0x9F: 0x0178,
    ]

    private static let legacy: Set<String> = ["amp", "lt", "gt", "quot", "nbsp", "copy", "reg", "AMP", "LT", "GT"]

    private static let named: [String: Unicode.Scalar] = {
        var table: [String: Unicode.Scalar] = [:]
        for entry in namedTable.split(separator: " ") {
            let parts = entry.split(separator: "=")
            table[String(parts[0])] = Unicode.Scalar(UInt32(parts[1], radix: 16)!)!
        }
        // Latin-1 letters follow one naming scheme: base letter + accent name.
        let accents: [(String, [(Character, UInt32)])] = [
            ("grave", [("A", 0xC0), ("E", 0xC8), ("I", 0xCC), ("O", 0xD2), ("U", 0xD9)]),
            ("acute", [("A", 0xC1), ("E", 0xC9), ("I", 0xCD), ("O", 0xD3), ("U", 0xDA), ("Y", 0xDD)]),
            ("circ", [("A", 0xC2), ("E", 0xCA), ("I", 0xCE), ("O", 0xD4), ("U", 0xDB)]),
            ("tilde", [("A", 0xC3), ("N", 0xD1), ("O", 0xD5)]),
            ("uml", [("A", 0xC4), ("E", 0xCB), ("I", 0xCF), ("O", 0xD6), ("U", 0xDC)]),
            ("ring", [("A", 0xC5)]), ("cedil", [("C", 0xC7)]), ("slash", [("O", 0xD8)]),
        ]
        for (accent, letters) in accents {
            for (letter, upper) in letters {
                table["\(letter)\(accent)"] = Unicode.Scalar(upper)!
                table["\(letter.lowercased())\(accent)"] = Unicode.Scalar(upper + 0x20)!
            }
        }
        table["yuml"] = "\u{FF}"
        return table
    }()

    /// `name=hex` pairs.
    private static let namedTable = """
        amp=26 AMP=26 lt=3C LT=3C gt=3E GT=3E quot=22 apos=27 nbsp=A0 iexcl=A1 cent=A2 pound=A3 curren=A4 \
        yen=A5 brvbar=A6 sect=A7 uml=A8 copy=A9 ordf=AA laquo=AB not=AC shy=AD reg=AE macr=AF deg=B0 \
        plusmn=B1 sup2=B2 sup3=B3 acute=B4 micro=B5 para=B6 middot=B7 cedil=B8 sup1=B9 ordm=BA raquo=BB \
        frac14=BC frac12=BD frac34=BE iquest=BF AElig=C6 aelig=E6 ETH=D0 eth=F0 THORN=DE thorn=FE szlig=DF \
        times=D7 divide=F7 OElig=152 oelig=153 Scaron=160 scaron=161 Yuml=178 fnof=192 circ=2C6 tilde=2DC \
        ensp=2002 emsp=2003 thinsp=2009 zwnj=200C zwj=200D lrm=200E rlm=200F ndash=2013 mdash=2014 \
        lsquo=2018 rsquo=2019 sbquo=201A ldquo=201C rdquo=201D bdquo=201E dagger=2020 Dagger=2021 bull=2022 \
        hellip=2026 permil=2030 prime=2032 Prime=2033 lsaquo=2039 rsaquo=203A oline=203E frasl=2044 \
        euro=20AC trade=2122 larr=2190 uarr=2191 rarr=2192 darr=2193 harr=2194 lArr=21D0 uArr=21D1 \
        rArr=21D2 dArr=21D3 hArr=21D4 forall=2200 part=2202 exist=2203 empty=2205 nabla=2207 isin=2208 \
        notin=2209 ni=220B prod=220F sum=2211 minus=2212 lowast=2217 radic=221A prop=221D infin=221E \
        ang=2220 and=2227 or=2228 cap=2229 cup=222A int=222B there4=2234 sim=223C cong=2245 asymp=2248 \
        ne=2260 equiv=2261 le=2264 ge=2265 sub=2282 sup=2283 nsub=2284 sube=2286 supe=2287 oplus=2295 \
        otimes=2297 perp=22A5 sdot=22C5 lceil=2308 rceil=2309 lfloor=230A rfloor=230B loz=25CA \
        spades=2660 clubs=2663 hearts=2665 diams=2666 check=2713 \
        Alpha=391 Beta=392 Gamma=393 Delta=394 Epsilon=395 Zeta=396 Eta=397 Theta=398 Iota=399 Kappa=39A \
        Lambda=39B Mu=39C Nu=39D Xi=39E Omicron=39F Pi=3A0 Rho=3A1 Sigma=3A3 Tau=3A4 Upsilon=3A5 Phi=3A6 \
        Chi=3A7 Psi=3A8 Omega=3A9 alpha=3B1 beta=3B2 gamma=3B3 delta=3B4 epsilon=3B5 zeta=3B6 eta=3B7 \
        theta=3B8 iota=3B9 kappa=3BA lambda=3BB mu=3BC nu=3BD xi=3BE omicron=3BF pi=3C0 rho=3C1 sigmaf=3C2 \
        sigma=3C3 tau=3C4 upsilon=3C5 phi=3C6 chi=3C7 psi=3C8 omega=3C9 thetasym=3D1 piv=3D6
        """
}
