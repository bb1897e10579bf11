"""Tiny infrastructure shared by Quartier's processes: configuration, stores, metrics, logging and
the RPC client. Nothing domain-specific lives here."""

VERSION = "0.1.0"
