"""A stand-in for the gateway's RPC client in route tests: answers each RpcMethod from a script
(a value, a DomainError to raise, or a function of the call's kwargs) and records every call."""
from contracts.errors import DomainError


class _Answer:
    def __init__(self, value=None, error=None):
        self.value, self.error = value, error

    def result(self):
        if self.error:
            raise self.error
        return self.value


class ScriptedRpc:
    def __init__(self):
        self.answers, self.calls = {}, []

    def call_async(self, method, timeout=None, request_id=None, **kwargs):
        self.calls.append((method, kwargs))
        answer = self.answers.get(method, {})
        if isinstance(answer, DomainError):
            return _Answer(error=answer)
        try:
            return _Answer(value=answer(**kwargs) if callable(answer) else answer)
        except DomainError as exc:
            return _Answer(error=exc)

    def call(self, method, timeout=None, request_id=None, **kwargs):
        return self.call_async(method, timeout, request_id, **kwargs).result()

    def methods(self):
        return [method for method, _ in self.calls]
