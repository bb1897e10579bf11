"""Who is calling: passed with every RPC so the service that owns the data decides what they may do.

The gateway builds it from a verified access token (or leaves it anonymous); services trust it
because only the gateway, the gRPC process and other services can publish on the broker.
"""
from dataclasses import asdict, dataclass
from typing import Optional

RESIDENT = "resident"
CITY_STAFF = "city_staff"
MODERATOR = "moderator"
ADMIN = "admin"
# Internal callers: the demo seed, CLIs and other services acting on their own behalf.
SYSTEM = "system"
# A municipality's own systems (register, GIS, ticketing) over gRPC, authenticated by an API key
# of that municipality: accepted where city staff are for the municipal operations, never a
# person (no profile, no feed of its own) and never a resident.
MUNICIPAL_SYSTEM = "municipal_system"

ROLES = (RESIDENT, CITY_STAFF, MODERATOR, ADMIN)


@dataclass(frozen=True)
class Caller:
    user_id: Optional[str] = None
    role: Optional[str] = None
    municipality_id: Optional[str] = None
    neighbourhood_id: Optional[str] = None
    household_id: Optional[str] = None

    @property
    def is_anonymous(self):
        return self.user_id is None and self.role is None

    @property
    def is_system(self):
        return self.role == SYSTEM

    def belongs_to(self, municipality_id):
        return self.is_system or (
            self.municipality_id is not None and self.municipality_id == municipality_id
        )

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        if not data:
            return ANONYMOUS
        if not isinstance(data, dict):
            raise TypeError("caller must be a dict")
        known = {k: data.get(k) for k in cls.__dataclass_fields__}
        return cls(**known)


ANONYMOUS = Caller()
SYSTEM_CALLER = Caller(user_id="system", role=SYSTEM)
