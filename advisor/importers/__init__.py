"""Importing cluster measurements (knb, k8s-netperf, iperf3, netperf, sockperf) and
planning the runs that would settle a decision."""

from __future__ import annotations


def imported_rows() -> list:
    """Every imported row (``BenchmarkRow``), validated like the shipped data; the store is
    loaded only when asked, so importing this package stays cheap on the evaluate path."""
    from .store import imported_rows as rows

    return rows()
