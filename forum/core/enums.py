"""Enums that people see: a status, a tier, a kind, each member with a translated title.

Each member declares its value and its title once, side by side::

    class Priority(TitledEnum):
        LOW = "low", _l("Low")
        HIGH = "high", _l("High")

The value (the first item) is what the database, the API, URLs and forms hold; the title is a lazy
string, translated into the reader's language whenever `.title` is read. Members are `str`s as
before: `Priority.LOW == "low"`, `Priority("low") is Priority.LOW`, and JSON writes "low".

A member may carry more than a title (a badge's description and level): the items after the title
go to the subclass's `__init__`, which keeps them under names of its own.
"""
from __future__ import annotations

import enum


class TitledEnum(str, enum.Enum):
    """A `str` enum whose members are declared as `NAME = "value", _l("Title"), *details`."""

    def __new__(cls, value: str, title, *_details):
        member = str.__new__(cls, value)
        member._value_ = value
        member._title = title
        return member

    @property
    def title(self) -> str:
        """The member's label in the current locale (a plain str, ready for a template or a form)."""
        return str(self._title)
