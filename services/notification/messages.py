"""What an e-mail says, in the reader's language: subject lines and the fixed sentences around
the content (fr, de, en, nl, pt, lb written; any other language reads English), rendered by
Jinja2 templates with HTML autoescaping, so a title can never inject markup."""
import base64
import email
import email.policy
import os
import uuid
from email.header import Header
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import jinja2

TEMPLATES = os.path.join(os.path.dirname(__file__), "templates")

PHRASES = {
    "en": {"urgent": "Urgent message from your municipality",
           "announcement": "Message from your municipality",
           "unsubscribe": "Stop these e-mails", "footer": "You receive this as a resident "
           "on Quartier."},
    "fr": {"urgent": "Message urgent de votre commune",
           "announcement": "Message de votre commune",
           "unsubscribe": "Ne plus recevoir ces e-mails",
           "footer": "Vous recevez ce message en tant que résident sur Quartier."},
    "de": {"urgent": "Dringende Mitteilung Ihrer Gemeinde",
           "announcement": "Mitteilung Ihrer Gemeinde",
           "unsubscribe": "Diese E-Mails abbestellen",
           "footer": "Sie erhalten diese Nachricht als Einwohner auf Quartier."},
    "nl": {"urgent": "Dringend bericht van uw gemeente",
           "announcement": "Bericht van uw gemeente",
           "unsubscribe": "Deze e-mails niet meer ontvangen",
           "footer": "U ontvangt dit als bewoner op Quartier."},
    "pt": {"urgent": "Mensagem urgente do seu município",
           "announcement": "Mensagem do seu município",
           "unsubscribe": "Deixar de receber estes e-mails",
           "footer": "Recebe esta mensagem como residente no Quartier."},
    "lb": {"urgent": "Dréngend Noriicht vun Ärer Gemeng",
           "announcement": "Noriicht vun Ärer Gemeng",
           "unsubscribe": "Dës E-Maile net méi kréien",
           "footer": "Dir kritt dëst als Awunner op Quartier."},
}

# Account e-mails (identity's): subject, the sentence before the link, the one after it.
ACCOUNT_PHRASES = {
    "password_reset": {
        "en": ("Reset your Quartier password",
               "Someone (hopefully you) asked to reset the password of your Quartier account. "
               "Choose a new one here within 30 minutes:",
               "If it was not you, ignore this e-mail: your password stays as it is."),
        "fr": ("Réinitialiser votre mot de passe Quartier",
               "Quelqu'un (sans doute vous) a demandé à réinitialiser le mot de passe de votre "
               "compte Quartier. Choisissez-en un nouveau ici dans les 30 minutes :",
               "Si ce n'était pas vous, ignorez cet e-mail : votre mot de passe reste le même."),
        "de": ("Ihr Quartier-Passwort zurücksetzen",
               "Jemand (hoffentlich Sie) hat verlangt, das Passwort Ihres Quartier-Kontos "
               "zurückzusetzen. Wählen Sie hier innerhalb von 30 Minuten ein neues:",
               "Wenn Sie es nicht waren, ignorieren Sie diese E-Mail: Ihr Passwort bleibt."),
        "nl": ("Uw Quartier-wachtwoord opnieuw instellen",
               "Iemand (hopelijk u) vroeg het wachtwoord van uw Quartier-account opnieuw in te "
               "stellen. Kies hier binnen 30 minuten een nieuw:",
               "Was u het niet, negeer dan deze e-mail: uw wachtwoord blijft ongewijzigd."),
        "pt": ("Redefinir a sua palavra-passe do Quartier",
               "Alguém (esperamos que tenha sido você) pediu para redefinir a palavra-passe da "
               "sua conta Quartier. Escolha uma nova aqui dentro de 30 minutos:",
               "Se não foi você, ignore este e-mail: a sua palavra-passe fica igual."),
        "lb": ("Äert Quartier-Passwuert zrécksetzen",
               "Een (hoffentlech Dir) huet gefrot, d'Passwuert vun Ärem Quartier-Kont "
               "zréckzesetzen. Wielt hei bannent 30 Minutten en neit:",
               "Wann Dir et net wiert, ignoréiert dës E-Mail: Äert Passwuert bleift wéi et ass."),
    },
}
ACCOUNT_KINDS = tuple(ACCOUNT_PHRASES)

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
    keep_trailing_newline=True)


def phrases(language):
    return PHRASES.get(language) or PHRASES["en"]


def _header_safe(text):
    # A subject is one line: a title with a line break must not add headers.
    return " ".join(str(text).split())[:200]


class AnnouncementMails:
    """The e-mails of one announcement, rendered once per language and filled per reader.

    A city-wide alert is 100,000 e-mails: building each with the email package costs 1.5 ms,
    most of it encoding the same text again. Here the templates are rendered and the headers
    encoded once per language; each reader's message is its headers plus the parts with their
    own unsubscribe link, base64-encoded (RFC 2045), as bytes ready for SMTP."""

    LINK = "@@UNSUBSCRIBE_LINK@@"

    def __init__(self, mail_from, domain, announcement_id, kind, texts):
        self.mail_from = mail_from
        self.domain = domain
        self.announcement_id = announcement_id
        self.kind = kind
        self.texts = texts  # language -> (title, body)
        self.prepared = {}

    def _prepare(self, language):
        words = phrases(language)
        title, body = self.texts(language)
        context = {"words": words, "title": title, "body": body,
                   "urgent": self.kind == "urgent_announcement", "unsubscribe_url": self.LINK,
                   "language": language if language in PHRASES else "en"}
        heading = words["urgent"] if context["urgent"] else words["announcement"]
        subject = Header(_header_safe("%s: %s" % (heading, title)), "utf-8").encode()
        return (subject, context["language"],
                _environment.get_template("announcement.txt").render(context),
                _environment.get_template("announcement.html").render(context))

    def build(self, to, language, unsubscribe_url):
        if language not in self.prepared:
            self.prepared[language] = self._prepare(language)
        subject, content_language, text, html = self.prepared[language]
        boundary = "=_q%s" % uuid.uuid4().hex
        headers = [
            ("From", self.mail_from), ("To", to), ("Subject", subject),
            ("Date", formatdate(localtime=False, usegmt=True)),
            ("Message-ID", make_msgid(domain=self.domain)),
            ("Auto-Submitted", "auto-generated"), ("Content-Language", content_language),
            ("X-Quartier-Announcement", self.announcement_id),
            ("List-Unsubscribe", "<%s>" % unsubscribe_url),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ("MIME-Version", "1.0"),
            ("Content-Type", 'multipart/alternative; boundary="%s"' % boundary),
        ]
        lines = ["%s: %s" % header for header in headers]
        for subtype, content in (("plain", text), ("html", html)):
            encoded = base64.encodebytes(
                content.replace(self.LINK, unsubscribe_url).encode("utf-8")).decode("ascii")
            lines += ["", "--" + boundary,
                      "Content-Type: text/%s; charset=\"utf-8\"" % subtype,
                      "Content-Transfer-Encoding: base64", "", encoded.rstrip("\n")]
        lines += ["", "--%s--" % boundary, ""]
        return "\r\n".join(lines).replace("\r\n", "\n").replace("\n", "\r\n").encode("ascii")


def announcement_mail(mail_from, to, language, kind, title, body, unsubscribe_url, domain,
                      announcement_id=""):
    """One announcement e-mail as a parsed message (for tests and single sends)."""
    mails = AnnouncementMails(mail_from, domain, announcement_id, kind,
                              lambda _: (title, body))
    return email.message_from_bytes(mails.build(to, language, unsubscribe_url),
                                    policy=email.policy.default)


def account_mail(mail_from, to, language, kind, link, domain):
    """An account e-mail (password reset) with its link; no unsubscribe: the person asked for it."""
    by_language = ACCOUNT_PHRASES[kind]
    language = language if language in by_language else "en"
    subject, before, after = by_language[language]
    context = {"subject": subject, "before": before, "after": after, "link": link,
               "language": language}
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message["Content-Language"] = language
    # base64: SMTP lines stay short whatever the language (RFC 5321 limits them to 1,000).
    message.set_content(_environment.get_template("account.txt").render(context), cte="base64")
    message.add_alternative(_environment.get_template("account.html").render(context),
                            subtype="html", cte="base64")
    return message
