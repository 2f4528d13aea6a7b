"""cnadvisor: ranks container-network options against a system's requirements."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["API_VERSION", "SolutionProfile", "__version__", "hookimpl"]

if TYPE_CHECKING:
    from .hookspecs import API_VERSION, hookimpl
    from .profile import SolutionProfile


def __getattr__(name: str) -> Any:
    """The public names, imported when first used: the questionnaire and `init` need
    neither pluggy nor the profile models, and start faster without them."""
    if name in ("API_VERSION", "hookimpl"):
        from . import hookspecs

        return getattr(hookspecs, name)
    if name == "SolutionProfile":
        from .profile import SolutionProfile

        return SolutionProfile
    raise AttributeError(f"module 'cnadvisor' has no attribute {name!r}")
