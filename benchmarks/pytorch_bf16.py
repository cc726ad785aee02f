#!/usr/bin/python3
"""PyTorch's own bf16 against its own fp32 on the benchmark's wav2vec2-base, on this CPU, at the benchmark's thread
count: how far bf16 can take these shapes here without Ser (issue 15's bf16 target). Turns alternate fp32 and bf16
with a pause before each forward, as the model benchmark does; prints the medians and bf16 / fp32.

  /usr/bin/python3 benchmarks/pytorch_bf16.py [--threads 2] [--repeats 9]

Needs torch and torchaudio. Debian 12's python3-torch (1.13) multiplies fp32 on a generic reference BLAS (10.8 s
for a 3 s clip on AMD Zen 5, against Ser's 0.15 s), so there its fp32 column means nothing (the script warns): use a
PyTorch wheel, whose fp32 runs on MKL or oneDNN. Weights are random: speed only."""
import argparse, copy, statistics, time
import torch
from torchaudio.models import wav2vec2_model

CASES = [("3 s, batch 1", 1, 48_000), ("3 s, batch 8", 8, 48_000), ("30 s, batch 1", 1, 480_000)]


def wav2vec2_base():
    # facebook/wav2vec2-base's shapes, as export_onnx.py builds them (its 256-wide projector and 6-class head).
    backbone = wav2vec2_model(
        extractor_mode="group_norm", extractor_conv_layer_config=list(zip([512] * 7, [10, 3, 3, 3, 3, 2, 2], [5, 2, 2, 2, 2, 2, 2])),
        extractor_conv_bias=False, encoder_embed_dim=768, encoder_projection_dropout=0.0, encoder_pos_conv_kernel=128,
        encoder_pos_conv_groups=16, encoder_num_layers=12, encoder_num_heads=12, encoder_attention_dropout=0.0,
        encoder_ff_interm_features=3072, encoder_ff_interm_dropout=0.0, encoder_dropout=0.0,
        encoder_layer_norm_first=False, encoder_layer_drop=0.0, aux_num_out=None)
    torch.nn.utils.remove_weight_norm(backbone.encoder.transformer.pos_conv_embed.conv)  # a plain weight, as exported
    head = torch.nn.Sequential(torch.nn.Linear(768, 256), torch.nn.Linear(256, 6))
    return backbone.eval(), head.eval()


def forward(model, x):
    backbone, head = model
    hidden, _ = backbone(x)
    return head(hidden).mean(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    fp32 = wav2vec2_base()
    bf16 = tuple(copy.deepcopy(m).to(torch.bfloat16) for m in fp32)  # the same weights, rounded
    cpu = getattr(torch.backends, "cpu", None)
    isa = cpu.get_cpu_capability() if cpu is not None and hasattr(cpu, "get_cpu_capability") else "n/a"
    print(f"torch {torch.__version__}, {args.threads} threads, CPU capability {isa}")
    if "BLAS_INFO=generic" in torch.__config__.show():
        print("warning: this PyTorch multiplies fp32 on a generic reference BLAS: its fp32 times are not PyTorch's best")
    print("| case | PyTorch fp32 ms/clip | PyTorch bf16 ms/clip | bf16 / fp32 | max |Δ logit| |")
    print("|---|---|---|---|---|")
    with torch.inference_mode():
        for name, batch, samples in CASES:
            x = torch.randn(batch, samples) * 0.1
            contenders = [(fp32, x), (bf16, x.to(torch.bfloat16))]
            outputs = [forward(m, i).float() for m, i in contenders]  # untimed: oneDNN compiles its kernels
            times = [[], []]
            for _ in range(args.repeats):
                for k, (m, i) in enumerate(contenders):
                    time.sleep(0.05)
                    start = time.perf_counter()
                    forward(m, i)
                    times[k].append((time.perf_counter() - start) * 1000 / batch)
            a, b = (statistics.median(t) for t in times)
            print(f"| {name} | {a:.1f} | {b:.1f} | {b / a:.2f} | {(outputs[0] - outputs[1]).abs().max().item():.2e} |")


if __name__ == "__main__":
    main()
