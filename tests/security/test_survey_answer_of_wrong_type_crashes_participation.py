"""A list or an object where a survey expects one option (or any other answer of the wrong type)
used to reach the tally code as an unhashable value: 500 and a traceback. Every mismatch must be
400 `invalid` naming the question, and nothing may be stored."""
import pytest

from tests import participation_samples as samples
from tests.e2e.stack import build_town

pytestmark = pytest.mark.timeout(300)

RESIDENTS = {"p%d" % i: ((0, 0), "Rue des Lilas", "Pia %d" % i) for i in range(2)}

# question id -> answers of the wrong type for it (samples.survey has every question type)
WRONG = {
    "mode": [["car"], {"car": True}, 1, ["car", "bike"]],            # single choice
    "wishes": ["lanes", [["lanes"]], [{"id": "lanes"}], {"lanes": 1}],  # multiple choice
    "safety": ["7", [7], {"v": 7}, 7.5, True],                      # scale
    "priorities": ["green", [["green"]], [{"g": 1}], {"green": 1}],  # ranking
    "comment": [["text"], {"t": "x"}, 5],                             # long text
    "streets": [["good"], {"main": ["good"], "park": "bad"},          # matrix
                {"main": {"x": 1}, "park": "bad"}, "good"],
}


@pytest.fixture(scope="module")
def town(platform):
    return build_town(platform.platform, "answertypes", 1, 1, RESIDENTS)


def test_every_answer_of_the_wrong_type_is_400_naming_the_question_and_stores_nothing(town):
    created = town.api.request("POST", "/api/v1/city/surveys", town.staff,
                               json=samples.survey([town.cells["r0c0"]]))
    assert created.status_code == 201, created.text
    survey_id = created.json()["id"]
    path = "/api/v1/surveys/%s/responses" % survey_id

    for question_id, values in WRONG.items():
        for value in values:
            answers = dict(samples.answers(comment="fine"), **{question_id: value})
            answer = town.api.request("POST", path, town.tokens["p0"],
                                      json={"answers": answers})
            assert answer.status_code == 400, (question_id, value, answer.text)
            error = answer.json()["error"]
            assert error["code"] == "invalid", (question_id, value, error)
            assert "answers.%s" % question_id in error["details"], (question_id, value, error)

    seen = town.api.request("GET", "/api/v1/surveys/" + survey_id, town.tokens["p0"])
    assert seen.json()["responded"] is False
    valid = town.api.request("POST", path, town.tokens["p0"],
                             json={"answers": samples.answers()})
    assert valid.status_code == 201, valid.text
