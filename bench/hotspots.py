"""python -m bench.hotspots: where analyze() spends its time, by stage and by function.

Stages are timed by calling the pipeline's steps in the order
``Analyzer.analyze_many`` runs them (split, cues, features, cue tagger, claim tagger, heads, then
flags, reported cues, links and balance), each alone over all the articles; the
remainder is what ``analyze()`` costs beyond their sum; stage times
are this process's CPU time, so that other load on the machine barely moves them. Then
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

#: (label, target, unit, articles per pass) for the stage table.
STAGE_LENGTHS = (
    ("400 words", 400, "words", 60),
    ("10,000 chars", 10_000, "chars", 15),
    ("100,000 chars", 100_000, "chars", 3),
)
#: Lengths profiled function by function.
PROFILE_LENGTHS = (("10,000 chars", 10_000, 10), ("100,000 chars", 100_000, 2))
TOP = 18


def main(argv: list[str] | None = None) -> None:
    """Print the stage table and the cProfile top functions."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5, help="timed passes (default 5)")
    ap.add_argument("--pyinstrument", action="store_true", help="also print pyinstrument trees")
    args = ap.parse_args(argv)

    from service.analysis.analyzer import Analyzer, _Doc
    from service.analysis.cues import find_cues
    from service.analysis.model import load_model
    from service.analysis.tagger import merge_cues

    print(machine_header("bench.hotspots: analyze() by stage and by function, one core"))
    analyzer = Analyzer(load_model())
    model = analyzer.model
    stream = reuters_stream(load_segmenter())

    rows = []
    for label, target, unit, count in STAGE_LENGTHS:
        articles = build_articles(stream, target, count, unit)
        texts = [[a[s.start:s.end] for s in model.segmenter.split(a)] for a in articles]
        cues = [[find_cues(t) for t in doc] for doc in texts]
        X = [model.features.transform_parsed(doc, c) for doc, c in zip(texts, cues, strict=True)]
        best = [
            (model.claim_tagger.tag(doc, c)[1], model.tagger.tag(doc, c)[1])
            for doc, c in zip(texts, cues, strict=True)
        ]
        docs = [_Doc(a, None, None, model.segmenter.split(a)) for a in articles]
        preds = [model.predict(doc, c) for doc, c in zip(texts, cues, strict=True)]

        def assemble(docs=docs, texts=texts, cues=cues, preds=preds) -> None:
            """What analyze_many does after predicting: reported cues, flags, links, balance."""
            for d, t, c, p in zip(docs, texts, cues, preds, strict=True):
                merged = [
                    merge_cues(*x) for x in zip(t, c, p.spans, p.claim_spans, strict=True)
                ]
                rows = range(len(t))
                analyzer._assemble(d, False, t, merged, p.X, (p.claim_max, p.cue_max),
                                   p.proba.tolist(), rows, False)

        stages = {
            "split": lambda articles=articles: [model.segmenter.split(a) for a in articles],
            "cues": lambda texts=texts: [[find_cues(t) for t in doc] for doc in texts],
            "features": lambda texts=texts, cues=cues: [
                model.features.transform_parsed(d, c) for d, c in zip(texts, cues, strict=True)
            ],
            "cue tagger": lambda texts=texts, cues=cues: [
                model.tagger.tag(d, c) for d, c in zip(texts, cues, strict=True)
            ],
            "claim tagger": lambda texts=texts, cues=cues: [
                model.claim_tagger.tag(d, c) for d, c in zip(texts, cues, strict=True)
            ],
            "heads": lambda X=X, best=best: [
                model.predict_proba(x, *b) for x, b in zip(X, best, strict=True)
            ],
            "flags, cues shown, links, balance": assemble,
        }
        total = median(timed_pairs(lambda a=articles: [analyzer.analyze(x) for x in a],
                                   args.repeats)[1])
        ms = {name: 1000 * median(timed_pairs(fn, args.repeats)[1]) / len(articles)
              for name, fn in stages.items()}
        whole = 1000 * total / len(articles)
        # What the stages cost together beyond their sum alone: the pipeline's own glue,
        # and each stage finding the CPU caches filled by the others.
        ms["remainder: in sequence, not alone"] = max(0.0, whole - sum(ms.values()))
        n_sent = sum(len(doc) for doc in texts) / len(articles)
        for name, value in ms.items():
            rows.append([label, name, fmt(value), f"{100 * value / whole:.0f}%",
                         fmt(1000 * value / n_sent)])
        rows.append([label, "analyze() total", fmt(whole), "100%", fmt(1000 * whole / n_sent)])

    print()
    print(f"stages, CPU time of this process: medians of {args.repeats} timed passes; "
          "µs/sentence = stage time per sentence")
    print(table(["length", "stage", "ms/article", "share", "µs/sentence"], rows))

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
