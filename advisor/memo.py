"""Values worked out from objects a batch meets again and again, kept by object identity.

A batch hands the same frozen objects around file after file (one option's profile, a
cached prediction, a shared finding), so what is worked out from them can be kept by
their ids: cheaper than hashing what they hold, and exact.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")
Owner = TypeVar("Owner")


class IdentityMemo(Generic[Value]):
    """Values kept per tuple of objects, by the objects' ids and an optional ``extra`` key.
    Each entry holds its objects, so no other object can take one of their ids while the
    entry lives: a key found is always the same objects. At ``limit`` entries every entry
    is dropped (a long batch must not grow memory); callers pass their module's limit."""

    def __init__(self) -> None:
        self._kept: dict[Hashable, tuple[tuple[object, ...], Value]] = {}

    def __len__(self) -> int:
        return len(self._kept)

    def get(
        self,
        owners: tuple[object, ...],
        make: Callable[[], Value],
        limit: int,
        extra: Hashable = None,
    ) -> Value:
        key = (extra, *map(id, owners))
        kept = self._kept.get(key)
        if kept is not None:
            return kept[1]
        return self._keep(key, owners, make(), limit)

    def of(
        self, owner: Owner, make: Callable[[Owner], Value], limit: int, extra: Hashable = None
    ) -> Value:
        """``get((owner,), lambda: make(owner), ...)`` without building the tuple and the
        lambda: most memos have one owner, and are asked a few hundred times per file."""
        key = (extra, id(owner))
        kept = self._kept.get(key)
        if kept is not None:
            return kept[1]
        return self._keep(key, (owner,), make(owner), limit)

    def _keep(self, key: Hashable, owners: tuple[object, ...], value: Value, limit: int) -> Value:
        if len(self._kept) >= limit:
            self._kept.clear()
        self._kept[key] = (owners, value)
        return value
