using Ser.Core.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ser.Core.Models.Wav2Vec2;

/// <summary>Multi-head self-attention with HF's key names (<c>q_proj</c>, <c>k_proj</c>, <c>v_proj</c>, <c>out_proj</c>).</summary>
public sealed class Wav2Vec2Attention : nn.Module<Tensor, Tensor?, Tensor>
{
    // Up to this many frames explicit matmul-softmax-matmul is faster on CPU than SDPA in float32 (PERFORMANCE.md); in
    // bfloat16 it is faster at every length (libtorch's bf16 SDPA on CPU: 47 ms a layer at 30 s, explicit 35; Zen 4).
    // Longer clips in float32 without autograd take the measured choice (UsesExplicitAttention).
    private const long ExplicitAttentionMaxFrames = 384;

    // Frames of the one-time measurement of explicit attention against SDPA: a 30 s clip's.
    private const long MeasuredFrames = 1500;

    // The one-time measurement of Ser's attention kernel on short clips: a 3 s clip's frames, where its lead over
    // libtorch's attention is widest (bf16 on AMD Zen 5: 0.37 against 0.50 ms a layer at 149 frames, a tie at 384),
    // and as many items as make a turn last a few milliseconds, so the VM's jitter does not decide.
    private const long KernelMeasuredShortFrames = 149;
    private const long KernelMeasuredShortItems = 4;

    // Explicit attention runs in blocks of queries whose scores hold at most this many elements (32 MiB in bf16), so
    // its memory stays bounded at any length.
    private const long ScoresPerBlock = 16L << 20;

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
        var (q, k, v) = Project(x);
        var dropout = training ? _dropout : 0.0;
        var context = dropout == 0.0 && UsesKernel(q, k, v, keyMask)
            ? AttentionKernel.Forward(q, k, v, keyMask, _heads)
            : OnLibTorch(q, k, v, keyMask, dropout);
        return LinearKernel.Forward(out_proj, context).MoveToOuterDisposeScope();
    }

    /// <summary><see cref="forward"/> on Ser's attention kernel whatever was measured faster (tests, benchmarks).</summary>
    /// <exception cref="InvalidOperationException">The kernel does not run this call (<see cref="AttentionKernel.Supports"/>).</exception>
    public Tensor ForwardOnKernel(Tensor x, Tensor? keyMask)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = NewDisposeScope();
        var (q, k, v) = Project(x);
        return LinearKernel.Forward(out_proj, AttentionKernel.Forward(q, k, v, keyMask, _heads)).MoveToOuterDisposeScope();
    }

    private (Tensor Q, Tensor K, Tensor V) Project(Tensor x) =>
        (LinearKernel.Forward(q_proj, x), LinearKernel.Forward(k_proj, x), LinearKernel.Forward(v_proj, x));

    // Projections [batch, frames, hidden] → context [batch, frames, hidden] with libtorch's operators.
    private Tensor OnLibTorch(Tensor qp, Tensor kp, Tensor vp, Tensor? keyMask, double dropout)
    {
        long batch = qp.shape[0], frames = qp.shape[1], hidden = qp.shape[2], headDim = hidden / _heads;
        Tensor Heads(Tensor t) => t.view(batch, frames, _heads, headDim).transpose(1, 2);
        var (q, k, v) = (Heads(qp), Heads(kp), Heads(vp));
        var context = (dropout == 0.0 ? UsesExplicitAttention(q, k, v) : DropsOnKernel(q))
            ? ExplicitAttention(q, k, v, keyMask, dropout)
            : nn.functional.scaled_dot_product_attention(q, k, v, keyMask, dropout, is_casual: false);
        return context.transpose(1, 2).reshape(batch, frames, hidden);
    }

    // Ser's attention kernel (no score matrix kept, no libtorch operator between its products) where it runs and was
    // measured faster than libtorch's attention at this length class, once per process (MeasuredChoice).
    private bool UsesKernel(Tensor q, Tensor k, Tensor v, Tensor? keyMask)
    {
        if (!AttentionKernel.Supports(q, k, v, keyMask, _heads)) return false;
        var isShort = q.shape[1] <= ExplicitAttentionMaxFrames;
        Tensor Sample(Tensor t) => isShort
            ? MeasuredChoice.Repeated(MeasuredChoice.FirstItemRepeated(t, 1, KernelMeasuredShortFrames), 0, KernelMeasuredShortItems)
            : MeasuredChoice.FirstItemRepeated(t, 1, MeasuredFrames);
        return MeasuredChoice.PrefersSecond(
            $"wav2vec2 attention {_heads}x{AttentionKernel.HeadSize} {q.dtype} kernel {(isShort ? "short" : "long")}",
            () => stack([Sample(q), Sample(k), Sample(v)]),
            p => OnLibTorch(p[0], p[1], p[2], null, 0.0), p => AttentionKernel.Forward(p[0], p[1], p[2], null, _heads));
    }

    // SDPA streams the scores (flash attention) and keeps none for the backward pass, so it stays for long clips under
    // autograd and off the CPU. Without autograd on the CPU which is faster depends on the CPU (AMD Zen 5, 30 s clip:
    // SDPA 49 ms a layer, explicit attention in blocks of queries 32; 400 frames: 14 against 2.4): measured once a process.
    private bool UsesExplicitAttention(Tensor q, Tensor k, Tensor v)
    {
        if (q.shape[2] <= ExplicitAttentionMaxFrames || q.dtype == ScalarType.BFloat16) return true;
        if (is_grad_enabled() || q.device_type != DeviceType.CPU) return false;
        return MeasuredChoice.PrefersSecond($"wav2vec2 attention {_heads}x{q.shape[3]} {q.dtype} long", () => Sample(q, k, v),
            p => nn.functional.scaled_dot_product_attention(Query(p), Key(p), Value(p), null, 0.0, is_casual: false),
            p => ExplicitAttention(Query(p), Key(p), Value(p), null));
    }

    // Training on the CPU: explicit attention whose probabilities take Ser's dropout (SDPA's draws its mask on one
    // thread, DropoutKernel), where the scores it keeps for the backward pass are no larger than SDPA's math form keeps.
    private static bool DropsOnKernel(Tensor q) => q.shape[2] <= ExplicitAttentionMaxFrames && DropoutKernel.Supports(q);

    // q, k and v's first item, [3, 1, frames, heads, headDim], repeated along time to MeasuredFrames; Query, Key and Value
    // view it as the projections' [1, heads, frames, headDim] views.
    private static Tensor Sample(Tensor q, Tensor k, Tensor v)
    {
        var packed = stack([q[..1].transpose(1, 2), k[..1].transpose(1, 2), v[..1].transpose(1, 2)]);
        var repeats = (MeasuredFrames + q.shape[2] - 1) / q.shape[2];
        return packed.repeat(1, 1, repeats, 1, 1).narrow(2, 0, MeasuredFrames);
    }

    private static Tensor Query(Tensor packed) => packed[0].transpose(1, 2);

    private static Tensor Key(Tensor packed) => packed[1].transpose(1, 2);

    private static Tensor Value(Tensor packed) => packed[2].transpose(1, 2);

    /// <summary>Queries per block of <see cref="ExplicitAttention"/>: as many as keep the block's scores within
    /// <see cref="ScoresPerBlock"/> elements, at least one.</summary>
    private static long QueryBlock(long batch, long heads, long frames) =>
        Math.Clamp(ScoresPerBlock / Math.Max(1, batch * heads * frames), 1, Math.Max(1, frames));

    // dropout(softmax(q·kᵀ/√d + mask))·v, [batch, heads, frames, headDim], one block of queries at a time.
    private static Tensor ExplicitAttention(Tensor q, Tensor k, Tensor v, Tensor? keyMask, double dropout = 0.0)
    {
        long batch = q.shape[0], heads = q.shape[1], frames = q.shape[2];
        var scale = Scalars.Of(1.0 / Math.Sqrt(q.shape[3]));
        var keys = k.transpose(-2, -1);
        Tensor Block(Tensor queries)
        {
            var scores = matmul(queries.mul(scale), keys);
            if (keyMask is not null) scores = scores.add_(keyMask, Scalars.One);
            // Ser's softmax where it runs: libtorch's can fall 16x slower for as long as a page stays aged (SoftmaxKernel).
            var probabilities = SoftmaxKernel.Supports(scores) ? SoftmaxKernel.ForwardInPlace(scores) : scores.softmax(-1);
            return matmul(dropout > 0.0 ? DropoutKernel.Forward(probabilities, dropout, training: true) : probabilities, v);
        }
        var block = QueryBlock(batch, heads, frames);
        if (block >= frames) return Block(q);
        var parts = new List<Tensor>();
        for (long start = 0; start < frames; start += block)
            parts.Add(Block(q.narrow(2, start, Math.Min(block, frames - start))));
        return cat(parts, 2);
    }
}
