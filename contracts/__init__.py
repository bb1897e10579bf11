"""The shared language of Quartier's processes: service names, RPC methods, events, error codes,
the caller passed with every call, and the gRPC protos.

Plain Python only: nothing here imports nameko, a service or the gateway, so every process can
depend on it without dragging in another's machinery.
"""
