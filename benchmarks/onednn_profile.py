#!/usr/bin/python3
"""Per-forward oneDNN time by primitive kind and kernel, from ONEDNN_VERBOSE=1 output on stdin (README, Benchmarks):

  ONEDNN_VERBOSE=1 ONEDNN_VERBOSE_TIMESTAMP=1 dotnet run -c Release --project benchmarks/Ser.Benchmarks -- --repeats 1 \
    --no-training --only resnet18 | /usr/bin/python3 benchmarks/onednn_profile.py

A forward starts at each convolution with one input channel (the first layer of both models). With timestamps (each
line's start time) it also prints the time between one primitive's end and the next one's start: libtorch's work
around oneDNN (dispatch, allocation, descriptors, its own kernels such as max-pooling, layer norm, softmax), the three
largest gaps with the primitive they precede. Printing each line costs a few µs of that."""
import collections
import re
import sys

forwards = []
for line in sys.stdin:
    if not line.startswith("onednn_verbose") or ",exec," not in line:
        continue
    f = line.strip().split(",")
    start = None
    if re.fullmatch(r"\d+\.\d+", f[2]):  # ONEDNN_VERBOSE_TIMESTAMP=1 inserts the start time (ms) here
        start = float(f.pop(2))
    kind, kernel, shape, ms = f[5], f[6], f[-2], float(f[-1])
    if kind == "convolution" and re.search(r"(^|_)ic1oc", shape):
        batch = re.match(r"mb(\d+)", shape)
        forwards.append({"name": f"batch {batch.group(1) if batch else '?'}, {'bf16' if 'bf16' in f[8] else 'fp32'}",
                         "kinds": collections.Counter(), "gaps": [], "end": None})
    if not forwards:
        continue
    forward = forwards[-1]
    forward["kinds"][f"{kind} {kernel}"] += ms
    if start is not None:
        if forward["end"] is not None:
            forward["gaps"].append((start - forward["end"], f"{kind} {shape}"))
        forward["end"] = start + ms
for forward in forwards:
    print(f"{forward['name']}: {sum(forward['kinds'].values()):.1f} ms in oneDNN")
    for key, ms in forward["kinds"].most_common():
        print(f"  {ms:8.2f} ms  {key}")
    gaps = forward["gaps"]
    if gaps:
        print(f"  {sum(g for g, _ in gaps):8.2f} ms  between primitives ({len(gaps)} gaps, median "
              f"{sorted(g for g, _ in gaps)[len(gaps) // 2] * 1000:.0f} µs); largest before:")
        for gap, before in sorted(gaps, reverse=True)[:3]:
            print(f"  {gap:8.2f} ms    {before}")
