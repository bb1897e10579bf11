"""How long can one municipality's watched rules make screening take? The worst patterns found
for RE2, a municipality filled to its bounds, texts made to hurt them.

    .venv/bin/python bench/moderation_rules.py [--length 5000] [--repeat 3]

Prints the time to prepare a text (its two normalised forms), then per pattern its compiled
size and its slowest match on the adversarial texts (ms);
then the slowest screening of a municipality at its bounds (PATTERNS_MAX worst patterns plus
watched words up to RULES_MAX) and of an ordinary post with the same rules; and, for scale, what
Python's re took on the patterns the old backtracking guess let through (stopped at 20 letters:
each letter more doubles it). Also 30 variants of the costliest pattern, with and without the
screening's time budget for patterns (domain.PATTERN_TIME_BUDGET: past it the rest are not run
and the text is held for a moderator).

Why these patterns: RE2 runs in time linear in the text, but the constant grows with the compiled
program, and programs whose DFA outgrows its memory fall back to a slower simulation. The worst
found are those that make the DFA need one state per recent letter (`[ab]*a[ab]{20}z`) and
counted repetitions of wildcards (`(?:.{0,40}a)+q`).
"""
import argparse
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from services.moderation import domain, patterns  # noqa: E402

WORST = [
    r"((a+))+$", r"(a|aa)+$", r"(x+x+)+y", r"(\w+\s?)*$", r"(.*a){20}",
    r"(?:a|b)*a(?:a|b){20}", r"[ab]*a[ab]{40}z", r"[аб]*а[аб]{40}z", r"(.*a.{20})+b",
    r".*a.{80}b", r"(?:.{0,40}a)+q", r"(?:.{0,80}a)+q", r"(?:\pL*a){2}", r"\pL+a\pL+b",
    r"(?:[a-z]+ ){20}!", r"(?:.*?[ab]){40}c", r".{0,100}.{0,100}x", r"[^x]{200}y",
]


def texts(length):
    rng = random.Random(7)
    return {
        "a run": "a" * length + "!",
        "random a/b": "".join(rng.choice("ab") for _ in range(length)),
        "random Cyrillic а/б": "".join(rng.choice("аб") for _ in range(length)),
        "random letters": "".join(rng.choice("abcdefghijklmnopqrstuvwxyz ,.") for _ in range(length)),
        "CJK": "".join(chr(0x4E00 + rng.randrange(2000)) for _ in range(length)),
        "ordinary": ("Voisins, je donne un vélo, réduction? Bonne journée à tous. " * 200)[:length],
    }


def slowest(call, repeat):
    worst = 0.0
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        worst = max(worst, time.perf_counter() - started)
    return worst * 1000


def rule(kind, pattern, n):
    return domain.Rule(id="r%d" % n, municipality_id="m", kind=kind, pattern=pattern,
                       action="flag", created_at="%06d" % n)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--length", type=int, default=5000, help="characters (a post's body max)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    samples = texts(args.length)

    print("preparing a %d-character text (both forms), slowest of %d runs" % (args.length,
                                                                             args.repeat))
    prepared = {}
    for name, sample in samples.items():
        ms = slowest(lambda: patterns.Screened(sample), args.repeat)
        prepared[name] = patterns.Screened(sample)
        print("  %-20s %7.1f ms" % (name, ms))
    print("one pattern on a prepared text, slowest of %d runs on each text" % args.repeat)
    usable = []
    for pattern in WORST:
        try:
            size = patterns.cost("regex", pattern)
        except patterns.PatternError as exc:
            print("  %-26s refused: %s" % (pattern, exc))
            continue
        usable.append(pattern)
        times = {name: slowest(lambda: prepared[name].find("regex", pattern), args.repeat)
                 for name in samples}
        name = max(times, key=times.get)
        print("  %-26s program %5d  worst %7.1f ms (%s)" % (pattern, size, times[name], name))

    chosen = (usable * domain.PATTERNS_MAX)[:domain.PATTERNS_MAX]
    rng = random.Random(3)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 12)))
             for _ in range(domain.RULES_MAX - len(chosen))]
    rules = [rule("regex", p, n) for n, p in enumerate(chosen)] + \
        [rule("word", w, len(chosen) + n) for n, w in enumerate(words)]
    print("a municipality at its bounds: %d patterns (the worst above, repeated) + %d words"
          % (len(chosen), len(words)))
    for name, sample in samples.items():
        ms = slowest(lambda: domain.screen(sample, rules), args.repeat)
        print("  screening %-20s %8.1f ms" % (name, ms))
    worst = [rule("regex", r"(?:.{0,80}a)+q%d" % n, n) for n in range(domain.PATTERNS_MAX)]
    print("%d variants of the costliest pattern on random a/b" % len(worst))
    for label, budget in (("without a time budget", float("inf")),
                          ("with the %.2f s budget" % domain.PATTERN_TIME_BUDGET,
                           domain.PATTERN_TIME_BUDGET)):
        held = []
        ms = slowest(lambda: held.append(domain.screen(samples["random a/b"], worst,
                                                       budget=budget)["action"]), args.repeat)
        print("  screening %-26s %8.1f ms (%s)" % (label, ms, held[-1]))
    short = "Bonjour les voisins, qui peut me prêter une échelle samedi ?"
    print("  screening a 60-character post  %8.1f ms" % slowest(lambda: domain.screen(short, rules),
                                                                args.repeat))
    print("  the same post, no rules        %8.1f ms" % slowest(lambda: domain.screen(short, []),
                                                                args.repeat))

    print("for scale, Python's re on 'a' * n + '!' (what the old engine did)")
    for pattern in (r"((a+))+$", r"(a|aa)+$"):
        compiled = re.compile(pattern)
        for n in (16, 20, 24):
            ms = slowest(lambda: compiled.search("a" * n + "!"), 1)
            print("  %-12s n=%2d  %9.1f ms" % (pattern, n, ms))
            if ms > 2000:
                break


if __name__ == "__main__":
    main()
