#!/usr/bin/env python3
"""Writes the embedding benchmark's text set: queries.txt and documents.txt, one text per line.

    python3 Benchmarks/texts/make_texts.py            # rewrites both files next to this script
    python3 Benchmarks/texts/make_texts.py --check    # exits 1 if the committed files differ

The texts are made from the word lists in topics.py and the templates below with a seeded
random.Random, so the same seed always gives byte-identical files (standard library only, no network):

- queries.txt: short student questions, 3 to 12 words (a run of Chinese characters counts as one word
  per two characters), some casual (lower case, no question mark), a few in Korean and Chinese;
- documents.txt: paragraph-length study notes of 85 to 150 words, about 100 to 200 WordPiece tokens,
  built from a topic's concepts in shuffled sentence orders, plus a few Korean, Chinese and mixed lines.

cairn bench embed and Benchmarks/peers/embed_peer.py read these files; change the seed or the counts
only together with the numbers quoted in Benchmarks/README.md.
"""

import argparse
import pathlib
import random
import sys

from topics import CJK_DOCUMENTS, CJK_QUERIES, PLACES, TOPICS

SEED = 20250607
QUERY_COUNT = 512
DOCUMENT_COUNT = 320
QUERY_WORDS = (3, 12)
DOCUMENT_WORDS = (85, 150)


def word_count(text):
    """Whitespace words; a run of CJK ideographs or kana counts one word per two characters."""
    total = 0
    for word in text.split():
        ideographs = sum(1 for ch in word if "\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff")
        total += max(1, (ideographs + 1) // 2) if ideographs else 1
    return total


def cap(text):
    return text[:1].upper() + text[1:]


# --- queries -------------------------------------------------------------------------------------

def be(c):
    return "are" if c.get("plural") else "is"


def do(c):
    return "do" if c.get("plural") else "does"


def person_be(person):
    return "are" if " and " in person else "is"


def query_templates(c, topic, rng):
    """Candidate questions about concept `c` of `topic`."""
    field, name = topic["field"], c["name"]
    other = rng.choice([x for x in topic["concepts"] if x is not c])
    out = [
        f"What {be(c)} {name}?",
        f"what {be(c)} {name}",
        f"How {do(c)} {name} work?",
        f"Explain {name} in simple terms",
        f"What is the difference between {name} and {c['related']}?",
        f"{name} vs {c['related']} difference",
        f"Why {be(c)} {name} important in {field}?",
        f"Give me an example of {name}",
        f"How do I remember the steps for {name}?",
        f"{cap(be(c))} {name} on the {field} exam this year?",
        f"Can you summarise {name} for my revision notes?",
        f"How {be(c)} {name} related to {other['name']}?",
        f"help with {field} homework on {name}",
        f"How would you explain {name} to a ten-year-old?",
        f"Which topics should I revise before {name}?",
        f"Common mistakes students make with {name}",
        f"Is there a diagram that shows {name}?",
        f"How do I {rng.choice(topic['tasks'])} about {name}?",
        f"Where can I see {name} in real life?",
        f"Do I need {other['name']} to understand {name}?",
    ]
    if c["who"]:
        person, year = c["who"]
        out += [f"Who is known for {name}?", f"What did {person} find out in {year}?",
                f"Why {person_be(person)} {person} famous in {field}?"]
    return out


def make_queries(rng):
    queries, seen = [], set()
    pool = [(topic, c) for topic in TOPICS for c in topic["concepts"]]
    while len(queries) < QUERY_COUNT - len(CJK_QUERIES):
        topic, c = rng.choice(pool)
        text = rng.choice(query_templates(c, topic, rng))
        if rng.random() < 0.15:
            text = text.lower().rstrip("?")
        if QUERY_WORDS[0] <= word_count(text) <= QUERY_WORDS[1] and text not in seen:
            seen.add(text)
            queries.append(text)
    for text in CJK_QUERIES:
        queries.insert(rng.randrange(len(queries) + 1), text)
    return queries


# --- documents -----------------------------------------------------------------------------------

def document_sentences(c, topic, rng):
    """Openers for a paragraph about concept `c`, and groups of alternative sentences for its body.

    A paragraph takes one opener and at most one sentence from each group, so the same fact is
    never told twice; the groups come in a shuffled order.
    """
    field, name = topic["field"], c["name"]
    other = rng.choice([x for x in topic["concepts"] if x is not c])
    s1, s2, s3 = c["steps"]
    openers = [
        f"{cap(name)} {be(c)} {c['what']}.",
        f"In this unit of {field} we look at {name}: {c['what']}.",
        f"Revision note: {name} {be(c)} {c['what']}.",
        f"Chapter {rng.randint(2, 14)} summary. {cap(name)} {be(c)} {c['what']}.",
        f"Key idea for {field}: {name}, that is, {c['what']}.",
    ]
    groups = [
        [f"A simple example: {c['example']}.",
         f"For instance, {c['example']}, which is worth remembering for the exam."],
        [f"Why does it matter? {cap(c['why'])}.", f"This matters because {c['why']}."],
        [f"Students often confuse {name} with {c['related']}; the difference is that {c['diff']}.",
         f"Do not mix it up with {c['related']}: {c['diff']}."],
        [f"The usual method has three steps: first {s1}, then {s2}, and finally {s3}.",
         f"Step one, {s1}. Step two, {s2}. Step three, {s3}."],
        [f"When a question asks you to {rng.choice(topic['tasks'])}, remember to {rng.choice(topic['tips'])}.",
         f"Exam tip: {rng.choice(topic['tips'])}."],
        [f"Compare this with {other['name']}, which {be(other)} {other['what']}."],
        [f"Note that {rng.choice(topic['facts'])}."],
        [f"Question {rng.randint(1, 12)} on page {rng.randint(12, 240)} asks how {name} relates to "
         f"{other['name']}; try to answer it before reading on.",
         f"In {rng.choice(PLACES)}, teachers often introduce {name} with {rng.choice(topic['activities'])}."],
        [f"Last year about {rng.randint(35, 85)} per cent of candidates answered the question on {name} well, "
         f"so it is worth revising carefully."],
    ]
    if c["who"]:
        person, year = c["who"]
        groups.append([
            f"{person} {person_be(person)} usually credited with this work, dated to {year}, "
            f"although later researchers refined it.",
            f"The idea is often linked to {person} ({year}).",
        ])
    return openers, groups


def make_document(rng, topic):
    c = rng.choice(topic["concepts"])
    target = rng.randint(DOCUMENT_WORDS[0] + 5, DOCUMENT_WORDS[1] - 10)
    for _ in range(100):
        openers, groups = document_sentences(c, topic, rng)
        rng.shuffle(groups)
        sentences = [rng.choice(openers)]
        for group in groups:
            if word_count(" ".join(sentences)) >= target:
                break
            sentences.append(rng.choice(group))
        text = " ".join(sentences)
        if DOCUMENT_WORDS[0] <= word_count(text) <= DOCUMENT_WORDS[1]:
            return text
    raise SystemExit(f"no document of {DOCUMENT_WORDS} words for {c['name']}: add sentences to topics.py")


def make_documents(rng):
    documents, seen = [], set()
    while len(documents) < DOCUMENT_COUNT - len(CJK_DOCUMENTS):
        text = make_document(rng, TOPICS[len(documents) % len(TOPICS)])
        if text not in seen:
            seen.add(text)
            documents.append(text)
    rng.shuffle(documents)
    for text in CJK_DOCUMENTS:
        documents.insert(rng.randrange(len(documents) + 1), text)
    return documents


def render(lines):
    for line in lines:
        assert line and "\n" not in line and "\r" not in line and "\t" not in line and line == line.strip(), line
    return "".join(line + "\n" for line in lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(pathlib.Path(__file__).resolve().parent),
                        help="directory for queries.txt and documents.txt (default: next to this script)")
    parser.add_argument("--check", action="store_true", help="compare with the files instead of writing them")
    args = parser.parse_args()

    rng = random.Random(SEED)
    files = {"queries.txt": render(make_queries(rng)), "documents.txt": render(make_documents(rng))}
    out = pathlib.Path(args.out)
    stale = []
    for name, text in files.items():
        path = out / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path} ({text.count(chr(10))} lines)", file=sys.stderr)
    if stale:
        print(f"out of date: {', '.join(stale)} (run {pathlib.Path(__file__).name} to rewrite)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
