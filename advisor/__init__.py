"""cnadvisor: ranks container-network options against a system's requirements."""

from .hookspecs import API_VERSION, hookimpl
from .profile import SolutionProfile

__version__ = "0.1.0"

__all__ = ["API_VERSION", "SolutionProfile", "__version__", "hookimpl"]
