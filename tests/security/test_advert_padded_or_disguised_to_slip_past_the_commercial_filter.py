"""An advertiser who knows the filter reads n-grams of the text tries to slip past it: invisible
characters and look-alike letters of other scripts inside the sales words, or the advertisement
buried in a long neighbourly story so that its words weigh little in the whole. The model reads
the platform's matching form (invisible characters dropped, look-alikes read as Latin letters)
and a long text also window by window, the most commercial window counting; the advert is held
or refused either way, and a long neighbourly story alone is published."""
import pytest

from tests.e2e.stack import add_staff_account, build_town

pytestmark = pytest.mark.timeout(300)

AGENCY = ("Agence immobilière Horizon : estimation gratuite de votre maison, commission réduite "
          "pour tout mandat signé ce mois-ci, appelez notre agence")
DISGUISED = (AGENCY.replace("estimation", "esti\u200bmation")
             .replace("commission", "co\u00admmission")
             .replace("o", "\u043e").replace("a", "\u0430"))
STORY = ("Bonjour à tous, petit retour sur la fête des voisins de samedi : merci à Claire pour "
         "les tartes, à Paul qui a prêté sa sono et aux enfants qui ont décoré la cour avec des "
         "guirlandes. On a récolté de quoi payer les boissons de la prochaine fois, et la mairie "
         "nous prête de nouveau les tables en juin. Si quelqu'un a retrouvé un plat en verre "
         "bleu, c'est celui de Madame Petit au deuxième, elle le cherche partout. Pensez aussi à "
         "rentrer les poubelles le mardi soir, le vent les a renversées la semaine dernière. ")


@pytest.fixture(scope="module")
def town(platform):
    running = platform.platform
    town = build_town(running, "adevasion", 1, 1, {
        "ivy": ((0, 0), "Rue Haute", "Ivy Roth"), "tom": ((0, 0), "Rue Basse", "Tom Kern")})
    town.mod = add_staff_account(town, running, "adevasion", "moderator", "Mo Evasion")
    return town


def publish(town, body):
    return town.api.request("POST", "/api/v1/posts", town.tokens["ivy"],
                            json={"category": "message", "title": "Nouvelles", "body": body})


def stopped(answer):
    """True when the post was refused (422) or stored held for review."""
    if answer.status_code == 422:
        return True
    assert answer.status_code == 201, answer.text
    return answer.json().get("moderation") == "pending"


@pytest.mark.parametrize("how", ["invisible and look-alike letters", "buried in a long story"])
def test_a_disguised_or_diluted_advertisement_is_still_stopped(town, how):
    body = DISGUISED if how.startswith("invisible") else STORY * 2 + AGENCY + " " + STORY
    assert stopped(publish(town, body)), how


def test_the_long_neighbourly_story_alone_is_published(town):
    answer = publish(town, STORY * 3)
    assert answer.status_code == 201, answer.text
    assert answer.json().get("moderation") != "pending", answer.json()
