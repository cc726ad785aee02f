using Ser.Core.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ser.Core.Models.Wav2Vec2;

/// <summary>Multi-head self-attention with HF's key names (<c>q_proj</c>, <c>k_proj</c>, <c>v_proj</c>, <c>out_proj</c>).</summary>
public sealed class Wav2Vec2Attention : nn.Module<Tensor, Tensor?, Tensor>
{
    // Up to this many frames explicit matmul-softmax-matmul is faster on CPU than SDPA (PERFORMANCE.md).
    private const long ExplicitAttentionMaxFrames = 384;

    private readonly Linear q_proj;
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear out_proj;
    private readonly int _heads;
    private readonly double _dropout;

    public Wav2Vec2Attention(int hidden, int heads, double dropout) : base(nameof(Wav2Vec2Attention))
    {
        q_proj = nn.Linear(hidden, hidden);
        k_proj = nn.Linear(hidden, hidden);
        v_proj = nn.Linear(hidden, hidden);
        out_proj = nn.Linear(hidden, hidden);
        (_heads, _dropout) = (heads, dropout);
        RegisterComponents();
    }

    /// <summary>[batch, frames, hidden] with an optional additive key mask [batch, 1, 1, frames].</summary>
    public override Tensor forward(Tensor x, Tensor? keyMask)
    {
        using var scope = NewDisposeScope();
        long batch = x.shape[0], frames = x.shape[1], hidden = x.shape[2], headDim = hidden / _heads;
        Tensor Heads(Tensor t) => t.view(batch, frames, _heads, headDim).transpose(1, 2);
        var q = Heads(q_proj.forward(x));
        var k = Heads(k_proj.forward(x));
        var v = Heads(v_proj.forward(x));
        var dropout = training ? _dropout : 0.0;
        Tensor context;
        if (frames <= ExplicitAttentionMaxFrames && dropout == 0.0)
        {
            var scores = matmul(q.mul(Scalars.Of(1.0 / Math.Sqrt(headDim))), k.transpose(-2, -1));
            if (keyMask is not null) scores = scores.add(keyMask, Scalars.One);
            context = matmul(scores.softmax(-1), v);
        }
        else
        {
            context = nn.functional.scaled_dot_product_attention(q, k, v, keyMask, dropout, is_casual: false);
        }
        return out_proj.forward(context.transpose(1, 2).reshape(batch, frames, hidden)).MoveToOuterDisposeScope();
    }
}
