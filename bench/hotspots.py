"""python -m bench.hotspots: where analyze() spends its time, by stage and by function.

Stages are timed by calling the pipeline's steps in the order
``Analyzer.analyze_many`` runs them (split, cues, features, the taggers' tokens, cue tagger,
claim tagger, heads, then flags, reported cues, links and balance), each alone over all the
articles; the remainder is what ``analyze()`` costs beyond their sum; stage times are this
process's CPU time, so that other load on the machine barely moves them. Timed that way, a
stage finds its tables (vocabularies, weights, memos) in the CPU caches, which it does not
inside analyze(), where the other stages have just run: so on 400-word articles each stage is
timed again with the caches evicted before each article, which accounts for the remainder. Then
cProfile lists the functions with the most own time on 10,000- and
100,000-character articles (``--pyinstrument`` prints pyinstrument's call tree
too, when it is installed). Last, the HTTP layer's own cost: POST /v1/analyze
through Flask's test client against analyze() alone. Medians of timed passes
after a warm-up pass.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time

from bench.common import (
    ROOT,
    build_articles,
    fmt,
    load_segmenter,
    machine_header,
    median,
    reuters_stream,
    table,
    timed_pairs,
)
from service.cli import command, positive_int

#: (label, target, unit, articles per pass) for the stage table.
STAGE_LENGTHS = (
    ("400 words", 400, "words", 60),
    ("10,000 chars", 10_000, "chars", 15),
    ("100,000 chars", 100_000, "chars", 3),
)
#: Lengths whose stages are also timed with the CPU caches evicted before each article.
COLD = ("400 words",)
#: Memory read between two articles to evict the caches (the L3 cache here is 32 MB).
EVICT_BYTES = 128 * 2**20
#: The name of the row that times analyze() itself.
WHOLE = "analyze() total"
#: Lengths profiled function by function.
PROFILE_LENGTHS = (("10,000 chars", 10_000, 10), ("100,000 chars", 100_000, 2))
TOP = 18


@command
def main(argv: list[str] | None = None) -> None:
    """Print the stage table and the cProfile top functions."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=positive_int, default=5, help="timed passes (default 5)")
    ap.add_argument("--pyinstrument", action="store_true", help="also print pyinstrument trees")
    args = ap.parse_args(argv)

    from service.analysis.analyzer import Analyzer, _Doc
    from service.analysis.cues import find_cues
    from service.analysis.model import load_model
    from service.analysis.tagger import merge_cues, parse_all

    print(machine_header("bench.hotspots: analyze() by stage and by function, one core"))
    analyzer = Analyzer(load_model())
    model = analyzer.model
    stream = reuters_stream(load_segmenter())

    rows = []
    for label, target, unit, count in STAGE_LENGTHS:
        articles = build_articles(stream, target, count, unit)
        texts = [[a[s.start:s.end] for s in model.segmenter.split(a)] for a in articles]
        cues = [[find_cues(t) for t in doc] for doc in texts]
        parsed = [parse_all(doc, c) for doc, c in zip(texts, cues, strict=True)]
        docs = [_Doc(a, None, None, model.segmenter.split(a)) for a in articles]
        # The features and both taggers' readings that the heads and assemble stages take.
        preds = [model.predict(doc, c) for doc, c in zip(texts, cues, strict=True)]

        def assemble(i: int, texts=texts, cues=cues, preds=preds, docs=docs) -> None:
            """What analyze_many does after predicting: reported cues, flags, links, balance."""
            t, c, p = texts[i], cues[i], preds[i]
            merged = [merge_cues(*x) for x in zip(t, c, p.spans, p.claim_spans, strict=True)]
            analyzer._assemble(docs[i], False, t, merged, p.X, (p.claim_max, p.cue_max),
                               p.proba.tolist(), range(len(t)), False)

        # Each stage on article i, from what the stages before it produced, in the order
        # analyze() runs them.
        a, t, c, p = articles, texts, cues, parsed
        stages = {
            "split": lambda i, a=a: model.segmenter.split(a[i]),
            "cues": lambda i, t=t: [find_cues(x) for x in t[i]],
            "features": lambda i, t=t, c=c: model.features.transform_parsed(t[i], c[i]),
            "taggers' tokens": lambda i, t=t, c=c: parse_all(t[i], c[i]),
            "cue tagger": lambda i, t=t, c=c, p=p: model.tagger.tag(t[i], c[i], p[i], True),
            "claim tagger": lambda i, t=t, c=c, p=p: model.claim_tagger.tag(t[i], c[i], p[i]),
            "heads": lambda i, p=preds: model.predict_proba(
                p[i].X, p[i].claim_max, p[i].cue_max, p[i].type_max
            ),
            "flags, cues shown, links, balance": assemble,
            WHOLE: lambda i, a=a: analyzer.analyze(a[i]),
        }
        n = len(articles)
        warm = _with_remainder({
            name: 1000 * median(timed_pairs(lambda fn=fn, n=n: [fn(i) for i in range(n)],
                                            args.repeats)[1]) / n
            for name, fn in stages.items()
        })
        cold = _with_remainder(_cold_ms(stages, n, args.repeats)) if label in COLD else {}
        n_sent = sum(len(doc) for doc in texts) / n
        for name, value in warm.items():
            rows.append([label, name, fmt(value), f"{100 * value / warm[WHOLE]:.0f}%",
                         fmt(1000 * value / n_sent), fmt(cold[name]) if cold else ""])

    print()
    print(f"stages, CPU time of this process: medians of {args.repeats} timed passes; "
          "µs/sentence = stage time per sentence. Each stage is timed over all the articles "
          "in turn, so its tables stay in the CPU caches; 'caches evicted' times each "
          f"article's stage just after reading {EVICT_BYTES // 2**20} MB of other memory "
          "(not timed), as in analyze(), where the other stages have just run")
    print(table(["length", "stage", "ms/article", "share", "µs/sentence",
                 "ms/article, caches evicted"], rows))

    for label, target, calls in PROFILE_LENGTHS:
        article = build_articles(stream, target, 1)[0]
        analyzer.analyze(article)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(calls):
            analyzer.analyze(article)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(TOP)
        print()
        print(f"cProfile, {label} ({len(article):,} chars) analysed {calls} times: "
              f"top {TOP} functions by own time")
        print(_trim(out.getvalue()))
        if args.pyinstrument:
            _pyinstrument(analyzer, article, calls, label)

    _http_layer(build_articles(stream, 400, 1, "words")[0], args.repeats)


def _with_remainder(ms: dict[str, float]) -> dict[str, float]:
    """The stage times, with what analyze() costs beyond their sum before its own row."""
    stages = {k: v for k, v in ms.items() if k != WHOLE}
    # The pipeline's glue, and whatever each stage pays for running after the others.
    rest = ms[WHOLE] - sum(stages.values())
    return {**stages, "remainder: analyze() minus the stages": rest, WHOLE: ms[WHOLE]}


def _cold_ms(stages: dict, n: int, repeats: int) -> dict[str, float]:
    """Median over ``repeats`` passes of each stage's CPU ms per article, each article's call
    timed alone right after ``EVICT_BYTES`` of other memory were read."""
    import numpy as np

    junk = np.ones(EVICT_BYTES // 8)
    out = {}
    for name, fn in stages.items():
        fn(0)
        passes = []
        for _ in range(repeats):
            total = 0.0
            for i in range(n):
                junk.sum()
                start = time.process_time()
                fn(i)
                total += time.process_time() - start
            passes.append(1000 * total / n)
        out[name] = median(passes)
    return out


def _http_layer(article: str, repeats: int, calls: int = 200) -> None:
    """CPU cost of POST /v1/analyze through Flask's test client against analyze() alone."""
    import json

    from service import create_app

    # The shipped configuration, except: no log lines on stderr, no 429s.
    app = create_app({"LOG_LEVEL": "ERROR", "RATE_LIMIT": "1000000/minute"})
    client = app.test_client()
    analyzer = app.extensions["caveat"]
    body = json.dumps({"text": article})

    def post() -> None:
        for _ in range(calls):
            client.post("/v1/analyze", data=body, content_type="application/json")

    def core() -> None:
        for _ in range(calls):
            analyzer.analyze(article)

    whole = 1000 * median(timed_pairs(post, repeats)[1]) / calls
    inner = 1000 * median(timed_pairs(core, repeats)[1]) / calls
    print()
    print(f"HTTP layer, one ~400-word article ({len(article):,} chars) through Flask's test "
          f"client (no socket, no request log), CPU ms per request, medians of {repeats}")
    print(table(["part", "CPU ms/request", "share"], [
        ["analyze()", fmt(inner), f"{100 * inner / whole:.0f}%"],
        ["HTTP layer: routing, schemas, JSON, security, limiter", fmt(whole - inner),
         f"{100 * (whole - inner) / whole:.0f}%"],
        ["POST /v1/analyze total", fmt(whole), "100%"],
    ]))
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls // 2):
        client.post("/v1/analyze", data=body, content_type="application/json")
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(TOP)
    print()
    print(f"cProfile, POST /v1/analyze {calls // 2} times: top {TOP} functions by own time")
    print(_trim(out.getvalue()))


def _trim(report: str) -> str:
    """pstats output without its preamble and with project paths shortened."""
    lines = report.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
    keep = [ln for ln in lines[start:] if ln.strip()]
    return "\n".join(ln.replace(str(ROOT) + "/", "") for ln in keep)


def _pyinstrument(analyzer, article: str, calls: int, label: str) -> None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("(pyinstrument is not installed: pip install -r bench/requirements.txt)")
        return
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(calls):
        analyzer.analyze(article)
    profiler.stop()
    print()
    print(f"pyinstrument, {label}:")
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
