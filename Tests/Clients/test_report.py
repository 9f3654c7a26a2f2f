"""The HTML report as a person sees it: dialogues recorded through the API, the report fetched from
GET /v1/report, rendered by headless Chromium (Debian's package), measured in the browser (layout, every chart
drawn, no horizontal overflow) and looked at as a picture (Pillow)."""

import json
import os
import shutil
import subprocess
import tempfile
import urllib.request
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from PIL import Image

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium(*args):
    assert CHROMIUM, "chromium is not installed (scripts/test.sh installs Debian's chromium package)"
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--allow-file-access-from-files", *args], capture_output=True, text=True, timeout=120)


def record_days(server):
    """Sixty answers over five days, citing what a retrieval returned, with latencies that break the p95
    objective on the last day only."""
    _, retrieval = server.request("POST", "/v1/retrieve", {"query": "How do plants make glucose?", "top_k": 3,
                                                           "filters": {"owner_id": "class-7b"}})
    chunks = [r["chunk_id"] for r in retrieval["results"]]
    today = datetime.now(timezone.utc).replace(hour=9, minute=0, second=0, microsecond=0)
    for day in range(5):
        for i in range(12):
            cited = i % 4 != 0
            latency = 3000 + i if day == 4 else 600 + 10 * i
            body = {
                "user_id": f"student-{i % 5}", "session_id": f"s-{day}-{i}", "tenant": "class-7b",
                "query": "How do plants make glucose?" if i % 2 else "광합성은 어디에서 일어나나요?",
                "response": "Plants make glucose in chloroplasts [1]. Light is needed [2]." if cited else "I am not sure.",
                "model_used": "gpt-4o-mini", "latency_ms": {"total": latency}, "prompt_tokens": 1200,
                "completion_tokens": 150, "relevance_score": 0.8,
                "created_at": (today - timedelta(days=4 - day, minutes=i)).isoformat().replace("+00:00", "Z"),
                "citations": [{"chunk_id": chunks[0], "marker": "[1]"}, {"chunk_id": chunks[1], "marker": "[2]"}]
                if cited else [],
            }
            status, answer = server.request("POST", "/v1/dialogues", body)
            assert status == 201, answer
    return (today - timedelta(days=4)).date(), today.date()


def test_report_renders_in_chromium(server, workdir):
    first, last = record_days(server)
    request = urllib.request.Request(f"{server.url}/v1/report?from={first}&to={last}&tenant=class-7b",
                                     headers={"Authorization": f"Bearer {server.admin_key}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.headers["Content-Type"].startswith("text/html")
        html = response.read().decode()
    # Self-contained: nothing fetched from anywhere.
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert "src=" not in html and "<link" not in html
    page = workdir / "report.html"
    page.write_text(html)

    # Measured in the browser: a wrapper page loads the report in a same-size iframe and writes what it finds.
    probe = workdir / "probe.html"
    probe.write_text("""<!DOCTYPE html><html><body style="margin:0">
<iframe id="r" src="report.html" style="width:1280px;height:3000px;border:0"></iframe>
<pre id="out"></pre>
<script>
document.getElementById('r').addEventListener('load', () => {
  const d = document.getElementById('r').contentDocument;
  const svgs = [...d.querySelectorAll('svg.chart')].map(s => {
    const b = s.getBoundingClientRect();
    return {w: b.width, h: b.height, marks: s.querySelectorAll('rect, circle, path').length};
  });
  const tiles = [...d.querySelectorAll('.tile')].map(t => t.getBoundingClientRect().width);
  document.getElementById('out').textContent = JSON.stringify({
    svgs, tiles, scrollWidth: d.documentElement.scrollWidth, clientWidth: d.documentElement.clientWidth,
    banner: d.querySelector('.banner').className, missed: d.querySelectorAll('td.missed').length,
    met: d.querySelectorAll('td.met').length, title: d.title,
    text: d.body.innerText.length});
});
</script></body></html>""")
    result = chromium("--virtual-time-budget=10000", "--dump-dom", probe.as_uri())
    dom = result.stdout
    assert '<pre id="out">' in dom, result.stderr[-2000:]
    found = json.loads(dom.split('<pre id="out">', 1)[1].split("</pre>", 1)[0].replace("&quot;", '"')
                       .replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
    assert len(found["svgs"]) == 6, found                      # four daily charts, two rankings
    charts, rankings = found["svgs"][:4], found["svgs"][4:]
    assert all(s["w"] > 300 and s["h"] > 100 and s["marks"] >= 5 for s in charts), found
    assert all(s["w"] > 300 and s["h"] > 20 and s["marks"] >= 1 for s in rankings), found
    assert len(found["tiles"]) == 6 and min(found["tiles"]) > 120, found
    assert found["scrollWidth"] <= found["clientWidth"], found  # no horizontal overflow at 1280 px
    assert "bad" in found["banner"], found                     # day 5 missed the p95 objective
    assert found["missed"] >= 1 and found["met"] >= 4, found
    assert "class-7b" in found["title"]

    # Looked at as a picture: the dark header, the charts' colours, the red of the missed objective, and a
    # right margin of page background (nothing cut off).
    shot = Path(os.environ.get("CAIRN_REPORT_SCREENSHOT", workdir / "report.png"))
    result = chromium("--window-size=1280,2400", f"--screenshot={shot}", page.as_uri())
    assert shot.exists(), result.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 2400)
    pixels = image.load()
    header = pixels[20, 20]
    assert header == (0x0b, 0x1f, 0x33), header
    colours = image.getcolors(maxcolors=1 << 20)
    counts = {c: n for n, c in colours}
    blue = sum(n for c, n in counts.items() if abs(c[0] - 0x2e) < 8 and abs(c[1] - 0x90) < 8 and abs(c[2] - 0xfa) < 8)
    missed = counts.get((0xfe, 0xf3, 0xf2), 0)
    assert blue > 5000, blue                                     # bars of answers, costs and materials
    assert missed > 5000, missed                                 # the banner and the day that missed p95
    assert len(colours) > 200                                    # text, anti-aliasing: not a blank page
    right = {pixels[1275, y] for y in range(200, 2400, 7)}
    assert right <= {(0xf9, 0xfa, 0xfb)}, right

    # On a phone-sized window the charts shrink to fit: still no horizontal overflow.
    narrow = workdir / "narrow.html"
    narrow.write_text(probe.read_text().replace("width:1280px", "width:400px"))
    small = chromium("--virtual-time-budget=10000", "--dump-dom", narrow.as_uri()).stdout
    small_found = json.loads(small.split('<pre id="out">', 1)[1].split("</pre>", 1)[0].replace("&quot;", '"')
                             .replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
    assert small_found["scrollWidth"] <= small_found["clientWidth"] + 1, small_found
