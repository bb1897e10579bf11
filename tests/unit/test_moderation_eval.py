"""bench/moderation_eval.py on the labelled corpus: a guard that a change to the commercial filter
(the corpus, the model, the thresholds, the hand-written signals) neither starts holding
neighbours' ordinary posts nor lets more advertising through than the committed model does.

The bounds are today's held-out figures with a little room, not the issue's targets (recall
>= 0.95 and false positives <= 2 % in every language), which this model does not reach: see
bench/README.md for the figures."""
from bench import moderation_eval


def test_the_filter_keeps_ordinary_posts_and_stops_advertising_on_the_held_out_split(capsys):
    results = moderation_eval.main(["--latency-posts", "300"])
    held, cv = results["held_out"], results["cross_validation"]
    assert held["all"]["posts"] >= 400 and cv["all"]["posts"] >= 1000
    assert held["all"]["false_positive_rate"] <= 0.02
    assert cv["all"]["false_positive_rate"] <= 0.02
    assert held["all"]["recall"] >= 0.55
    assert results["held_out_flagged"]["all"]["recall"] >= 0.7
    for language in moderation_eval.corpus.LANGUAGES:
        assert held[language]["posts"] >= 40
        assert held[language]["false_positive_rate"] <= 0.05, language
    out = capsys.readouterr().out
    assert "held-out split" in out and "p99" in out
