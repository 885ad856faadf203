"""Domain errors raised by services; forum.web.errors turns them into 4xx pages or JSON."""
from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str = "", code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        self.fields = dict(fields or {})


class NotFound(DomainError):
    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class ValidationFailed(DomainError):
    """Invalid input; `fields` maps a field name to a list of human messages."""

    status = 422
    code = "invalid"

    def __init__(self, fields: dict[str, list[str] | str], message: str = ""):
        normalised = {k: ([v] if isinstance(v, str) else [str(m) for m in v]) for k, v in fields.items()}
        super().__init__(message or "; ".join(m for ms in normalised.values() for m in ms), fields=normalised)


class AuthenticationFailed(DomainError):
    status = 401
    code = "unauthorized"


class Locked(DomainError):
    """The account is locked for a while (too many wrong passwords)."""

    status = 423
    code = "account_locked"

    def __init__(self, message: str, until):
        super().__init__(message)
        self.until = until


class RateLimited(DomainError):
    """Too soon: try again after `retry_after` seconds."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class PrivateDataFound(ValidationFailed):
    """A post would make private data public. `findings` lists what was found, where, and its
    masked form (never the data itself): [{"field", "kind", "label", "masked"}]. The author may
    send it again asking for the data to be removed, or move it into a private ticket."""

    code = "private_data"

    def __init__(self, fields: dict[str, list[str] | str], findings: list[dict], message: str = ""):
        super().__init__(fields, message)
        self.code = "private_data"
        self.findings = findings
