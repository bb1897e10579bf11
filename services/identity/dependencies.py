from servicekit.nameko_extensions import RepositoryProvider
from services.identity.repository import MongoMunicipalities, SqliteMunicipalities


class Municipalities(RepositoryProvider):
    sqlite_adapter = SqliteMunicipalities
    mongo_adapter = MongoMunicipalities
