"""End-to-end tests: the whole platform (six services, HTTP gateway, gRPC server) as real
processes on free ports, in a temporary var dir and a vhost of its own on the machine's RabbitMQ.
Its fixtures (`rabbit_admin`, `platform`, `healthy_platform`) live in tests/conftest.py, shared
with tests/security.

Not eventlet-patched, on purpose: the test process is a plain client (requests, grpcio, the pika
RPC client), as real users of the platform are.
"""
