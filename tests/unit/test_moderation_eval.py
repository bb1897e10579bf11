"""bench/moderation_eval.py on its labelled set: a guard that a change to the scorer does not
start holding ordinary neighbours' posts, nor let advertising through (issue 5, acceptance 6)."""
from bench import moderation_eval


def test_the_filter_keeps_ordinary_posts_and_stops_most_advertising(capsys):
    results = moderation_eval.main([])
    for half in ("tuning half (even ids)", "held-out half (odd ids)"):
        assert results[half]["ordinary_stopped_share"] <= 0.05
        assert results[half]["posts"] > 100
    assert results["all"]["recall"] >= 0.9
    assert results["all"]["commercial"] * 2 >= results["all"]["posts"] - 10
    assert "held-out half" in capsys.readouterr().out
