"""Posts, announcements and comments in the reader's language.

The feed decides who reads what and serves the author's own translations; the translation
service the rest (cache, machine translation, quotas). Without `lang` the reader's preferred
language (their profile, asked of identity) is the target."""
from contracts import rpc
from gateway.http.api import api

TAG = "translation"

ID = {"type": "string"}
# Which languages are offered is the translation service's configuration: it answers an
# unsupported one with 400 and the list, so the gateway only checks the shape.
LANG = {"lang": {"type": "string", "pattern": "^[A-Za-z]{2,3}$",
                 "description": "target language (ISO 639-1); default: your profile's"}}
ORIGINAL = {"type": "object", "description": "the text as written", "properties": {
    "lang": {"type": ["string", "null"]}, "title": {"type": "string"},
    "body": {"type": "string"}}}
TRANSLATION = {"type": "object", "properties": {
    "post_id": ID, "comment_id": ID, "lang": {"type": "string"},
    "source": {"type": ["string", "null"],
               "description": "the original's language (declared by the author or detected)"},
    "title": {"type": "string"}, "body": {"type": "string"},
    "machine": {"type": "boolean",
                "description": "true: machine-made; false: the author's own text or the original"},
    "original": ORIGINAL}}
ERRORS = (400, 422, 429, 503)


def _target(ctx):
    lang = ctx.query.get("lang")
    if lang:
        return lang.lower()
    return ctx.call(rpc.identity.GET_ME)["language"]


def _post(ctx, post_id):
    return ctx.call(rpc.feed.GET_TRANSLATION, post_id=post_id, lang=_target(ctx))


@api.operation(
    "GET", "/api/v1/posts/{post_id}/translation", tag=TAG, summary="A post in your language",
    query=LANG, response=TRANSLATION, errors=ERRORS,
)
def get_post_translation(ctx, post_id):
    """The author's own translation wins (`"machine": false`); otherwise a machine translation
    (cached: asking again costs nothing). 400 lists the supported languages; 429 past your daily
    machine translations (cached ones do not count); 503 with Retry-After when machine
    translation is not configured or its provider does not answer."""
    return _post(ctx, post_id)


@api.operation(
    "GET", "/api/v1/announcements/{post_id}/translation", tag=TAG,
    summary="An announcement in your language", query=LANG, response=TRANSLATION, errors=ERRORS,
)
def get_announcement_translation(ctx, post_id):
    """The city's own translation when it wrote one, otherwise as for posts."""
    return _post(ctx, post_id)


@api.operation(
    "GET", "/api/v1/posts/{post_id}/comments/{comment_id}/translation", tag=TAG,
    summary="A comment in your language", query=LANG, response=TRANSLATION, errors=ERRORS,
)
def get_comment_translation(ctx, post_id, comment_id):
    return ctx.call(rpc.feed.GET_COMMENT_TRANSLATION, post_id=post_id, comment_id=comment_id,
                    lang=_target(ctx))
