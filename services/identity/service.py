"""Identity: municipalities, the address register, invitation codes, accounts, sessions and roles.

Entrypoints only: each one validates, asks the domain modules, persists through a dependency and
dispatches the events the domain returned."""
import logging
import time

import eventlet
from nameko.events import EventDispatcher

from contracts import errors, rpc, services
from contracts.caller import RESIDENT, SYSTEM_CALLER, Caller
from servicekit import disclosure, metrics
from servicekit.nameko_extensions import IdempotencyKeys, QuartierService, ServiceRpc
from servicekit.nameko_extensions import rpc as entrypoint
from servicekit.pagination import decode_cursor, encode_cursor, page_limit
from servicekit.suspension import require_not_suspended
from services.identity import (
    account_links, accounts, addresses, api_keys, device_tokens, domain, invitations, passwords, sessions,
    throttle,
)
from services.identity.dependencies import (
    AccessTokens, Accounts, ApiKeys, Attempts, DeviceTokenSecret, Households, InvitationSecret,
    Invitations, LoginLimits, Municipalities, PasswordHashing, PublicUrl, ResetTokens, Sessions,
)
from services.identity.repositories.households import CONFLICT, UPDATED
from services.identity.repositories.invitations import DuplicateCode
from services.identity.throttle import CODE_FAILURES, LOGIN_FAILURES, PASSWORD_CHANGE_FAILURES

log = logging.getLogger(__name__)

LOCATE_TIMEOUT = 20.0
INVITATIONS_PAGE_MAX = 1000


class IdentityService(QuartierService):
    name = services.IDENTITY

    municipalities = Municipalities()
    accounts = Accounts()
    sessions = Sessions()
    attempts = Attempts()
    households = Households()
    invitations = Invitations()
    hashing = PasswordHashing()
    tokens = AccessTokens()
    invitation_secret = InvitationSecret()
    device_token_secret = DeviceTokenSecret()
    client_login_window = LoginLimits()
    keys = ApiKeys()
    idempotency = IdempotencyKeys()
    neighbourhoods = ServiceRpc()
    # Asked whether the person is suspended before they change the name their neighbours read
    # (servicekit/suspension.py).
    moderation = ServiceRpc()
    # Hands the password-reset link to the e-mail channel (contracts.rpc.notification).
    notification = ServiceRpc()
    reset_tokens = ResetTokens()
    public_url = PublicUrl()
    dispatch = EventDispatcher()

    # -- municipalities ----------------------------------------------------------------------

    @entrypoint
    def create_municipality(self, caller, slug, name,
                            activation_threshold=domain.DEFAULT_ACTIVATION_THRESHOLD,
                            languages=domain.DEFAULT_LANGUAGES):
        domain.authorize_municipality_admin(Caller.from_dict(caller))
        candidate = domain.new_municipality(slug, name, activation_threshold, languages)
        stored, created = self.municipalities.add(candidate)
        if not created and not stored.same_definition(candidate):
            raise errors.conflict("a different municipality already uses slug %r" % slug)
        if created:
            metrics.MUNICIPALITIES_CREATED.inc()  # business metric (operations)
        # Dispatched on replays too: if a crash fell between storing and dispatching, the retry
        # still announces it. The event_id is deterministic, so consumers drop the duplicate.
        event, payload = domain.municipality_created(stored)
        self.dispatch(event.name, payload)
        return stored.to_dict()

    @entrypoint
    def get_municipality(self, caller, municipality_id):
        caller = Caller.from_dict(caller)
        found = self.municipalities.get(municipality_id) if isinstance(municipality_id, str) else None
        return domain.visible_municipality(caller, found).to_dict()

    @entrypoint
    def list_municipalities(self, caller, cursor=None, limit=None):
        """The platform sees every municipality; anyone else sees only their own."""
        caller = Caller.from_dict(caller)
        limit = page_limit(limit)
        if not caller.is_system:
            own = self.municipalities.get(caller.municipality_id) if caller.municipality_id else None
            return {"items": [own.to_dict()] if own else [], "next_cursor": None}
        after = decode_cursor(cursor)
        if after is not None and not isinstance(after, str):
            raise errors.invalid("malformed cursor")
        items = self.municipalities.page(after_slug=after, limit=limit + 1)
        more = len(items) > limit
        items = items[:limit]
        return {
            "items": [m.to_dict() for m in items],
            "next_cursor": encode_cursor(items[-1].slug) if more else None,
        }

    def _municipality(self, caller, municipality_id):
        found = self.municipalities.get(municipality_id) if isinstance(municipality_id, str) else None
        return domain.visible_municipality(caller, found)

    # -- sessions ----------------------------------------------------------------------------

    def _start_session(self, account, now, family_id=None):
        refresh_token, record = sessions.new_refresh_token(account.id, now, family_id)
        self.sessions.add(record)
        return refresh_token, record

    def _tokens(self, account, refresh_token, record, now):
        access_token = self.tokens.access_token(account.caller(), now, record.family_id)
        return sessions.token_response(access_token, refresh_token, account)

    def _with_device_token(self, answer, account, now):
        """A client that just proved the password gets a new device token for this account."""
        token, expires_in = device_tokens.issue(self.device_token_secret, account.id, now)
        return dict(answer, device_token=token, device_token_expires_in=expires_in)

    def _refuse_locked(self, buckets, now):
        """429 before any password hashing when a bucket the attempt is judged by is full."""
        for window, key in buckets:
            failures, oldest = self.attempts.window(key, window.since(now))
            try:
                window.refuse_if_exhausted(failures, oldest, now)
            except errors.DomainError:
                metrics.LOGIN_ATTEMPTS.labels(window.locked_outcome).inc()
                raise

    @entrypoint
    def login(self, caller, email, password, device_token=None, client_id=None):
        """Same answer for an unknown e-mail and a wrong password, after the same hashing work.

        A `device_token` this account's earlier login handed out makes the attempt count against
        that token only: 10 failures within 15 minutes lock the token, not the account. Without
        one (or with one not valid for this account), 10 failures within 15 minutes lock the
        account for every client without a device token, and the client address (`client_id`,
        from the gateway) has a limit of its own over all accounts. Locked means refused before
        any hashing, whichever gateway or identity instance the attempts came through."""
        now = time.time()
        email = accounts.normalize_email(email)
        if not email or not isinstance(password, str) or len(password) > passwords.PASSWORD_MAX:
            raise sessions.unauthenticated("wrong e-mail or password")
        account = self.accounts.by_email(email)
        if account is not None and not account.active:
            account = None
        nonce = device_tokens.verified_nonce(self.device_token_secret, device_token,
                                             account.id if account else None, now)
        buckets = throttle.login_buckets(email, nonce, client_id, self.client_login_window)
        self._refuse_locked(buckets, now)
        if account is None:
            matched = self.hashing.verify_against_nothing(password)
        else:
            matched = self.hashing.verify(account.password_hash, password)
        if not matched:
            metrics.LOGIN_ATTEMPTS.labels(throttle.FAILED).inc()
            for _, key in buckets:
                self.attempts.record(key, now)
            raise sessions.unauthenticated("wrong e-mail or password")
        metrics.LOGIN_ATTEMPTS.labels(throttle.SUCCEEDED).inc()
        # The bucket this client is judged by starts afresh; the address's stays (an attacker's
        # own account would otherwise wipe their spraying record).
        self.attempts.clear(buckets[0][1])
        if passwords.needs_rehash(account.password_hash):
            upgraded = accounts.with_changes(account, {"password_hash": self.hashing.hash(password)})
            if self.accounts.replace(upgraded, account.version):
                account = upgraded
        refresh_token, record = self._start_session(account, now)
        return self._with_device_token(self._tokens(account, refresh_token, record, now),
                                       account, now)

    @entrypoint
    def refresh(self, caller, refresh_token):
        """Spend a refresh token for a new pair. A token spent before means the chain leaked:
        the whole chain is revoked, including the newest token its owner holds."""
        now = time.time()
        token_hash = sessions.hash_refresh_token(refresh_token) if isinstance(
            refresh_token, str) and refresh_token else None
        record = self.sessions.get(token_hash) if token_hash else None
        if sessions.refresh_decision(record, now) == sessions.REUSE:
            self.sessions.revoke_family(record.family_id, time.time())
            raise sessions.reuse_refused()
        if not self.sessions.spend(token_hash, now):
            # Someone spent it between our read and our write: that is reuse as well.
            self.sessions.revoke_family(record.family_id, time.time())
            raise sessions.reuse_refused()
        account = self.accounts.get(record.user_id)
        if account is None or not account.active:
            self.sessions.revoke_family(record.family_id, time.time())
            raise sessions.unauthenticated("this account no longer exists")
        new_token, new_record = self._start_session(account, now, family_id=record.family_id)
        # A reuse detected while we were issuing revoked the chain before our token existed.
        if self.sessions.family_revoked(record.family_id):
            self.sessions.revoke_family(record.family_id, time.time())
            raise sessions.reuse_refused()
        return self._tokens(account, new_token, new_record, now)

    @entrypoint
    def logout(self, caller, refresh_token):
        """Ends the chain the token belongs to (every device keeps its own chain). Unknown tokens
        are ignored: logging out twice is not an error."""
        if isinstance(refresh_token, str) and refresh_token:
            record = self.sessions.get(sessions.hash_refresh_token(refresh_token))
            if record is not None:
                self.sessions.revoke_family(record.family_id, time.time())
        return {"logged_out": True}

    @entrypoint
    def revoked_sessions(self, caller, since):
        """Sessions that ended after `since` (logout, refresh-token reuse, password change,
        erasure): gateways poll this to refuse their access tokens at once instead of within the
        15 minutes the tokens live. For the platform's own processes only."""
        if not Caller.from_dict(caller).is_system:
            raise errors.forbidden("for the platform's processes only")
        if isinstance(since, bool) or not isinstance(since, (int, float)):
            raise errors.invalid("since must be a timestamp")
        now = time.time()
        oldest = now - sessions.REVOCATION_WINDOW
        return {"session_ids": self.sessions.revoked_since(max(since, oldest)), "as_of": now}

    # -- accounts ----------------------------------------------------------------------------

    @entrypoint
    def create_staff_account(self, caller, municipality_id, email, role, display_name,
                             language=None, password=None):
        """Admins create city staff and moderators; the platform (system caller: seed, CLI)
        creates admins, the first of each municipality included. Without a password one is
        generated and returned once. Replaying the same creation returns the account."""
        caller = Caller.from_dict(caller)
        accounts.authorize_staff_account(caller, municipality_id, role)
        municipality = self._municipality(caller, municipality_id)
        language = language or municipality.languages[0]
        generated = password is None
        if generated:
            password = accounts.generated_password()
        email = accounts.validate_new_account(email, password, display_name, language)
        existing = self.accounts.by_email(email)
        if existing is not None:
            if (existing.municipality_id, existing.role) == (municipality_id, role):
                return {"account": existing.profile(), "created": False}
            raise errors.conflict("this e-mail already has an account")
        account = accounts.new_account(municipality_id, email, self.hashing.hash(password), role,
                                       display_name, language, time.time())
        if not self.accounts.add(account):
            raise errors.conflict("this e-mail already has an account")
        answer = {"account": account.profile(), "created": True}
        if generated:
            answer["initial_password"] = password
        return answer

    @entrypoint
    def register(self, caller, invitation_code, email, password, display_name, language,
                 client_id=None):
        """A household's code makes an account in that household and neighbourhood. Codes are
        tried at most 5 times per client per hour (failures only); the account fields are
        checked first, so a typo in a password costs no try."""
        now = time.time()
        email = accounts.validate_new_account(email, password, display_name, language)
        key = CODE_FAILURES.key(throttle.client_subject(client_id))
        failures, oldest = self.attempts.window(key, CODE_FAILURES.since(now))
        CODE_FAILURES.refuse_if_exhausted(failures, oldest, now)
        code = invitations.normalize_code(invitation_code)
        code_hash = invitations.code_hash(self.invitation_secret, code) if code else None
        found = self.invitations.by_hash(code_hash) if code_hash else None
        account = self._replayed_registration(found, email, password)
        if account is None:
            try:
                invitation = invitations.require_usable(found, now)
            except errors.DomainError:
                self.attempts.record(key, now)
                raise
            account = self._new_resident(invitation, code_hash, email, password, display_name,
                                         language, now)
            metrics.REGISTRATIONS.labels(account.municipality_id).inc()  # business metric
        event, payload = accounts.user_registered(account)
        self.dispatch(event.name, payload)
        refresh_token, record = self._start_session(account, now)
        return self._with_device_token(self._tokens(account, refresh_token, record, now),
                                       account, now)

    def _replayed_registration(self, invitation, email, password):
        """The account a retried registration already created (same code, e-mail and password):
        the retry answers like the first call and announces the account again (same event id),
        so a crash between storing and dispatching loses nothing."""
        if invitation is None or invitation.status != invitations.USED or not invitation.used_by:
            return None
        account = self.accounts.get(invitation.used_by)
        if account is None or not account.active or account.email != email:
            return None
        return account if self.hashing.verify(account.password_hash, password) else None

    def _new_resident(self, invitation, code_hash, email, password, display_name, language,
                      now):
        household = self.households.get(invitation.municipality_id, invitation.household_id)
        if household is None:
            raise errors.DomainError(errors.UNPROCESSABLE,
                                     "this household is no longer in the address register")
        invitations.require_room_in_household(
            self.accounts.household_adults(household.municipality_id, household.household_id),
            accounts.HOUSEHOLD_ADULT_CAP)
        if self.accounts.by_email(email) is not None:
            raise errors.conflict("this e-mail already has an account",
                                  details={"email": "already registered"})
        account = accounts.new_account(household.municipality_id, email,
                                       self.hashing.hash(password), RESIDENT, display_name,
                                       language, now, household=household)
        if not self.invitations.use(code_hash, account.id, now):
            raise errors.conflict("this invitation code has already been used",
                                  details={"invitation_code": "already used"})
        if not self.accounts.add(account):
            self.invitations.release(code_hash, account.id)
            raise errors.conflict("this e-mail already has an account",
                                  details={"email": "already registered"})
        return account

    def _own_account(self, caller):
        caller = Caller.from_dict(caller)
        accounts.require_user(caller)
        return accounts.require_active(self.accounts.get(caller.user_id))

    @entrypoint
    def get_me(self, caller):
        return self._own_account(caller).profile()

    @entrypoint
    def update_me(self, caller, changes):
        """display_name, language and bio only; any other field refuses the whole change."""
        account = self._own_account(caller)
        changed = accounts.profile_changes(account, changes)
        if not changed:
            return account.profile()
        if "display_name" in changed:
            # The name is published with everything the person wrote; language and bio are
            # theirs alone, so a suspension leaves them free to change.
            require_not_suspended(self.moderation, Caller.from_dict(caller))
        updated = accounts.with_changes(account, changed)
        if not self.accounts.replace(updated, account.version):
            raise errors.conflict("your profile changed meanwhile; read it again and retry")
        event, payload = accounts.user_updated(updated, changed)
        self.dispatch(event.name, payload)
        return updated.profile()

    @entrypoint
    def change_password(self, caller, current_password, new_password):
        """Needs the current password; wrong ones are limited like logins (so this is no side door
        for guessing), in a bucket of the account's own: an attacker locking out untrusted
        login clients does not keep the owner from changing the password. Every session ends,
        this one is replaced by a fresh chain."""
        now = time.time()
        account = self._own_account(caller)
        key = PASSWORD_CHANGE_FAILURES.key(account.id)
        failures, oldest = self.attempts.window(key, PASSWORD_CHANGE_FAILURES.since(now))
        PASSWORD_CHANGE_FAILURES.refuse_if_exhausted(failures, oldest, now)
        if not isinstance(current_password, str) or not self.hashing.verify(
                account.password_hash, current_password):
            self.attempts.record(key, now)
            raise errors.forbidden("the current password is wrong")
        problem = passwords.password_problem(new_password, account.email)
        if problem:
            raise errors.invalid("invalid password", details={"new_password": problem})
        updated = accounts.with_changes(account, {"password_hash": self.hashing.hash(new_password)})
        if not self.accounts.replace(updated, account.version):
            raise errors.conflict("your account changed meanwhile; retry")
        self.sessions.revoke_user(account.id, time.time())
        refresh_token, record = self._start_session(updated, now)
        return self._tokens(updated, refresh_token, record, now)

    @entrypoint
    def mail_recipients(self, caller, user_ids):
        """{user_id: {email, language}} of the active accounts among `user_ids` (at most 1,000),
        for the notification service only: it asks per batch at send time, so addresses never
        ride on events nor sit in a second store."""
        caller = Caller.from_dict(caller)
        if not caller.is_system:
            raise errors.forbidden("for the platform's services")
        if not (isinstance(user_ids, list) and len(user_ids) <= 1000
                and all(isinstance(i, str) for i in user_ids)):
            raise errors.invalid("user_ids: a list of at most 1000 ids")
        found = {}
        for user_id in dict.fromkeys(user_ids):
            account = self.accounts.get(user_id)
            if account is not None and account.active and account.email:
                found[user_id] = {"email": account.email, "language": account.language}
        return found

    def _take_reset_request(self, email, client_id, now):
        """Count this request against the address (hashed) and the client; refuse at a limit.
        The same for every address, so a 429 says nothing about an account."""
        buckets = [(account_links.RESET_REQUESTS_PER_ADDRESS,
                    account_links.RESET_REQUESTS_PER_ADDRESS.key(
                        account_links.address_subject(email)))]
        if client_id:
            buckets.append((account_links.RESET_REQUESTS_PER_CLIENT,
                            account_links.RESET_REQUESTS_PER_CLIENT.key(
                                throttle.client_subject(client_id))))
        for window, key in buckets:
            window.refuse_if_exhausted(*self.attempts.window(key, window.since(now)), now)
        for _, key in buckets:
            self.attempts.record(key, now)

    def _send_reset_mail(self, account, link):
        try:
            self.notification.call(rpc.notification.SEND_ACCOUNT_MAIL, timeout=20,
                                   caller=SYSTEM_CALLER.to_dict(),
                                   kind=account_links.PASSWORD_RESET, to=account.email,
                                   language=account.language, link=link)
        except Exception:
            # The person asks again; the link is never logged.
            log.exception("identity: the password reset e-mail could not be handed over")

    @entrypoint
    def request_password_reset(self, caller, email, client_id=None):
        """The same empty answer whatever the address, and at once: the e-mail to an existing
        account is handed over on a green thread after the answer, so the time taken tells no
        more than the answer. Limited per address and per client address (429)."""
        now = time.time()
        email = accounts.normalize_email(email)
        if not email:
            return {}
        self._take_reset_request(email, client_id, now)
        account = self.accounts.by_email(email)
        if account is None or not account.active:
            return {}
        raw, token_hash = account_links.new_token()
        self.reset_tokens.add(token_hash, account.id, account_links.PASSWORD_RESET,
                              now + account_links.RESET_TTL_SECONDS)
        eventlet.spawn_n(self._send_reset_mail, account,
                         account_links.reset_link(self.public_url, raw))
        return {}

    @entrypoint
    def confirm_password_reset(self, caller, token, password):
        """A new password for the link's account: the token is spent (single use, 30 minutes),
        every other reset link of the account dies and every session ends. A wrong, spent or
        expired token: one answer (invalid)."""
        now = time.time()
        refused = errors.invalid("this password reset link is not valid (used, expired or "
                                 "mistyped): ask for a new one", details={"token": "not valid"})
        if not account_links.readable_token(token):
            raise refused
        if not isinstance(password, str) or len(password) > passwords.PASSWORD_MAX:
            raise errors.invalid("invalid password", details={"password": "a text"})
        token_hash = account_links.hash_token(token)
        # The password is checked before the token is spent, so a weak one costs no link.
        user_id = self.reset_tokens.owner(token_hash, account_links.PASSWORD_RESET, now)
        account = self.accounts.get(user_id) if user_id else None
        if account is None or not account.active:
            raise refused
        problem = passwords.password_problem(password, account.email)
        if problem:
            raise errors.invalid("invalid password", details={"password": problem})
        if self.reset_tokens.spend(token_hash, account_links.PASSWORD_RESET, now) != account.id:
            raise refused
        updated = accounts.with_changes(account, {"password_hash": self.hashing.hash(password)})
        if not self.accounts.replace(updated, account.version):
            raise errors.conflict("your account changed meanwhile; ask for a new link")
        self.reset_tokens.spend_all_of(account.id, account_links.PASSWORD_RESET, now)
        self.sessions.revoke_user(account.id, time.time())
        return {"password_changed": True}

    @entrypoint
    def export_user(self, caller):
        account = self._own_account(caller)
        return accounts.export(
            account, sessions.describe_for_export(self.sessions.of_user(account.id)))

    @entrypoint
    def erase_me(self, caller):
        """GDPR art. 17: the account keeps only its id (so a replay is recognised), sessions and
        the codes it handed out end, and every service hears `user_erased`."""
        caller = Caller.from_dict(caller)
        accounts.require_user(caller)
        account = self.accounts.get(caller.user_id)
        if account is None:
            raise errors.DomainError(errors.UNAUTHENTICATED, "this account no longer exists")
        if account.active:
            tombstone = accounts.erased(account, time.time())
            if not self.accounts.replace(tombstone, account.version):
                raise errors.conflict("your account changed meanwhile; retry")
            # Failed-login counters are keyed by the e-mail address, wrong current passwords by
            # the account: they go too.
            self.attempts.clear(LOGIN_FAILURES.key(account.email))
            self.attempts.clear(PASSWORD_CHANGE_FAILURES.key(account.id))
            account = tombstone
        self.sessions.revoke_user(account.id, time.time())
        self.sessions.forget_user(account.id)
        self.reset_tokens.forget_user(account.id)
        self.invitations.withdraw_issued_by(account.id)
        self.invitations.forget_person(account.id, accounts.ERASED_PERSON)
        event, payload = accounts.user_erased(account)
        self.dispatch(event.name, payload)
        self.finish_erasure()
        return {"erased": True}

    # -- address register --------------------------------------------------------------------

    @entrypoint
    def import_addresses(self, caller, municipality_id, csv_text, first_line=2):
        """Import one CSV chunk (with its header line). Rows are checked one by one; each
        household is placed in its neighbourhood by the neighbourhood service; rows outside
        every polygon are rejected. Re-importing the same rows changes nothing."""
        caller = Caller.from_dict(caller)
        addresses.authorize_import(caller, municipality_id)
        self._municipality(caller, municipality_id)
        if isinstance(first_line, bool) or not isinstance(first_line, int) or first_line < 2:
            raise errors.invalid("first_line must be an integer from 2")
        parsed, rejected = addresses.parse_register(municipality_id, csv_text, first_line)
        received = len(parsed) + len(rejected)
        neighbourhood_ids = []
        for points in addresses.locate_batches(parsed):
            neighbourhood_ids.extend(self.neighbourhoods.call(
                rpc.neighbourhood.LOCATE, timeout=LOCATE_TIMEOUT,
                caller=SYSTEM_CALLER.to_dict(), municipality_id=municipality_id, points=points))
        kept, outside = addresses.placed(parsed, neighbourhood_ids)
        rejected.extend(outside)
        outcomes = self.households.upsert_many([household for _, household in kept])
        for (line, household), outcome in zip(kept, outcomes):
            if outcome == CONFLICT:
                rejected.append(addresses.rejection(
                    line, household.address_id, "address_id already belongs to another household"))
            elif outcome == UPDATED:
                self._follow_household(household)
        return addresses.report(received, outcomes, rejected)

    def _follow_household(self, household):
        """A corrected register entry (street, or a point now in another neighbourhood) carries
        over to the household's members and is announced like any profile change."""
        for account in self.accounts.in_household(household.municipality_id,
                                                  household.household_id):
            changes = accounts.household_changes(account, household)
            if not changes:
                continue
            updated = accounts.with_changes(account, changes)
            if self.accounts.replace(updated, account.version):
                event, payload = accounts.user_updated(updated, changes)
                self.dispatch(event.name, payload)

    # -- invitation letters ------------------------------------------------------------------

    def _issue(self, household, kind, issued_by, now, valid_days, supersede):
        while True:
            code, record = invitations.issue(self.invitation_secret, household.municipality_id,
                                             household.household_id, kind, issued_by, now,
                                             valid_days)
            try:
                self.invitations.add(record, supersede=supersede)
                return code, record
            except DuplicateCode:
                continue

    @entrypoint
    def issue_invitations(self, caller, municipality_id, household_ids=None, reissue=False,
                          valid_days=None, cursor=None, limit=None):
        """Letters for households: the codes in clear, this once (only their hashes are kept).

        With `household_ids`, those households get a new code and any older one stops working
        (a lost letter). Without, the register is walked a page at a time (`cursor`, `limit` up
        to 1000): households whose letter is still pending are skipped unless `reissue`."""
        caller = Caller.from_dict(caller)
        invitations.authorize_issuer(caller, municipality_id)
        self._municipality(caller, municipality_id)
        valid_days = invitations.valid_days_or_default(valid_days)
        now = time.time()
        next_cursor, unknown = None, []
        if household_ids is not None:
            if not isinstance(household_ids, list) or not 1 <= len(household_ids) <= \
                    INVITATIONS_PAGE_MAX or not all(isinstance(h, str) for h in household_ids):
                raise errors.invalid("household_ids: 1 to %d household ids" % INVITATIONS_PAGE_MAX)
            chosen = []
            for household_id in dict.fromkeys(household_ids):
                household = self.households.get(municipality_id, household_id)
                if household is None:
                    unknown.append(household_id)
                else:
                    chosen.append(household)
            reissue = True
        else:
            limit = page_limit(limit, default=INVITATIONS_PAGE_MAX, maximum=INVITATIONS_PAGE_MAX)
            after = decode_cursor(cursor)
            if after is not None and not isinstance(after, str):
                raise errors.invalid("malformed cursor")
            chosen = self.households.page(municipality_id, after=after, limit=limit)
            if len(chosen) == limit:
                next_cursor = encode_cursor(chosen[-1].household_id)
        letters = self.invitations.latest_letters(
            municipality_id, [h.household_id for h in chosen])
        issued, skipped = [], 0
        for household in chosen:
            current = letters.get(household.household_id)
            if not reissue and current is not None and current.pending(now):
                skipped += 1
                continue
            code, record = self._issue(household, invitations.HOUSEHOLD, caller.user_id, now,
                                       valid_days, supersede=True)
            issued.append(invitations.letter(household, code, record))
        return {"letters": issued, "skipped": skipped, "unknown_household_ids": unknown,
                "next_cursor": next_cursor}

    @entrypoint
    def list_invitations(self, caller, municipality_id, cursor=None, limit=None):
        """Each household of the register with the state of its letter (never the code)."""
        caller = Caller.from_dict(caller)
        invitations.authorize_issuer(caller, municipality_id)
        self._municipality(caller, municipality_id)
        limit = page_limit(limit, maximum=INVITATIONS_PAGE_MAX)
        after = decode_cursor(cursor)
        if after is not None and not isinstance(after, str):
            raise errors.invalid("malformed cursor")
        page = self.households.page(municipality_id, after=after, limit=limit + 1)
        more = len(page) > limit
        page = page[:limit]
        letters = self.invitations.latest_letters(municipality_id, [h.household_id for h in page])
        now = time.time()
        return {
            "items": [invitations.household_status(h, letters.get(h.household_id), now)
                      for h in page],
            "next_cursor": encode_cursor(page[-1].household_id) if more else None,
        }

    @entrypoint
    def invite_co_resident(self, caller):
        """A registered adult's code for someone of their household (valid 14 days)."""
        account = self._own_account(caller)
        caller = account.caller()
        now = time.time()
        adults = self.accounts.household_adults(account.municipality_id, account.household_id) \
            if account.household_id else 0
        pending = self.invitations.pending(account.municipality_id, account.household_id,
                                           invitations.CO_RESIDENT, now) \
            if account.household_id else 0
        invitations.authorize_co_resident_invite(caller, adults, pending,
                                                 accounts.HOUSEHOLD_ADULT_CAP)
        household = self.households.get(account.municipality_id, account.household_id)
        if household is None:
            raise errors.DomainError(errors.UNPROCESSABLE,
                                     "your household is no longer in the address register")
        code, record = self._issue(household, invitations.CO_RESIDENT, account.id, now,
                                   invitations.CO_RESIDENT_VALID_DAYS, supersede=False)
        return {"invitation_code": invitations.format_code(code),
                "expires_at": record.expires_at}

    # -- API keys of municipal systems (gRPC) --------------------------------------------------

    @entrypoint
    def create_api_key(self, caller, name, municipality_id=None, idempotency_key=None):
        """A new key for one of the municipality's systems. The key is in this answer only: just
        its hash is stored. A replay under the same Idempotency-Key returns the key's record
        without the key (it is stored nowhere to replay from): revoke that one and create
        another if the first answer was lost."""
        caller = Caller.from_dict(caller)
        municipality_id = municipality_id or caller.municipality_id
        api_keys.authorize_manager(caller, municipality_id)
        self._municipality(caller, municipality_id)
        name = api_keys.check_name(name)
        shown = {}

        def create():
            if self.keys.count(municipality_id) >= api_keys.KEYS_PER_MUNICIPALITY_MAX:
                raise errors.DomainError(
                    errors.UNPROCESSABLE, "a municipality has at most %d API keys, revoked ones "
                    "included" % api_keys.KEYS_PER_MUNICIPALITY_MAX)
            key, record = api_keys.new_key(municipality_id, name, caller.user_id, time.time())
            self.keys.add(record)
            shown["api_key"] = key
            return {"key": record.public()}

        answer = self.idempotency.run(caller, "create_api_key", idempotency_key,
                                      {"name": name, "municipality_id": municipality_id}, create)
        return dict(answer, api_key=shown.get("api_key"))

    @entrypoint
    def list_api_keys(self, caller, municipality_id=None, cursor=None, limit=None):
        """The municipality's keys, revoked ones included, in creation order; never a secret."""
        caller = Caller.from_dict(caller)
        municipality_id = municipality_id or caller.municipality_id
        api_keys.authorize_manager(caller, municipality_id)
        self._municipality(caller, municipality_id)
        limit = page_limit(limit)
        after = decode_cursor(cursor)
        if after is not None and not (
                isinstance(after, list) and len(after) == 2
                and isinstance(after[0], (int, float)) and isinstance(after[1], str)):
            raise errors.invalid("malformed cursor")
        found = self.keys.page(municipality_id, after=after, limit=limit + 1)
        more = len(found) > limit
        found = found[:limit]
        return {"items": [record.public() for record in found],
                "next_cursor": encode_cursor([found[-1].created_at, found[-1].key_id])
                if more else None}

    @entrypoint
    def revoke_api_key(self, caller, key_id):
        """The key stops working at once here; the gRPC process may accept it for a few more
        seconds from its cache (see gateway.grpc.api_keys). Revoking twice is not an error."""
        caller = Caller.from_dict(caller)
        record = self.keys.get(key_id) if isinstance(key_id, str) else None
        if record is None or not (caller.is_system or caller.municipality_id ==
                                  record.municipality_id):
            raise errors.not_found("API key not found")
        api_keys.authorize_manager(caller, record.municipality_id)
        if record.status == api_keys.ACTIVE:
            self.keys.replace_if_active(api_keys.revoked(record, caller.user_id, time.time()))
        return {"key": self.keys.get(key_id).public()}

    @entrypoint
    def authenticate_api_key(self, caller, api_key):
        """Whom a presented key acts for; unauthenticated for a malformed, unknown, wrong or
        revoked one (one answer for all). For the platform's gRPC process only."""
        if not Caller.from_dict(caller).is_system:
            raise errors.forbidden("for the platform's processes only")
        parsed = api_keys.parse(api_key)
        record = self.keys.get(parsed[0]) if parsed else None
        if not api_keys.matches(record, parsed[1] if parsed else "") \
                or record.status != api_keys.ACTIVE:
            raise api_keys.unauthenticated()
        return api_keys.authenticated(record)

    # -- statistics -------------------------------------------------------------------------------

    @entrypoint
    def population_statistics(self, caller, municipality_id=None, small_cell=None):
        """Per neighbourhood: households in the address register, households with at least one
        resident account, and resident accounts. Counts only, for the city's accounts and its
        systems; households and users under the small-cell threshold (`small_cell`, never under
        the platform's 10) are null and named in `suppressed`."""
        caller = Caller.from_dict(caller)
        municipality_id = municipality_id or caller.municipality_id
        domain.authorize_statistics(caller, municipality_id)
        self._municipality(caller, municipality_id)
        register = self.households.count_by_neighbourhood(municipality_id)
        residents = self.accounts.residents_by_neighbourhood(municipality_id)
        return {"municipality_id": municipality_id, "neighbourhoods": domain.population_view(
            register, residents, disclosure.threshold(small_cell))}
