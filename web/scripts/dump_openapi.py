"""Print the gateway's OpenAPI document as JSON, built in-process from the route declarations
(no broker, no running service): what /api/v1/openapi.json serves."""
import json
import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

import gateway.http.app  # noqa: E402,F401  (importing the app registers every route)
from gateway.http.api import api  # noqa: E402
from gateway.http.openapi import build_document  # noqa: E402

json.dump(build_document(api.operations), sys.stdout, indent=2, ensure_ascii=False,
          sort_keys=True)
sys.stdout.write("\n")
