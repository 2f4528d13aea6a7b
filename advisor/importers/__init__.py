"""Importing cluster measurements (knb, k8s-netperf, iperf3, netperf, sockperf) and planning runs."""
