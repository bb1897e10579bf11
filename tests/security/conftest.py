"""Security regression tests: each abuse tried through the gateway (or gRPC) against the whole
platform, named after the abuse, with the defence it proves listed in docs/security.md. They run
in the e2e pytest process and share its session platform (fixtures in tests/conftest.py).
"""
