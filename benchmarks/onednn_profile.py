#!/usr/bin/python3
"""Per-forward oneDNN time by primitive kind and kernel, from ONEDNN_VERBOSE=1 output on stdin (README, Benchmarks):

  ONEDNN_VERBOSE=1 dotnet run -c Release --project benchmarks/Ser.Benchmarks -- --repeats 1 --no-training --only resnet18 \
    | /usr/bin/python3 benchmarks/onednn_profile.py

A forward starts at each convolution with one input channel (the first layer of both models). Time outside oneDNN
(libtorch's own kernels: layer norm, softmax, GELU, adds) is the forward's wall time minus the total printed here."""
import collections
import re
import sys

forwards = []
for line in sys.stdin:
    if not line.startswith("onednn_verbose") or ",exec," not in line:
        continue
    f = line.strip().split(",")
    kind, kernel, shape, ms = f[5], f[6], f[-2], float(f[-1])
    if kind == "convolution" and re.search(r"(^|_)ic1oc", shape):
        batch = re.match(r"mb(\d+)", shape)
        forwards.append((f"batch {batch.group(1) if batch else '?'}, {'bf16' if 'bf16' in f[8] else 'fp32'}", collections.Counter()))
    if forwards:
        forwards[-1][1][f"{kind} {kernel}"] += ms
for name, kinds in forwards:
    print(f"{name}: {sum(kinds.values()):.1f} ms in oneDNN")
    for key, ms in kinds.most_common():
        print(f"  {ms:8.2f} ms  {key}")
