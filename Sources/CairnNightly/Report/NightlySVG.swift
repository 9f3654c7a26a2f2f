import Foundation

/// Inline SVG line charts for the nightly report: no scripts, no external assets, readable without colour
/// (each series has its own marker shape and a legend with its name).
enum NightlySVG {
    struct Point {
        var x: Double
        var y: Double
        /// Drawn in red, larger, for a regression.
        var flagged = false
        /// The tooltip (`<title>`).
        var tip: String
    }

    struct Series {
        var name: String
        var color: String
        var points: [Point]
        /// Drawn dashed (a peer, beside Cairn's solid lines).
        var dashed = false
    }

    static let palette = ["#1f5fbf", "#7a3fb0", "#d9730d", "#2a9d8f", "#8a6d3b", "#c2185b", "#5f6b7a"]

    /// A line chart. With `xLabels` the x values are indexes into it (runs over time); with `logY` the y axis is
    /// logarithmic (queries/s across an ef sweep spans more than a decade).
    static func lines(_ title: String, series: [Series], xTitle: String, yTitle: String, logY: Bool = false,
                      xLabels: [String]? = nil, reference: (value: Double, label: String)? = nil,
                      width: Double = 560, height: Double = 300) -> String {
        // Several series get a legend column at the right, clear of the lines.
        let legend = series.filter { !$0.points.isEmpty }.count > 1
        let left = 64.0, right = legend ? 132.0 : 16.0, top = 34.0, bottom = 48.0
        let all = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite && (!logY || $0.y > 0) }
        var out = "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 \(fmt(width)) \(fmt(height))\" width=\"\(fmt(width))\" "
            + "height=\"\(fmt(height))\"><title>\(escape(title))</title>"
            + "<text x=\"\(fmt(left))\" y=\"18\" class=\"ct\">\(escape(title))</text>"
        guard !all.isEmpty else {
            return out + "<text x=\"\(fmt(width / 2))\" y=\"\(fmt(height / 2))\" text-anchor=\"middle\" class=\"cn\">"
                + "no data yet</text></svg>"
        }
        var xs = all.map(\.x), ys = all.map(\.y)
        if let reference { ys.append(reference.value) }
        if let xLabels { xs += [0, Double(max(xLabels.count - 1, 0))] }
        var (x0, x1) = (xs.min()!, xs.max()!)
        if x0 == x1 { x0 -= 0.5; x1 += 0.5 }
        var (y0, y1) = (ys.min()!, ys.max()!)
        if logY {
            y0 = pow(10, floor(log10(y0) * 4) / 4)
            y1 = pow(10, ceil(log10(y1) * 4) / 4)
            if y0 == y1 { y1 = y0 * 10 }
        } else {
            let pad = max((y1 - y0) * 0.08, abs(y1) * 0.02, 1e-9)
            y0 -= pad
            y1 += pad
        }
        let plotW = width - left - right, plotH = height - top - bottom
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * plotW }
        func py(_ y: Double) -> Double {
            let t = logY ? (log10(y) - log10(y0)) / (log10(y1) - log10(y0)) : (y - y0) / (y1 - y0)
            return top + (1 - t) * plotH
        }
        out += "<rect x=\"\(fmt(left))\" y=\"\(fmt(top))\" width=\"\(fmt(plotW))\" height=\"\(fmt(plotH))\" class=\"pa\"/>"
        let ticks = yTicks(y0, y1, log: logY)
        for tick in ticks {
            let y = py(tick)
            let label = logY ? short(tick) : label(tick, step: ticks.count > 1 ? ticks[1] - ticks[0] : abs(tick))
            out += "<line x1=\"\(fmt(left))\" x2=\"\(fmt(left + plotW))\" y1=\"\(fmt(y))\" y2=\"\(fmt(y))\" class=\"gr\"/>"
                + "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(y + 4))\" text-anchor=\"end\" class=\"tk\">\(label)</text>"
        }
        if let xLabels {
            let every = max(1, Int((Double(xLabels.count) / 8).rounded(.up)))
            for (i, label) in xLabels.enumerated() where i % every == 0 || i == xLabels.count - 1 {
                // The outermost labels keep inside the chart.
                let anchor = xLabels.count == 1 ? "middle" : i == 0 ? "start" : i == xLabels.count - 1 ? "end" : "middle"
                out += "<text x=\"\(fmt(px(Double(i))))\" y=\"\(fmt(top + plotH + 16))\" text-anchor=\"\(anchor)\" "
                    + "class=\"tk\">\(escape(label))</text>"
            }
        } else {
            let xTicks = yTicks(x0, x1, log: false)
            for tick in xTicks {
                out += "<text x=\"\(fmt(px(tick)))\" y=\"\(fmt(top + plotH + 16))\" text-anchor=\"middle\" "
                    + "class=\"tk\">\(label(tick, step: xTicks.count > 1 ? xTicks[1] - xTicks[0] : abs(tick)))</text>"
            }
        }
        out += "<text x=\"\(fmt(left + plotW / 2))\" y=\"\(fmt(height - 8))\" text-anchor=\"middle\" class=\"at\">"
            + "\(escape(xTitle))</text><text x=\"14\" y=\"\(fmt(top + plotH / 2))\" text-anchor=\"middle\" class=\"at\" "
            + "transform=\"rotate(-90 14 \(fmt(top + plotH / 2)))\">\(escape(yTitle))</text>"
        if let reference {
            let y = py(reference.value)
            out += "<line x1=\"\(fmt(left))\" x2=\"\(fmt(left + plotW))\" y1=\"\(fmt(y))\" y2=\"\(fmt(y))\" class=\"ref\"/>"
                + "<text x=\"\(fmt(left + plotW - 4))\" y=\"\(fmt(y - 4))\" text-anchor=\"end\" class=\"tk\">"
                + "\(escape(reference.label))</text>"
        }
        for (index, s) in series.enumerated() {
            let points = s.points.filter { $0.x.isFinite && $0.y.isFinite && (!logY || $0.y > 0) }.sorted { $0.x < $1.x }
            guard !points.isEmpty else { continue }
            let d = points.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(fmt(px($0.element.x))),\(fmt(py($0.element.y)))" }
                .joined(separator: " ")
            out += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\""
                + (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + "/>"
            for p in points {
                out += marker(index, x: px(p.x), y: py(p.y), color: p.flagged ? "#c62828" : s.color, big: p.flagged,
                              tip: p.tip)
            }
        }
        // The legend: one series is named in its line's tooltip and the title; several get a column at the right.
        var ly = top + 10
        for (index, s) in series.enumerated() where legend && !s.points.isEmpty {
            let x = left + plotW + 14
            out += "<line x1=\"\(fmt(x - 6))\" x2=\"\(fmt(x + 6))\" y1=\"\(fmt(ly - 4))\" y2=\"\(fmt(ly - 4))\" "
                + "stroke=\"\(s.color)\" stroke-width=\"2\"" + (s.dashed ? " stroke-dasharray=\"3 2\"" : "") + "/>"
                + marker(index, x: x, y: ly - 4, color: s.color, big: false, tip: s.name)
                + "<text x=\"\(fmt(x + 12))\" y=\"\(fmt(ly))\" class=\"lg\">\(escape(truncated(s.name, 16)))</text>"
            ly += 16
        }
        return out + "</svg>"
    }

    /// A marker of the series' shape (circle, square, triangle, diamond, …) with its tooltip.
    static func marker(_ index: Int, x: Double, y: Double, color: String, big: Bool, tip: String) -> String {
        let r = big ? 6.0 : 3.5
        let title = "<title>\(escape(tip))</title>"
        switch index % 4 {
        case 0:
            return "<circle cx=\"\(fmt(x))\" cy=\"\(fmt(y))\" r=\"\(fmt(r))\" fill=\"\(color)\">\(title)</circle>"
        case 1:
            return "<rect x=\"\(fmt(x - r))\" y=\"\(fmt(y - r))\" width=\"\(fmt(2 * r))\" height=\"\(fmt(2 * r))\" "
                + "fill=\"\(color)\">\(title)</rect>"
        case 2:
            return "<path d=\"M\(fmt(x)),\(fmt(y - r * 1.2)) L\(fmt(x + r * 1.1)),\(fmt(y + r * 0.9)) "
                + "L\(fmt(x - r * 1.1)),\(fmt(y + r * 0.9)) Z\" fill=\"\(color)\">\(title)</path>"
        default:
            return "<path d=\"M\(fmt(x)),\(fmt(y - r * 1.3)) L\(fmt(x + r * 1.3)),\(fmt(y)) L\(fmt(x)),\(fmt(y + r * 1.3)) "
                + "L\(fmt(x - r * 1.3)),\(fmt(y)) Z\" fill=\"\(color)\">\(title)</path>"
        }
    }

    static func yTicks(_ lo: Double, _ hi: Double, log: Bool) -> [Double] {
        if log {
            var ticks: [Double] = []
            var decade = pow(10, floor(log10(lo)))
            while decade <= hi * 1.0001 {
                for m in [1.0, 2, 5] where decade * m >= lo * 0.9999 && decade * m <= hi * 1.0001 {
                    ticks.append(decade * m)
                }
                decade *= 10
            }
            return ticks
        }
        let span = hi - lo
        guard span > 0 else { return [lo] }
        let raw = span / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var ticks: [Double] = []
        var t = (lo / step).rounded(.up) * step
        while t <= hi + step * 1e-9 {
            ticks.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return ticks
    }

    /// A linear axis label with as many decimals as the tick step needs (0.95, 0.96 rather than 1, 1).
    static func label(_ x: Double, step: Double) -> String {
        guard step > 0, step.isFinite else { return short(x) }
        if abs(x) >= 10_000 && step >= 1_000 { return String(format: "%.0fk", x / 1_000) }
        // The fewest decimals that write the step exactly (0.025 → 3, 0.5 → 1, 20 → 0).
        let decimals = (0...6).first { d in
            let scaled = step * pow(10, Double(d))
            return abs(scaled - scaled.rounded()) < 1e-6 * max(1, scaled)
        } ?? 6
        return String(format: "%.\(decimals)f", x)
    }

    static func short(_ x: Double) -> String {
        let a = abs(x)
        if a >= 10_000 { return String(format: "%.0fk", x / 1_000) }
        if a >= 100 || x == x.rounded() { return String(format: "%.0f", x) }
        if a >= 1 { return String(format: "%.2g", x) == "1" ? "1" : String(format: "%.3g", x) }
        return String(format: "%.3g", x)
    }

    static func truncated(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    static func fmt(_ x: Double) -> String { String(format: "%.1f", x) }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
