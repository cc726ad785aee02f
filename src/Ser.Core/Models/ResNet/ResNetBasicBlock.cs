using Ser.Core.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ser.Core.Models.ResNet;

/// <summary>torchvision's BasicBlock: two 3×3 convs with batch norm, identity or 1×1-conv shortcut
/// (<c>downsample.0</c> conv, <c>downsample.1</c> batch norm).</summary>
public sealed class ResNetBasicBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly SafeBatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly SafeBatchNorm2d bn2;
    private readonly Sequential? downsample;

    public ResNetBasicBlock(int inPlanes, int planes, int stride) : base(nameof(ResNetBasicBlock))
    {
        conv1 = nn.Conv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false);
        bn1 = new SafeBatchNorm2d(planes);
        conv2 = nn.Conv2d(planes, planes, 3, stride: 1, padding: 1, bias: false);
        bn2 = new SafeBatchNorm2d(planes);
        if (stride != 1 || inPlanes != planes)
            downsample = nn.Sequential(nn.Conv2d(inPlanes, planes, 1, stride: stride, bias: false), new SafeBatchNorm2d(planes));
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = nn.functional.relu(bn1.forward(conv1.forward(input)));
        x = bn2.forward(conv2.forward(x));
        var shortcut = downsample is null ? input : downsample.forward(input);
        return nn.functional.relu(x.add_(shortcut, Scalars.One)).MoveToOuterDisposeScope();
    }
}
