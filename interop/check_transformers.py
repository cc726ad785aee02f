"""Loads the folders Ser.Interop wrote with Hugging Face transformers and torchvision, and compares their logits
with Ser's on the same inputs (max abs difference: wav2vec2 <= 1e-4, resnet18 <= 1e-3, as for the shared fixtures).

With --write-hf OUT it also saves, with transformers' save_pretrained, a randomly initialised model of each wav2vec2
config and its logits on the same inputs, for `Ser.Interop --compare OUT` to load in Ser (the other direction).

Usage: python3 interop/check_transformers.py FOLDER [--devices cpu,cuda] [--write-hf OUT]
Needs torch, torchvision, transformers and safetensors. Exits 1 when a check fails.
"""
import argparse
import json
import os
import sys
import traceback

import torch
import torchvision
import transformers
from safetensors.torch import load_file, save_file
from transformers import AutoFeatureExtractor, Wav2Vec2Config, Wav2Vec2ForSequenceClassification, pipeline

LABELS = ["neutral", "happy", "angry", "sad", "fear", "disgust"]
WAV2VEC2_CASES = ["wav2vec2-base-layout", "wav2vec2-stable-layout"]
failures = []


def report(name, got, want, tolerance):
    diff = (got.float().cpu() - want).abs().max().item()
    ok = diff <= tolerance
    print(f"{'ok  ' if ok else 'FAIL'} {name}: max abs diff {diff:.2e} (tolerance {tolerance:.0e}, "
          f"values up to {want.abs().max().item():.2f}, argmax {'same' if torch.equal(got.cpu().argmax(-1), want.argmax(-1)) else 'differs'})")
    if not ok:
        failures.append(name)


def check_wav2vec2(folder, name, outputs, devices):
    path = os.path.join(folder, name)
    for attention in ("eager", "sdpa"):
        model, info = Wav2Vec2ForSequenceClassification.from_pretrained(
            path, output_loading_info=True, attn_implementation=attention, dtype=torch.float32)
        problems = {k: v for k, v in info.items() if v}
        if problems:
            print(f"FAIL {name}: loading reported {problems}")
            failures.append(f"{name} loading")
        labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
        if labels != LABELS:
            print(f"FAIL {name}: id2label {labels}")
            failures.append(f"{name} labels")
        model.eval()
        inputs, mask = wav2vec2_inputs(model, outputs, name)
        for device in devices:
            model.to(device)
            with torch.inference_mode():
                logits = model(inputs.to(device), attention_mask=None if mask is None else mask.to(device)).logits
            report(f"{name} {attention} {device}", logits, outputs[f"{name}.logits"], 1e-4)


def wav2vec2_inputs(model, outputs, name):
    """Ser's inputs, and the attention mask HF's feature extractor would give (layer-norm models only)."""
    inputs = outputs[f"{name}.input_values"]
    lengths = outputs[f"{name}.sample_lengths"]
    if model.config.feat_extract_norm != "layer":
        return inputs, None
    return inputs, (torch.arange(inputs.shape[1])[None, :] < lengths[:, None]).long()


def check_pipeline(folder, name, outputs, devices):
    """The folder's own feature extractor gives Ser's inputs, and pipeline("audio-classification") Ser's scores."""
    path = os.path.join(folder, name)
    raw, lengths = outputs[f"{name}.raw"], outputs[f"{name}.sample_lengths"]
    clips = [raw[i, :lengths[i]].numpy() for i in range(len(lengths))]
    extractor = AutoFeatureExtractor.from_pretrained(path)
    features = extractor(clips, sampling_rate=16000, padding=True, return_tensors="pt")
    report(f"{name} feature extractor", features["input_values"], outputs[f"{name}.input_values"], 1e-5)
    if extractor.return_attention_mask:
        mask = (torch.arange(raw.shape[1])[None, :] < lengths[:, None]).long()
        same = torch.equal(features["attention_mask"], mask)
        print(f"{'ok  ' if same else 'FAIL'} {name} feature extractor: attention mask {'same' if same else 'differs'}")
        if not same:
            failures.append(f"{name} attention mask")
    want = outputs[f"{name}.logits"][0].softmax(-1)
    for device in devices:
        classify = pipeline("audio-classification", model=path, device=device, top_k=None)
        scores = {s["label"]: s["score"] for s in classify({"raw": clips[0], "sampling_rate": 16000})}
        report(f"{name} pipeline {device}", torch.tensor([scores[label] for label in LABELS]), want, 1e-5)


def check_resnet(folder, name, outputs, devices):
    with open(os.path.join(folder, name, "ser-resnet.json")) as f:
        description = json.load(f)
    model = torchvision.models.resnet18(num_classes=len(description["labels"]))
    model.conv1 = torch.nn.Conv2d(description["in_channels"], 64, 7, 2, 3, bias=False)
    state = load_file(os.path.join(folder, name, "model.safetensors"))
    result = model.load_state_dict(state, strict=True)
    print(f"ok   {name}: torchvision load_state_dict(strict=True) {result}")
    model.eval()
    for device in devices:
        model.to(device)
        with torch.inference_mode():
            logits = model(outputs[f"{name}.input"].to(device))
        report(f"{name} {device}", logits, outputs[f"{name}.logits"], 1e-3)


def write_hf(folder, outputs, out):
    """A model transformers itself initialised and saved, with its logits, for Ser to load."""
    logits = {}
    for name in WAV2VEC2_CASES:
        torch.manual_seed(7)
        model = Wav2Vec2ForSequenceClassification(Wav2Vec2Config.from_pretrained(os.path.join(folder, name))).eval()
        with torch.no_grad():
            for p in model.parameters():
                p.add_(0.1 * p.std() * torch.randn_like(p) if p.dim() > 1 else 0.05 * torch.randn_like(p))
            model.classifier.weight.mul_(30)
        model.save_pretrained(os.path.join(out, name))
        inputs, mask = wav2vec2_inputs(model, outputs, name)
        with torch.inference_mode():
            logits[f"{name}.logits"] = model(inputs, attention_mask=mask).logits.contiguous()
    save_file(logits, os.path.join(out, "hf-outputs.safetensors"), metadata={"transformers": transformers.__version__})
    print(f"wrote {sorted(os.listdir(out))} to {out}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--devices", default="cpu,cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--write-hf", metavar="OUT")
    args = parser.parse_args()
    # Full float32 on the GPU: TF32 would be a looser comparison than the fixtures'.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, transformers {transformers.__version__}, "
          f"devices {args.devices}" + (f" ({torch.cuda.get_device_name()})" if torch.cuda.is_available() else ""))
    outputs = load_file(os.path.join(args.folder, "ser-outputs.safetensors"))
    devices = args.devices.split(",")
    checks = [(check, name) for name in WAV2VEC2_CASES for check in (check_wav2vec2, check_pipeline)]
    checks.append((check_resnet, "resnet18"))
    for check, name in checks:
        try:
            check(args.folder, name, outputs, devices)
        except Exception:
            traceback.print_exc()
            failures.append(f"{name} raised")
    if args.write_hf:
        write_hf(args.folder, outputs, args.write_hf)
    print(f"{len(failures)} failed" + (f": {', '.join(failures)}" if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
