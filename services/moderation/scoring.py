"""The default commercial-content filter (PRODUCT rule 4: a business may introduce itself, not
advertise; giving away, lending and borrowing between neighbours are welcome). Pure: text in,
action, probability and human-readable reasons out (`assess`).

Two opinions, the more severe wins:
- the trained model (services/moderation/commercial_model.py, weights trained from the labelled
  corpus in eleven languages by services/moderation/train.py): its probability maps to flag /
  hold / block by the thresholds cross-validated on the corpus's training split, and its reason
  quotes the phrases that weighed most ("reads as advertising (0.93): 'commission réduite'");
- the hand-written signals below (`score`), a second opinion kept because, measured on the
  corpus's training split (cross-validated model alone vs model or signals), they add about
  three points of recall for a third of a point of false positives: an unambiguous discount
  code, a price asked for in private, a price list with a call to action.

Why a scorer and not a word list: a single word ("promo", a price, a phone number) is ordinary in
a neighbourhood ("selling my old bike for 40 €", "call me on 0471 ... if you see my cat"); it is
the combination that makes an advertisement (a price with a sales word, a discount code, a shop
link with "order now"). Each signal adds points; neighbourly signals (give away, lend, borrow,
lost / found) take points off; the total decides: flag at FLAG_AT, hold at HOLD_AT, block at
BLOCK_AT. Every signal that fired becomes a reason the author and the moderator can read.

Languages: French, German, English, Dutch, Portuguese and Luxembourgish patterns; text is folded
by servicekit/text.py (lower case, accents and invisible characters removed, look-alike letters
mapped) before matching so "Réduction", "reduction" and "rеduction" (Cyrillic е) are one word.
"""
import re

from servicekit import text as normalised
from services.moderation import commercial_model

FLAG_AT = 2
HOLD_AT = 4
BLOCK_AT = 9

ALLOW, FLAG, HOLD, BLOCK = "allow", "flag", "hold", "block"
ACTIONS = (ALLOW, FLAG, HOLD, BLOCK)
SEVERITY = {ALLOW: 0, FLAG: 1, HOLD: 2, BLOCK: 3}


def fold(text):
    """The form every pattern here is written against: the platform's matching form (lower case,
    no accents, no invisible characters, look-alike letters of other scripts read as the Latin
    ones), so "pro\u200bmo" or a Cyrillic "рrоmо" scores as "promo" does."""
    return normalised.matching_form(text)


def _words(*alternatives):
    return re.compile(r"(?<![\w])(?:%s)(?![\w])" % "|".join(alternatives))


PRICE = re.compile(
    r"(?:(?:€|eur|euros?|chf|\$|£)\s?\d+(?:[.,]\d{1,2})?)|"
    r"(?:\d+(?:[.,]\d{1,2})?\s?(?:€|eur\b|euros?\b|chf\b|\$|£|,-))")
SALES_WORDS = _words(
    # en
    "sale", "on sale", "special offer", "offer", "deal", "deals", "best price", "cheap",
    "discount", "discounts", "bargain", "promotion", "promo", "buy now", "order now",
    "shop now", "limited time", "only today", "price list", "prices from", "starting at",
    "from only", "clearance", "wholesale", "per hour", "per session", "rates",
    # fr
    "soldes", "solde", "promotion", "offre", "offre speciale", "prix casse", "prix imbattable",
    "reduction", "remise", "rabais", "a partir de", "seulement", "tarif", "tarifs",
    "commandez", "achetez", "profitez", "destockage", "par seance", "prix",
    # de
    "angebot", "sonderangebot", "rabatt", "aktion", "ausverkauf", "schnappchen",
    "gunstig", "preis", "preise", "ab nur", "jetzt bestellen", "jetzt kaufen", "nur heute",
    "reduziert", "pro stunde", "tarife",
    # nl
    "aanbieding", "korting", "uitverkoop", "actie", "prijs", "prijzen", "vanaf",
    "bestel nu", "koop nu", "alleen vandaag", "goedkoop", "per uur",
    # pt
    "promocao", "desconto", "descontos", "oferta", "saldos", "preco", "precos",
    "a partir de", "compre ja", "encomende", "so hoje", "por hora", "barato", "baratos",
    "promocoes", "imbativel", "imbativeis", "melhor preco",
    # best price, unbeatable, promotions (plural forms the lists above miss)
    "best price", "best prices", "promotions", "imbattable", "imbattables", "meilleur prix",
    "prix casses", "besten preis", "beste preise", "beste prijs", "kortingen", "beschte prais",
    "angebote", "aanbiedingen",
    # it, es (a few: the set's languages are the six above)
    "offerta", "sconto", "sconti", "prezzo", "prezzi", "miglior prezzo", "oferta", "ofertas",
    "descuento", "descuentos", "precio", "precios", "mejor precio",
    # lb
    "aktioun", "rabatt", "offer", "prais", "praisser", "bestellt elo", "just haut",
)
PERCENT_OFF = re.compile(
    r"-\s?\d{1,2}\s?%|(?:up to|jusqu'a|bis|tot|ate|fino al|hasta|bis zu)\s\d{1,2}\s?%|"
    r"\d{1,2}\s?%\s?(?:off|de reduction|de remise|rabatt|korting|"
    r"de desconto|reduziert|remise|reduction|moins cher|günstiger|gunstiger)")
DISCOUNT_CODE = re.compile(
    r"(?:promo ?code|discount code|coupon|voucher|code promo|code de reduction|"
    r"gutschein(?:code)?|rabattcode|kortingscode|actiecode|codigo(?: promocional| de desconto)?|"
    r"cupao|codice(?: sconto)?|code)\s*:?\s*[\"']?[a-z]*\d+[a-z0-9]*")
LINK = re.compile(
    r"(?:https?://|www\.)\S+|\b[a-z0-9-]+\.(?:com|shop|store|be|lu|nl|de|fr|pt|eu|net|biz)"
    r"(?:/\S*)?\b")
SHOP_WORDS = _words(
    "shop", "webshop", "online shop", "online store", "e-shop", "eshop", "boutique",
    "our store", "our shop", "our salon", "our company", "my business", "our products",
    "notre magasin", "notre boutique", "notre salon", "nos produits", "mon entreprise",
    "notre entreprise", "unser geschaft", "unser laden", "unsere produkte", "mein geschaft",
    "onze winkel", "onze webshop", "onze producten", "mijn bedrijf", "ons bedrijf", "nossa loja",
    "nos promotions", "nossos produtos", "nostro negozio", "nuestra tienda", "eisem geschaft",
    "unseren onlineshop", "onlineshop", "loja online", "tienda online", "meubelwinkel",
    "mobelhaus", "miwwelgeschaft", "farm shop",
    "nossos produtos", "minha empresa", "a nossa empresa", "eise geschaft", "eis produkter",
    "visit our", "visitez", "besuchen sie", "bezoek onze", "visite a nossa",
    "instagram", "facebook page", "follow us", "suivez-nous", "folgen sie uns", "volg ons",
)
DM_FOR_PRICE = re.compile(
    r"(?:dm|pm|mp|pn|pb|inbox|message|mensagem|privat|prive)\s+(?:me\s+)?(?:for|pour|fur|voor|"
    r"para|fir)\s+(?:the\s+|le\s+|den\s+|de\s+|o\s+|d'|den\s+)?(?:price|prix|preis|prijs|preco|"
    r"prais|info|details)|"
    r"(?:prices?|prix|tarifs?|preise?|prijs|prijzen|precos?|praisser|prais)\s+(?:on request|"
    r"sur demande|auf anfrage|"
    r"op aanvraag|sob consulta|en mp|en pm|per pn|via pb|por mensagem|op nofro)")
PHONE = re.compile(r"(?:\+|00)?\d[\d ./-]{7,}\d")
CALL_TO_ACTION = _words(
    "call now", "contact us", "book now", "book your", "reserve now", "appelez",
    "contactez-nous", "reservez", "rufen sie", "kontaktieren sie uns", "jetzt buchen",
    "bel ons", "neem contact", "boek nu", "ligue ja", "contacte-nos", "reserve ja",
    "ruff eis un", "free delivery", "livraison gratuite", "livraison offerte",
    "kostenlose lieferung", "gratis bezorging", "gratis levering", "entrega gratis",
    "entrega gratuita", "home delivery", "livraison a domicile", "lieferservice",
    "free quote", "devis gratuit", "kostenloses angebot", "gratis offerte", "orcamento gratis",
    "new customers", "nouveaux clients", "neukunden", "nieuwe klanten", "novos clientes",
    "opening offer", "grand opening", "grande ouverture", "neueroffnung", "nieuwe opening",
    "inauguracao",
)
NEIGHBOURLY = _words(
    # give away
    "give away", "giving away", "to give away", "for free", "free to", "free sofa",
    "a donner", "donne", "je donne", "gratuit", "zu verschenken", "verschenke", "umsonst",
    "gratis", "te geef", "weg te geven", "geef weg", "dou", "doa-se", "oferece-se",
    "ze verschenken", "ginn",
    # lend / borrow
    "lend", "borrow", "can i borrow", "who can lend", "preter", "emprunter", "pret",
    "leihen", "ausleihen", "lenen", "uitlenen", "emprestar", "emprestado", "lennen",
    # lost and found, help
    "lost", "found", "perdu", "trouve", "vermisst", "gefunden", "entlaufen", "vermist",
    "gevonden", "kwijt", "perdido", "perdida", "encontrado", "verluer", "fonnt",
    "help", "aide", "hilfe", "hulp", "ajuda", "neighbours", "voisins", "nachbarn", "buren",
    "vizinhos", "noperen",
)


def _matched(pattern, text, limit=3):
    found = []
    for match in pattern.finditer(text):
        value = match.group(0).strip()
        if value and value not in found:
            found.append(value)
        if len(found) == limit:
            break
    return found


def _quote(values):
    return ", ".join('"%s"' % v for v in values)


def score(text):
    """(points, [reason]) for a text; a reason is {"signal", "message", "matched", "points"}."""
    folded = fold(text)
    reasons = []

    def add(signal, points, message, matched):
        reasons.append({"signal": signal, "points": points, "matched": matched,
                        "message": "%s (%s)" % (message, _quote(matched)) if matched
                        else message})

    prices = _matched(PRICE, folded)
    sales = _matched(SALES_WORDS, folded)
    if prices and sales:
        add("price_with_sales_words", 4, "a price together with sales words", prices + sales)
    elif len(sales) >= 3:
        add("sales_words", 4, "many sales words", sales)
    elif sales:
        add("sales_words", len(sales), "sales words", sales)
    elif prices and len(prices) >= 3:
        add("price_list", 3, "a list of prices", prices)
    percent = _matched(PERCENT_OFF, folded)
    if percent:
        add("promotion", 4, "a percentage discount", percent)
    codes = _matched(DISCOUNT_CODE, folded)
    if codes:
        add("discount_code", 5, "a discount code", codes)
    links = _matched(LINK, folded)
    shop = _matched(SHOP_WORDS, folded)
    if links:
        add("shop_link", 3 if (shop or sales) else 2, "a link to a website", links)
    if shop:
        # A business may introduce itself; presenting it together with offers is advertising.
        add("shop_words", 3 if (sales or prices or percent) else 2,
            "words presenting a business", shop)
    dm = _matched(DM_FOR_PRICE, folded)
    if dm:
        add("dm_for_price", 4, "a price asked for in private", dm)
    # Every occurrence (not de-duplicated): the same number twice is the signal.
    phones = [m.group(0).strip() for m in PHONE.finditer(folded)
              if sum(c.isdigit() for c in m.group(0)) >= 8][:10]
    digits = ["".join(c for c in p if c.isdigit()) for p in phones]
    if len(digits) != len(set(digits)) or len(phones) >= 2:
        add("repeated_phone_number", 3, "a phone number given several times", phones[:2])
    calls = _matched(CALL_TO_ACTION, folded)
    if calls:
        add("call_to_action", 3, "an advertising call to action", calls)
    if prices and calls:
        add("price_with_call_to_action", 2, "a price with a call to action", prices[:1])
    if phones and (sales or calls or shop):
        add("phone_with_offer", 2, "a phone number with an offer", phones[:1])
    shouting = [w for w in re.findall(r"[A-ZÀ-Ý]{4,}", text or "")]
    if len(shouting) >= 3 and text.count("!") >= 3:
        add("shouting", 1, "capitals and exclamation marks", shouting[:3])
    points = sum(r["points"] for r in reasons)
    # "free" inside "free delivery" / "devis gratuit" is the offer, not a gift: such phrases are
    # taken out before looking for neighbourly words.
    rest = CALL_TO_ACTION.sub(" ", folded)
    neighbourly = _matched(NEIGHBOURLY, rest)
    if neighbourly and points:
        # A neighbourly post may name a price or a phone number; it takes more to hold it.
        reasons.append({"signal": "neighbourly", "points": -2, "matched": neighbourly,
                        "message": "reads as a neighbourly post (%s)" % _quote(neighbourly)})
        points -= 2
    return points, reasons


def action_for(points):
    if points >= BLOCK_AT:
        return BLOCK
    if points >= HOLD_AT:
        return HOLD
    if points >= FLAG_AT:
        return FLAG
    return ALLOW


def model_action(probability, thresholds):
    if probability >= thresholds["block"]:
        return BLOCK
    if probability >= thresholds["hold"]:
        return HOLD
    if probability >= thresholds["flag"]:
        return FLAG
    return ALLOW


# Below this many words the model has too little to go on: trained on posts, it reads a bare
# title ("Pique-nique") as confidently as a whole advert. Such a text is flagged for a moderator
# at most, never held or refused on the model's word alone (the hand-written signals and the
# municipality's rules still act in full).
MODEL_MIN_WORDS = 4
_WORD = re.compile(r"\w+")


def assess(text, model=None):
    """{"action", "probability", "points", "reasons"} for a text: the more severe of the trained
    model's and the hand-written signals' actions, with the reasons of each that is not allow."""
    model = model or commercial_model.default()
    # The phrases are looked for only when they are shown (most posts are allowed).
    probability, phrases = model.assess(text, explain_from=model.thresholds["flag"])
    by_model = model_action(probability, model.thresholds)
    if len(_WORD.findall(text)) < MODEL_MIN_WORDS and SEVERITY[by_model] > SEVERITY[FLAG]:
        by_model = FLAG
    points, signals = score(text)
    by_signals = action_for(points)
    reasons = []
    if by_model != ALLOW:
        reasons.append({
            "signal": "commercial_model", "probability": round(probability, 2),
            "matched": phrases, "points": 0,
            "message": "reads as advertising (%.2f)%s" % (
                probability, ": " + ", ".join("'%s'" % p for p in phrases) if phrases else "")})
    if by_signals != ALLOW:
        reasons.extend(signals)
        reasons.append({"signal": "commercial_score", "points": points, "matched": [],
                        "message": "reads as commercial content (score %d; hold from %d, "
                                   "refused from %d)" % (points, HOLD_AT,
                                                         BLOCK_AT)})
    action = max((by_model, by_signals), key=SEVERITY.get)
    return {"action": action, "probability": round(probability, 4), "points": points,
            "reasons": reasons}
