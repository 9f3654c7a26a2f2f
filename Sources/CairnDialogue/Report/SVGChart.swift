import Foundation

/// Small inline SVG charts for the report: no scripts, no external assets, readable without colour (every
/// series also has a label and a marker shape), and sized to fit the page at any width (`viewBox`).
enum SVGChart {
    struct Series {
        var name: String
        var color: String
        var values: [Double?]
        /// Dash pattern for lines (`4 3`), nil for solid.
        var dash: String? = nil
    }

    /// A horizontal reference line (an objective's target).
    struct Threshold {
        var value: Double
        var label: String
    }

    static let width = 720.0, height = 240.0
    static let left = 64.0, right = 16.0, top = 16.0, bottom = 40.0

    /// A line chart of `series` over `labels` (one point per label; nil values leave gaps).
    static func lines(_ title: String, labels: [String], series: [Series], threshold: Threshold? = nil,
                      unit: String, format: (Double) -> String) -> String {
        let maxValue = max(threshold?.value ?? 0, series.flatMap { $0.values.compactMap { $0 } }.max() ?? 0)
        let scale = niceScale(maxValue)
        var body = frame(title, labels: labels, scale: scale, unit: unit, format: format)
        let step = labels.count > 1 ? (width - left - right) / Double(labels.count - 1) : 0
        func x(_ i: Int) -> Double { labels.count > 1 ? left + Double(i) * step : (left + width - right) / 2 }
        func y(_ v: Double) -> Double { top + (height - top - bottom) * (1 - v / scale.max) }
        if let threshold { body += thresholdLine(threshold, y: y(threshold.value)) }
        for s in series {
            var d = ""
            var pen = false
            for (i, v) in s.values.enumerated() {
                guard let v else {
                    pen = false
                    continue
                }
                d += (pen ? " L" : " M") + String(format: "%.1f %.1f", x(i), y(v))
                pen = true
            }
            if !d.isEmpty {
                body += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\""
                    + (s.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>"
            }
            for (i, v) in s.values.enumerated() {
                guard let v else { continue }
                body += "<circle cx=\"\(f(x(i)))\" cy=\"\(f(y(v)))\" r=\"3\" fill=\"\(s.color)\"><title>"
                    + "\(escape(s.name)) \(escape(labels[i])): \(escape(format(v)))</title></circle>"
            }
        }
        return wrap(title, body, legend: series.map { ($0.name, $0.color) } + (threshold.map { [($0.label, "#b42318")] } ?? []))
    }

    /// A bar chart: one bar per label; bars over the threshold (or under it, with `higherIsBetter`) are red.
    static func bars(_ title: String, labels: [String], values: [Double?], color: String, threshold: Threshold? = nil,
                     higherIsBetter: Bool = false, unit: String, format: (Double) -> String) -> String {
        let maxValue = max(threshold?.value ?? 0, values.compactMap { $0 }.max() ?? 0)
        let scale = niceScale(maxValue)
        var body = frame(title, labels: labels, scale: scale, unit: unit, format: format)
        let slot = (width - left - right) / Double(max(1, labels.count))
        let barWidth = max(2, slot * 0.7)
        func y(_ v: Double) -> Double { top + (height - top - bottom) * (1 - v / scale.max) }
        for (i, value) in values.enumerated() {
            guard let value else { continue }
            let missed = threshold.map { higherIsBetter ? value < $0.value : value > $0.value } ?? false
            let x = left + Double(i) * slot + (slot - barWidth) / 2
            body += "<rect x=\"\(f(x))\" y=\"\(f(y(value)))\" width=\"\(f(barWidth))\" "
                + "height=\"\(f(max(0.5, height - bottom - y(value))))\" fill=\"\(missed ? "#d92d20" : color)\">"
                + "<title>\(escape(labels[i])): \(escape(format(value)))</title></rect>"
        }
        if let threshold { body += thresholdLine(threshold, y: y(threshold.value)) }
        return wrap(title, body, legend: [(title, color)] + (threshold.map { [($0.label, "#b42318")] } ?? []))
    }

    /// Horizontal bars with labels on the left (top materials, licences).
    static func ranking(_ title: String, items: [(label: String, value: Double)], color: String) -> String {
        let rowHeight = 26.0
        let h = max(1, Double(items.count)) * rowHeight + 8
        let labelWidth = 250.0, chartWidth = 520.0
        let maxValue = items.map(\.value).max() ?? 1
        var body = ""
        for (i, item) in items.enumerated() {
            let y = 4 + Double(i) * rowHeight
            let w = (chartWidth - labelWidth - 50) * item.value / max(maxValue, 1)
            body += "<text x=\"\(f(labelWidth - 8))\" y=\"\(f(y + 17))\" text-anchor=\"end\" class=\"label\">"
                + "\(escape(truncate(item.label, 38)))</text>"
            body += "<rect x=\"\(f(labelWidth))\" y=\"\(f(y + 4))\" width=\"\(f(max(1, w)))\" height=\"18\" "
                + "fill=\"\(color)\" rx=\"2\"/>"
            body += "<text x=\"\(f(labelWidth + w + 6))\" y=\"\(f(y + 17))\" class=\"value\">\(Int(item.value))</text>"
        }
        if items.isEmpty { body = "<text x=\"8\" y=\"20\" class=\"label\">none in this period</text>" }
        return "<svg viewBox=\"0 0 \(Int(chartWidth)) \(Int(h))\" role=\"img\" aria-label=\"\(escape(title))\" "
            + "class=\"chart\"><title>\(escape(title))</title>\(body)</svg>"
    }

    private static func frame(_ title: String, labels: [String], scale: (max: Double, step: Double), unit: String,
                              format: (Double) -> String) -> String {
        var out = ""
        var tick = 0.0
        while tick <= scale.max + scale.step / 2 {
            let y = top + (height - top - bottom) * (1 - tick / scale.max)
            out += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y))\" y2=\"\(f(y))\" class=\"grid\"/>"
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\" class=\"axis\">"
                + "\(escape(format(tick)))</text>"
            tick += scale.step
        }
        let every = max(1, Int((Double(labels.count) / 10).rounded(.up)))
        let step = labels.count > 1 ? (width - left - right) / Double(labels.count - 1) : 0
        for (i, label) in labels.enumerated() where i % every == 0 || i == labels.count - 1 {
            let x = labels.count > 1 ? left + Double(i) * step : (left + width - right) / 2
            out += "<text x=\"\(f(x))\" y=\"\(f(height - bottom + 18))\" text-anchor=\"middle\" class=\"axis\">"
                + "\(escape(String(label.suffix(5))))</text>"
        }
        out += "<text x=\"12\" y=\"\(f((height - bottom) / 2))\" class=\"axis\" "
            + "transform=\"rotate(-90 12 \(f((height - bottom) / 2)))\" text-anchor=\"middle\">\(escape(unit))</text>"
        return out
    }

    private static func thresholdLine(_ t: Threshold, y: Double) -> String {
        "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y))\" y2=\"\(f(y))\" class=\"target\"/>"
            + "<text x=\"\(f(width - right))\" y=\"\(f(y - 4))\" text-anchor=\"end\" class=\"target-label\">"
            + "\(escape(t.label))</text>"
    }

    private static func wrap(_ title: String, _ body: String, legend: [(String, String)]) -> String {
        var legendHTML = ""
        for (name, color) in legend {
            legendHTML += "<span class=\"key\"><i style=\"background:\(color)\"></i>\(escape(name))</span>"
        }
        return "<figure><figcaption>\(escape(title))</figcaption><svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
            + "role=\"img\" aria-label=\"\(escape(title))\" class=\"chart\"><title>\(escape(title))</title>\(body)</svg>"
            + "<div class=\"legend\">\(legendHTML)</div></figure>"
    }

    /// A round maximum and tick step covering `value`.
    static func niceScale(_ value: Double) -> (max: Double, step: Double) {
        guard value > 0, value.isFinite else { return (1, 0.25) }
        let magnitude = pow(10, floor(log10(value)))
        for m in [1.0, 2, 2.5, 5, 10] where m * magnitude >= value {
            let top = m * magnitude
            return (top, top / 4)
        }
        return (10 * magnitude, 2.5 * magnitude)
    }

    /// One decimal.
    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func truncate(_ text: String, _ length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }
}
