"""What an e-mail says, in the reader's language: subject lines and the fixed sentences around
the content (fr, de, en, nl, pt, lb written; any other language reads English), rendered by
Jinja2 templates with HTML autoescaping, so a title can never inject markup."""
import os
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


def announcement_mail(mail_from, to, language, kind, title, body, unsubscribe_url, domain,
                      announcement_id=""):
    """The e-mail of one announcement to one reader, with RFC 8058 one-click unsubscribe."""
    words = phrases(language)
    context = {"words": words, "title": title, "body": body,
               "urgent": kind == "urgent_announcement", "unsubscribe_url": unsubscribe_url,
               "language": language if language in PHRASES else "en"}
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = to
    heading = words["urgent"] if context["urgent"] else words["announcement"]
    message["Subject"] = _header_safe("%s: %s" % (heading, title))
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    # Lets a reader's mail rules, and support, tell which announcement a message came from.
    if announcement_id:
        message["X-Quartier-Announcement"] = announcement_id
    message["Content-Language"] = context["language"]
    message["List-Unsubscribe"] = "<%s>" % unsubscribe_url
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(_environment.get_template("announcement.txt").render(context))
    message.add_alternative(_environment.get_template("announcement.html").render(context),
                            subtype="html")
    return message


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
    message.set_content(_environment.get_template("account.txt").render(context))
    message.add_alternative(_environment.get_template("account.html").render(context),
                            subtype="html")
    return message
