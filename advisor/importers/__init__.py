"""Importing cluster measurements (knb, k8s-netperf, iperf3, netperf, sockperf) and
planning the runs that would settle a decision."""
