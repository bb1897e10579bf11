"""The helper search projection: one port (HelperIndex), two adapters held to the same contract
tests (tests/unit/test_helper_search_contract.py): tantivy, embedded, the default (files under
var/<service>/helper-index), and Elasticsearch, for production (ELASTICSEARCH_URL).

The index holds ids and search terms only; the profiles themselves stay in the service's store,
which is the truth the index is rebuilt from (services.neighbourhood.reindex)."""
import os

from services.neighbourhood.search.port import HelperIndex, SearchQuery  # noqa: F401


def open_index(config, service_name):
    """Elasticsearch when ELASTICSEARCH_URL is set (config or environment), else tantivy."""
    url = config.get("ELASTICSEARCH_URL") or os.environ.get("ELASTICSEARCH_URL")
    if url:
        from services.neighbourhood.search.elastic import ElasticHelperIndex

        prefix = config.get("ELASTICSEARCH_INDEX_PREFIX") or os.environ.get(
            "ELASTICSEARCH_INDEX_PREFIX", "quartier")
        return ElasticHelperIndex(url, prefix + "-helpers")
    from servicekit.config import var_dir
    from services.neighbourhood.search.embedded import shared_tantivy_index

    return shared_tantivy_index(os.path.join(var_dir(config), service_name, "helper-index"))
