# TorchScript, in the form torch.jit.save writes a module's code (Runtime/TorchScriptArchive loads it). ResNet18 with
# batch norm folded, on the operators PyTorch's Inductor uses for CPU convolutions: weights packed by oneDNN for the
# input size, activations channels-last, bias, ReLU and the residual add fused into each convolution; the 1x1
# downsamples are plain matrix products (see downsample).
# w and b: conv1, then per block conv1, conv2 and (first block of stages 2-4) downsample, as FusedResNet18 orders them.
class ResNet18OneDnn(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  def forward(self: __torch__.ResNet18OneDnn,
    x: Tensor,
    w: List[Tensor],
    b: List[Tensor],
    fc_w: Tensor,
    fc_b: Tensor) -> Tensor:
    none = annotate(List[Optional[number]], [])
    x = torch.contiguous(x, memory_format=2)
    x = ops.mkldnn._convolution_pointwise(x, w[0], b[0], [3, 3], [2, 2], [1, 1], 1, "relu", none, None)
    x = torch.max_pool2d(x, [3, 3], [2, 2], [1, 1], [1, 1], False)
    i = 1
    for stage in range(4):
      for block in range(2):
        s = 2 if stage > 0 and block == 0 else 1
        h = ops.mkldnn._convolution_pointwise(x, w[i], b[i], [1, 1], [s, s], [1, 1], 1, "relu", none, None)
        if s == 2:
          x = self.downsample(x, w[i + 2], b[i + 2])
        # In place on the shortcut (its own tensor, never the caller's input): 3-4 % faster than a new output here.
        x = ops.mkldnn._convolution_pointwise_(x, h, w[i + 1], b[i + 1], [1, 1], [1, 1], [1, 1], 1, "add", None, "relu", none, None)
        i = i + (3 if s == 2 else 2)
    x = torch.flatten(torch.adaptive_avg_pool2d(x, [1, 1]), 1)
    return torch.linear(x, fc_w, fc_b)
  def downsample(self: __torch__.ResNet18OneDnn,
    x: Tensor,
    w: Tensor,
    b: Tensor) -> Tensor:
    # The 1x1 stride-2 shortcut as every other pixel times an [out, in] matrix, not oneDNN's 1x1 convolution: on AMD
    # Zen 5 that kernel (brgconv_1x1, 256 -> 512 channels, small maps) returns wrong sums (relative error 0.3).
    # addmm on the gathered [pixels, in] rows: as fast as that kernel, where linear on the strided view was 2-9x slower.
    s = torch.contiguous(torch.permute(torch.slice(torch.slice(x, 2, 0, None, 2), 3, 0, None, 2), [0, 2, 3, 1]))
    y = torch.addmm(b, torch.flatten(s, 0, 2), torch.t(w))
    return torch.permute(torch.view(y, [torch.size(s, 0), torch.size(s, 1), torch.size(s, 2), torch.size(w, 0)]), [0, 3, 1, 2])
  def pack(self: __torch__.ResNet18OneDnn,
    w: List[Tensor],
    n: int,
    h: int,
    wd: int) -> List[Tensor]:
    packed = annotate(List[Tensor], [])
    c = torch.size(w[0], 1)
    packed.append(self.pack_one(w[0], 3, 2, n, c, h, wd))
    h = (h - 1) // 2 + 1
    wd = (wd - 1) // 2 + 1
    h = (h - 1) // 2 + 1
    wd = (wd - 1) // 2 + 1
    c = torch.size(w[0], 0)
    i = 1
    for stage in range(4):
      for block in range(2):
        s = 2 if stage > 0 and block == 0 else 1
        oh = (h - 1) // s + 1
        ow = (wd - 1) // s + 1
        oc = torch.size(w[i], 0)
        packed.append(self.pack_one(w[i], 1, s, n, c, h, wd))
        packed.append(self.pack_one(w[i + 1], 1, 1, n, oc, oh, ow))
        if s == 2:
          packed.append(torch.flatten(w[i + 2], 1))
        i = i + (3 if s == 2 else 2)
        h = oh
        wd = ow
        c = oc
    return packed
  def pack_one(self: __torch__.ResNet18OneDnn,
    w: Tensor,
    padding: int,
    stride: int,
    n: int,
    c: int,
    h: int,
    wd: int) -> Tensor:
    return torch.mkldnn_reorder_conv2d_weight(torch.to_mkldnn(w), [padding, padding], [stride, stride], [1, 1], 1, [n, c, h, wd])
