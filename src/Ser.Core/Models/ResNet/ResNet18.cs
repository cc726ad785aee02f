using Ser.Core.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ser.Core.Models.ResNet;

/// <summary>torchvision's resnet18 with its state-dict names (<c>conv1</c>, <c>bn1</c>, <c>layer1.0.conv1</c> … <c>fc</c>),
/// built for 1 or 3 input channels and an optional narrower width (the <c>resnet18-tiny</c> preset).</summary>
public sealed class ResNet18 : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly SafeBatchNorm2d bn1;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly Linear fc;

    public ResNet18(int numClasses, int inChannels = 1, int baseWidth = 64) : base(nameof(ResNet18))
    {
        if (inChannels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "1 or 3 channels.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numClasses);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(baseWidth);
        (InChannels, BaseWidth, NumClasses) = (inChannels, baseWidth, numClasses);
        conv1 = nn.Conv2d(inChannels, baseWidth, 7, stride: 2, padding: 3, bias: false);
        bn1 = new SafeBatchNorm2d(baseWidth);
        layer1 = Stage(baseWidth, baseWidth, 1);
        layer2 = Stage(baseWidth, baseWidth * 2, 2);
        layer3 = Stage(baseWidth * 2, baseWidth * 4, 2);
        layer4 = Stage(baseWidth * 4, baseWidth * 8, 2);
        fc = nn.Linear(baseWidth * 8, numClasses);
        RegisterComponents();
        InitializeWeights();
    }

    public int InChannels { get; }

    public int BaseWidth { get; }

    public int NumClasses { get; }

    /// <summary>[batch, channels, mels, frames] → logits [batch, classes].</summary>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || input.shape[1] != InChannels)
            throw new ArgumentException($"Expected [batch, {InChannels}, mels, frames], got [{string.Join(", ", input.shape)}].");
        using var scope = NewDisposeScope();
        var x = nn.functional.relu(bn1.forward(conv1.forward(ChannelsLastInTraining(input))));
        x = nn.functional.max_pool2d(x, 3, 2, 1);
        x = layer4.forward(layer3.forward(layer2.forward(layer1.forward(x))));
        x = nn.functional.adaptive_avg_pool2d(x, [1, 1]).flatten(1);
        return fc.forward(x).MoveToOuterDisposeScope();
    }

    // Under autograd on the CPU an input laid out channels-last makes libtorch run every layer channels-last (oneDNN's
    // NHWC convolutions, vectorised batch norm and max pooling; the weights stay as they are): a training step at batch
    // 32 of 3 s windows on AMD Zen 5 took 294-370 against 436-495 ms forward in fp32, 171-182 against 264-315 in bf16,
    // backward unchanged. Inference runs FusedResNet18 instead, and float64 stays as it is (oneDNN has none).
    private static Tensor ChannelsLastInTraining(Tensor input) =>
        is_grad_enabled() && input.device_type == DeviceType.CPU && input.dtype is ScalarType.Float32 or ScalarType.BFloat16
            ? ChannelsLast.Copy(input) : input;

    private static Sequential Stage(int inPlanes, int planes, int stride) =>
        nn.Sequential(new ResNetBasicBlock(inPlanes, planes, stride), new ResNetBasicBlock(planes, planes, 1));

    // torchvision's init: Kaiming-normal (fan_out, relu) convs, BN weight 1 / bias 0; Linear keeps PyTorch's default.
    private void InitializeWeights()
    {
        using var guard = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            if (p.dim() == 4) nn.init.kaiming_normal_(p, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
            else if (name.Contains("bn", StringComparison.Ordinal) || name.Contains("downsample.1", StringComparison.Ordinal))
                _ = name.EndsWith(".weight", StringComparison.Ordinal) ? p.fill_(Scalars.OfInteger(1)) : p.zero_();
        }
    }
}
