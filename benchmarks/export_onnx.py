#!/usr/bin/python3
"""The ONNX Runtime peer of the model benchmark: the same two models, exported from PyTorch.

Writes into OUT (default benchmarks/onnx/, ignored by git; never commit the files):
  wav2vec2-base/           Hugging Face folder (config.json, model.safetensors with the 6-class head), loaded by Ser
  wav2vec2-base.onnx       the same weights: input_values [batch, samples] -> logits [batch, 6]
  resnet18.safetensors     torchvision resnet18, 1-channel stem, 6 classes (torchvision key names), loaded by Ser
  resnet18.onnx            the same weights: log-mel [batch, 1, 128, frames] -> logits [batch, 6]
  versions.json            what exported them

Needs Debian's python3-torch python3-torchaudio python3-torchvision python3-onnx (apt install; no pip):
  /usr/bin/python3 benchmarks/export_onnx.py [OUT]
Weights are random but seeded (the benchmark checks that Ser and ONNX Runtime agree on them, not accuracy).
The safetensors writer is inline (8-byte header length, JSON header, raw bytes) so nothing else is needed."""
import json, os, struct, sys
import numpy as np
import torch, torchaudio, torchvision, onnx
from torchaudio.models import wav2vec2_model

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "onnx")
OPSET = 14
LABELS = ["neutral", "happy", "angry", "sad", "fear", "disgust"]


def save_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for k in sorted(tensors):
        t = tensors[k].detach().contiguous().cpu()
        code = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        b = t.numpy().tobytes()
        header[k] = {"dtype": code, "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b); off += len(b)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h))); f.write(h)
        for b in blobs: f.write(b)
    os.replace(tmp, path)


def export(model, example, path, input_name, dynamic):
    tmp = path + ".tmp"
    torch.onnx.export(model, example, tmp, input_names=[input_name], output_names=["logits"],
                      dynamic_axes={input_name: dynamic, "logits": {0: "batch"}}, opset_version=OPSET, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(tmp))
    os.replace(tmp, path)


class Wav2Vec2Classifier(torch.nn.Module):
    """HF Wav2Vec2ForSequenceClassification's eval forward: backbone -> projector -> mean over frames -> classifier."""

    def __init__(self, backbone, hidden, projection):
        super().__init__()
        self.backbone = backbone
        self.projector = torch.nn.Linear(hidden, projection)
        self.classifier = torch.nn.Linear(projection, len(LABELS))

    def forward(self, input_values):
        conv, _ = self.backbone.feature_extractor(input_values, None)
        hidden = self.backbone.encoder(conv, None)
        return self.classifier(self.projector(hidden).mean(1))


def wav2vec2_base():
    # facebook/wav2vec2-base's architecture (torchaudio's wav2vec2_base: group-norm conv stack, post-LN encoder).
    conv_dim, conv_kernel, conv_stride = [512] * 7, [10, 3, 3, 3, 3, 2, 2], [5, 2, 2, 2, 2, 2, 2]
    hidden, layers, heads, inter, pos_k, pos_g, projection = 768, 12, 12, 3072, 128, 16, 256
    config = {
        "model_type": "wav2vec2", "architectures": ["Wav2Vec2ForSequenceClassification"],
        "feat_extract_norm": "group", "do_stable_layer_norm": False, "conv_bias": False,
        "conv_dim": conv_dim, "conv_kernel": conv_kernel, "conv_stride": conv_stride,
        "feat_extract_activation": "gelu", "hidden_act": "gelu", "hidden_size": hidden,
        "num_hidden_layers": layers, "num_attention_heads": heads, "intermediate_size": inter,
        "num_conv_pos_embeddings": pos_k, "num_conv_pos_embedding_groups": pos_g, "layer_norm_eps": 1e-5,
        "hidden_dropout": 0.0, "attention_dropout": 0.0, "activation_dropout": 0.0, "feat_proj_dropout": 0.0,
        "final_dropout": 0.0, "layerdrop": 0.0, "classifier_proj_size": projection, "num_labels": len(LABELS),
        "use_weighted_layer_sum": False,
        "id2label": {str(i): l for i, l in enumerate(LABELS)}, "label2id": {l: i for i, l in enumerate(LABELS)},
    }
    backbone = wav2vec2_model(
        extractor_mode="group_norm", extractor_conv_layer_config=list(zip(conv_dim, conv_kernel, conv_stride)),
        extractor_conv_bias=False, encoder_embed_dim=hidden, encoder_projection_dropout=0.0,
        encoder_pos_conv_kernel=pos_k, encoder_pos_conv_groups=pos_g, encoder_num_layers=layers,
        encoder_num_heads=heads, encoder_attention_dropout=0.0, encoder_ff_interm_features=inter,
        encoder_ff_interm_dropout=0.0, encoder_dropout=0.0, encoder_layer_norm_first=False,
        encoder_layer_drop=0.0, aux_num_out=None)
    model = Wav2Vec2Classifier(backbone, hidden, projection).eval()
    weights = {}
    for k, v in backbone.feature_extractor.state_dict().items(): weights["wav2vec2.feature_extractor." + k] = v
    for k, v in backbone.encoder.feature_projection.state_dict().items(): weights["wav2vec2.feature_projection." + k] = v
    for k, v in backbone.encoder.transformer.state_dict().items(): weights["wav2vec2.encoder." + k] = v
    for name in ("projector", "classifier"):
        for k, v in getattr(model, name).state_dict().items(): weights[f"{name}.{k}"] = v
    folder = os.path.join(OUT, "wav2vec2-base")
    os.makedirs(folder, exist_ok=True)
    save_safetensors(os.path.join(folder, "model.safetensors"), weights)
    with open(os.path.join(folder, "config.json"), "w") as f: json.dump(config, f, indent=2)
    torch.nn.utils.remove_weight_norm(backbone.encoder.transformer.pos_conv_embed.conv)  # one plain weight in the graph
    export(model, torch.randn(1, 48000), os.path.join(OUT, "wav2vec2-base.onnx"), "input_values", {0: "batch", 1: "samples"})


def resnet18():
    model = torchvision.models.resnet18(num_classes=len(LABELS))
    model.conv1 = torch.nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
    with torch.no_grad():  # non-trivial batch norms, as after training (fresh ones are the identity)
        for name, b in model.named_buffers():
            if name.endswith("running_mean"): b.copy_(torch.randn_like(b) * 0.1)
            if name.endswith("running_var"): b.copy_(torch.rand_like(b) * 0.5 + 0.75)
    model.eval()
    save_safetensors(os.path.join(OUT, "resnet18.safetensors"), dict(model.state_dict()))
    export(model, torch.randn(1, 1, 128, 301), os.path.join(OUT, "resnet18.onnx"), "input", {0: "batch", 3: "frames"})


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(2026)
    np.random.seed(2026)
    wav2vec2_base()
    resnet18()
    versions = {"torch": torch.__version__, "torchaudio": torchaudio.__version__, "torchvision": torchvision.__version__,
                "onnx": onnx.__version__, "opset": OPSET}
    with open(os.path.join(OUT, "versions.json"), "w") as f: json.dump(versions, f, indent=2)
    print("exported to", OUT, versions)
