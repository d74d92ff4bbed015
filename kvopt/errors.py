"""The exceptions kvopt raises for bad input and infeasible schedules.

Every error that a user can cause (a malformed file, an invalid instance, a schedule
that breaks a rule) is a :class:`KvoptError`. The command-line interface turns these
into a one-line message and a non-zero exit code; anything else is a bug.
"""

from __future__ import annotations

from typing import Any


class KvoptError(Exception):
    """Base class of every error kvopt raises for bad input."""


def _rebuild(cls: type, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Exception:
    """Unpickle an error whose constructor takes keyword-only fields."""
    return cls(*args, **kwargs)


def _location(file: str | None, request: str | None, field: str | None) -> str:
    parts = []
    if file:
        parts.append(str(file))
    if request is not None:
        parts.append(f"request {request!r}")
    if field:
        parts.append(f"field {field!r}")
    return ": ".join(parts)


class InstanceError(KvoptError, ValueError):
    """An instance (or one of its requests) breaks a rule of the model.

    Parameters
    ----------
    message
        What is wrong, e.g. ``"must be an integer >= 1, got 0"``.
    file
        The file the instance was loaded from, when there is one.
    request
        The id of the offending request, when the error concerns one.
    field
        The offending field (``"prompt"``, ``"memory"``, ...).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        request: str | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.request = request
        self.field = field
        super().__init__(self._render())

    def _render(self) -> str:
        where = _location(self.file, self.request, self.field)
        return f"{where}: {self.message}" if where else self.message

    def __reduce__(self) -> tuple[Any, ...]:  # pickled across worker processes
        return (_rebuild, (type(self), (self.message,), self._fields()))

    def _fields(self) -> dict[str, Any]:
        return {"file": self.file, "request": self.request, "field": self.field}

    def with_file(self, file: str) -> InstanceError:
        """Return the same error, located in ``file``."""
        return type(self)(self.message, file=file, request=self.request, field=self.field)


class FormatError(KvoptError, ValueError):
    """A file is not valid JSON, or does not have the documented shape.

    Parameters
    ----------
    message
        What is wrong.
    file
        The file.
    location
        Where in the file: a JSON path such as ``requests[3].prompt`` or
        ``line 4 column 7``.
    """

    def __init__(self, message: str, *, file: str | None = None, location: str | None = None):
        self.message = message
        self.file = file
        self.location = location
        where = ": ".join(p for p in (file, location) if p)
        super().__init__(f"{where}: {message}" if where else message)

    def __reduce__(self) -> tuple[Any, ...]:  # pickled across worker processes
        return (
            _rebuild,
            (type(self), (self.message,), {"file": self.file, "location": self.location}),
        )


class OutputError(KvoptError):
    """An output file or directory cannot be written (bad path, no permission, full disk).

    Parameters
    ----------
    message
        What went wrong, e.g. ``"cannot create the directory: a file is in the way"``.
    file
        The path that could not be written.
    """

    def __init__(self, message: str, *, file: str | None = None) -> None:
        self.message = message
        self.file = file
        super().__init__(f"{file}: {message}" if file else message)

    def __reduce__(self) -> tuple[Any, ...]:  # pickled across worker processes
        return (_rebuild, (type(self), (self.message,), {"file": self.file}))


class Violation:
    """One broken rule found by the verifier.

    Attributes
    ----------
    kind
        A short machine-readable name: ``"memory"``, ``"early-start"``, ``"overlap"``,
        ``"missing"``, ``"incomplete"``, ``"run-too-long"``, ``"empty-run"``,
        ``"multiple-complete"``, ``"complete-not-last"``, ``"eviction"``,
        ``"unknown-request"``.
    message
        A sentence a person can act on.
    request
        The request concerned, if any.
    round
        The round concerned, if any (round ``t`` is the interval ``(t-1, t]``).
    amount
        For memory violations, the tokens above the limit.
    """

    __slots__ = ("kind", "message", "request", "round", "amount")

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        request: str | None = None,
        round: int | None = None,
        amount: int | None = None,
    ) -> None:
        self.kind = kind
        self.message = message
        self.request = request
        self.round = round
        self.amount = amount

    def as_dict(self) -> dict[str, Any]:
        """The violation as a plain dictionary."""
        return {s: getattr(self, s) for s in self.__slots__}

    def __repr__(self) -> str:
        return f"Violation({self.kind!r}, {self.message!r})"

    def __str__(self) -> str:
        return self.message


class ScheduleError(KvoptError):
    """A schedule breaks at least one rule; ``violations`` lists them all.

    Parameters
    ----------
    violations
        The violations, the most important first.
    """

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = list(violations)
        first = self.violations[0].message if self.violations else "infeasible schedule"
        more = len(self.violations) - 1
        suffix = f" (and {more} more violation{'s' if more > 1 else ''})" if more > 0 else ""
        super().__init__(first + suffix)

    def __reduce__(self) -> tuple[Any, ...]:  # pickled across worker processes
        return (type(self), (self.violations,))


class SolverError(KvoptError):
    """A solver backend returned an answer that kvopt's own checks reject.

    For example a schedule that the verifier finds infeasible, a claimed objective that
    is not the schedule's, or a proven bound above a verified objective. The input was
    fine; the answer is wrong (typically numerical trouble inside the solver), so the
    command line reports it with exit code 1, not 2.
    """
