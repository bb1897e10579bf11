"""Identity's DependencyProviders: its repositories, password hashing off the event loop, the
token signing key, the invitation-code and device-token secrets and the login limits. All I/O and key loading happens in setup()."""
import os
from dataclasses import replace

from eventlet import tpool
from nameko.extensions import DependencyProvider

from servicekit import keyfiles
from servicekit.config import var_dir
from servicekit.nameko_extensions import RepositoryProvider
from servicekit.tokens import issue_access_token, load_private_key
from services.identity import passwords, throttle
from services.identity.repositories.api_keys import MongoApiKeys, SqliteApiKeys
from services.identity.repositories.accounts import MongoAccounts, SqliteAccounts
from services.identity.repositories.attempts import MongoAttempts, SqliteAttempts
from services.identity.repositories.households import MongoHouseholds, SqliteHouseholds
from services.identity.repositories.invitations import MongoInvitations, SqliteInvitations
from services.identity.repositories.reset_tokens import MongoResetTokens, SqliteResetTokens
from services.identity.repositories.sessions import MongoSessions, SqliteSessions
from services.identity.repository import MongoMunicipalities, SqliteMunicipalities

INVITATION_SECRET_FILE = os.path.join("keys", "invitation-hmac.key")
DEVICE_TOKEN_SECRET_FILE = os.path.join("keys", "device-token-hmac.key")


class Municipalities(RepositoryProvider):
    sqlite_adapter = SqliteMunicipalities
    mongo_adapter = MongoMunicipalities


class ApiKeys(RepositoryProvider):
    sqlite_adapter = SqliteApiKeys
    mongo_adapter = MongoApiKeys


class Accounts(RepositoryProvider):
    sqlite_adapter = SqliteAccounts
    mongo_adapter = MongoAccounts


class Sessions(RepositoryProvider):
    sqlite_adapter = SqliteSessions
    mongo_adapter = MongoSessions


class ResetTokens(RepositoryProvider):
    sqlite_adapter = SqliteResetTokens
    mongo_adapter = MongoResetTokens


class PublicUrl(DependencyProvider):
    """The web app's address, for the links identity has e-mailed (QUARTIER_PUBLIC_URL)."""

    def setup(self):
        self.url = str(self.container.config.get("PUBLIC_URL") or "http://127.0.0.1:8080")

    def get_dependency(self, worker_ctx):
        return self.url


class Attempts(RepositoryProvider):
    sqlite_adapter = SqliteAttempts
    mongo_adapter = MongoAttempts


class Households(RepositoryProvider):
    sqlite_adapter = SqliteHouseholds
    mongo_adapter = MongoHouseholds


class Invitations(RepositoryProvider):
    sqlite_adapter = SqliteInvitations
    mongo_adapter = MongoInvitations


class _Hashing:
    """argon2id costs ~50 ms of CPU and 19 MiB; run on the hub it would freeze every other worker
    (and the AMQP heartbeat) meanwhile, so it runs in eventlet's thread pool."""

    @staticmethod
    def hash(password):
        return tpool.execute(passwords.hash_password, password)

    @staticmethod
    def verify(stored_hash, password):
        return tpool.execute(passwords.verify_password, stored_hash, password)

    @staticmethod
    def verify_against_nothing(password):
        return tpool.execute(passwords.verify_against_nothing, password)


class PasswordHashing(DependencyProvider):
    def get_dependency(self, worker_ctx):
        return _Hashing


class _Signer:
    def __init__(self, private_key):
        self._private_key = private_key

    def access_token(self, caller, now, session_id):
        return issue_access_token(self._private_key, caller, now=now, session_id=session_id)


class AccessTokens(DependencyProvider):
    """Signs access tokens with the private key (QUARTIER_JWT_PRIVATE_KEY or var/keys/)."""

    def setup(self):
        self.signer = _Signer(load_private_key(var_dir(self.container.config)))

    def get_dependency(self, worker_ctx):
        return self.signer


def load_secret(config, name, filename):
    """An HMAC key: `name` from the configuration (the environment) in production, else 32
    random bytes generated once into var/keys/`filename`."""
    return keyfiles.configured_or_generated_secret(config, name, var_dir(config), filename)


def load_invitation_secret(config):
    """The HMAC key for invitation codes (QUARTIER_INVITATION_CODE_SECRET or var/keys/)."""
    return load_secret(config, "INVITATION_CODE_SECRET", INVITATION_SECRET_FILE)


class InvitationSecret(DependencyProvider):
    def setup(self):
        self.secret = load_invitation_secret(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.secret


class DeviceTokenSecret(DependencyProvider):
    """The HMAC key of device tokens (QUARTIER_DEVICE_TOKEN_SECRET or var/keys/): every identity
    instance must share it, or a token from one is a stranger to the others."""

    def setup(self):
        self.secret = load_secret(self.container.config, "DEVICE_TOKEN_SECRET",
                                  DEVICE_TOKEN_SECRET_FILE)

    def get_dependency(self, worker_ctx):
        return self.secret


class LoginLimits(DependencyProvider):
    """The per-client-address login window, its limit from LOGIN_FAILURES_PER_CLIENT (0: off)."""

    def setup(self):
        limit = self.container.config.get("LOGIN_FAILURES_PER_CLIENT")
        limit = throttle.CLIENT_LOGIN_FAILURES.limit if limit in (None, "") else int(limit)
        if limit < 0:
            raise ValueError("LOGIN_FAILURES_PER_CLIENT must be 0 (off) or more, not %d" % limit)
        self.client_window = replace(throttle.CLIENT_LOGIN_FAILURES, limit=limit)

    def get_dependency(self, worker_ctx):
        return self.client_window
