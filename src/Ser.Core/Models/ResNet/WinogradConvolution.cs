using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ser.Core.Runtime;
using static TorchSharp.torch;

namespace Ser.Core.Models.ResNet;

/// <summary>A 3×3, stride 1, padding 1 convolution over channels-last (NHWC) float32 maps by Winograd's F(2×2, 3×3):
/// each 2×2 block of outputs (a tile) is Aᵀ[Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B)]A, 16 products per input channel where the
/// direct convolution makes 36. The sums over input channels are 16 matrix products on the 6 × 64 register block of
/// <see cref="RegisterBlock"/>. The transforms' factors are ±1 and ½ and the weights' are made in float64, so the
/// error stays that of a float32 convolution (ResNet18's logits: 1.6× libtorch's error against float64). On AMD Zen 5
/// each of ResNet18's 3×3 stride-1 layers took 0.45-0.6× the direct kernel's time. Tiles are taken in blocks whose
/// transformed inputs and products stay in the core's L2 cache; each output is summed by one thread in a fixed order,
/// so the result does not depend on the thread count.</summary>
internal sealed unsafe class WinogradConvolution : INhwcConvolution
{
    private const int Group = DirectConvolution.Group;

    // Transformed positions per tile (4 × 4).
    private const int Positions = 16;

    // Tiles per call of the product kernel.
    private const int Rows = RegisterBlock.Rows;

    // Tiles per block: at 128 channels its transformed inputs and products take 2 × 16 × 24 × 128 floats (384 KB).
    private const int BlockTiles = 24;

    private readonly float* _weights;
    private readonly float* _bias;
    private bool _disposed;

    /// <param name="weight">[out, in, 3, 3] float32, out a multiple of 64 and in of 16.</param>
    /// <param name="bias">[out] float32.</param>
    public WinogradConvolution(Tensor weight, Tensor bias)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(bias);
        if (!Supports(weight, 1, 1) || bias.dim() != 1 || bias.shape[0] != weight.shape[0])
            throw new ArgumentException($"Expected [out, in, 3, 3] weights with out a multiple of {Group} and in of 16 and [out] biases, got [{string.Join(", ", weight.shape)}].", nameof(weight));
        (Out, In) = ((int)weight.shape[0], (int)weight.shape[1]);
        using var dense = weight.to(ScalarType.Float64).contiguous();
        using var denseBias = bias.to(ScalarType.Float32).contiguous();
        var w = dense.data<double>().ToArray();
        var b = denseBias.data<float>().ToArray();
        _weights = (float*)NativeMemory.AlignedAlloc((nuint)((long)Positions * In * Out * sizeof(float)), 64);
        _bias = (float*)NativeMemory.AlignedAlloc((nuint)(Out * sizeof(float)), 64);
        b.CopyTo(new Span<float>(_bias, Out));
        Span<double> u = stackalloc double[Positions];
        for (var o = 0; o < Out; o++)
            for (var c = 0; c < In; c++)
            {
                TransformKernel(new ReadOnlySpan<double>(w, ((o * In) + c) * 9, 9), u);
                for (var p = 0; p < Positions; p++) _weights[WeightIndex(p, o / Group, c) + (o % Group)] = (float)u[p];
            }
    }

    /// <summary>Whether a folded layer is one this kernel runs: 3×3, stride 1, padding 1, out a multiple of 64, in of 16.</summary>
    public static bool Supports(Tensor weight, long stride, long padding) =>
        DirectConvolution.IsSupported && weight.dim() == 4 && weight.shape[2] == 3 && weight.shape[3] == 3 && stride == 1
        && padding == 1 && weight.shape[0] % Group == 0 && weight.shape[1] % Avx512Lanes.Count == 0;

    public int In { get; }
    public int Out { get; }

    public (int Height, int Width) OutputSize(int height, int width) => (height, width);

    // Weights as [position][group of 64 outputs][input][64], so the product kernel reads one position's group in order.
    private long WeightIndex(int position, int group, int c) => ((((long)position * (Out / Group)) + group) * In + c) * Group;

    // G g Gᵀ with G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1], in float64, rounded once.
    private static void TransformKernel(ReadOnlySpan<double> g, Span<double> u)
    {
        Span<double> t = stackalloc double[12];
        for (var j = 0; j < 3; j++)
        {
            var (g0, g1, g2) = (g[j], g[3 + j], g[6 + j]);
            (t[j], t[3 + j], t[6 + j], t[9 + j]) = (g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2);
        }
        for (var i = 0; i < 4; i++)
        {
            var (t0, t1, t2) = (t[3 * i], t[(3 * i) + 1], t[(3 * i) + 2]);
            (u[4 * i], u[(4 * i) + 1], u[(4 * i) + 2], u[(4 * i) + 3]) = (t0, (t0 + t1 + t2) / 2, (t0 - t1 + t2) / 2, t2);
        }
    }

    // A block's transformed inputs and products, per thread.
    public long ScratchFloats(int threads) => (long)Math.Max(1, threads) * PerWorker;

    private long PerWorker => (long)Positions * BlockTiles * (In + Out);

    public void Run(float* x, int batch, int height, int width, float* y, float* residual, bool relu, int threads, float* scratch)
    {
        if (scratch == null) throw new ArgumentNullException(nameof(scratch));
        var map = new Map(height, width, (height + 1) / 2, (width + 1) / 2);
        var total = (long)batch * map.TilesHigh * map.TilesWide;
        var blocks = (int)((total + BlockTiles - 1) / BlockTiles);
        // Fewer blocks than threads (the last stage at batch 1: 10 tiles) split their groups of outputs too; each part
        // transforms the block's inputs itself.
        var groups = Out / Group;
        var parts = Math.Clamp(((2 * threads) + blocks - 1) / blocks, 1, groups);
        var items = blocks * parts;
        var workers = Math.Clamp(threads, 1, items);
        var (input, output, shortcut, memory) = ((nint)x, (nint)y, (nint)residual, (nint)scratch);
        var next = -1;
        void Worker(int worker)
        {
            var mine = (float*)memory + (worker * PerWorker);
            for (var item = Interlocked.Increment(ref next); item < items; item = Interlocked.Increment(ref next))
            {
                var (block, part) = (item / parts, item % parts);
                var first = (long)block * BlockTiles;
                Block((float*)input, map, first, (int)Math.Min(BlockTiles, total - first), part * groups / parts,
                    (part + 1) * groups / parts, mine, (float*)output, (float*)shortcut, relu);
            }
        }
        if (workers == 1)
            Worker(0);
        else
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, Worker);
    }

    private readonly record struct Map(int Height, int Width, int TilesHigh, int TilesWide)
    {
        // Image, top row and left column of a tile's 2 × 2 outputs.
        public (long Image, int Row, int Column) Tile(long tile)
        {
            var perImage = (long)TilesHigh * TilesWide;
            var (image, within) = (tile / perImage, (int)(tile % perImage));
            return (image, within / TilesWide * 2, within % TilesWide * 2);
        }
    }

    // Tiles [first, first + count), groups of outputs [from, to): transformed inputs V [position][tile][in], then
    // M = V·U per position, then outputs.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Block(float* x, Map map, long first, int count, int from, int to, float* scratch, float* y, float* residual, bool relu)
    {
        var v = scratch;
        var m = scratch + ((long)Positions * BlockTiles * In);
        for (var i = 0; i < count; i++)
        {
            if (RegisterBlock.IsWide) TransformInput<Avx512Lanes>(x, map, first + i, v + ((long)i * In));
            else TransformInput<Avx2Lanes>(x, map, first + i, v + ((long)i * In));
        }
        for (var p = 0; p < Positions; p++)
            for (var g = from; g < to; g++)
                for (var row = 0; row < count; row += Rows)
                    RegisterBlock.Multiply(v + ((((long)p * BlockTiles) + row) * In), In, Math.Min(Rows, count - row),
                        _weights + WeightIndex(p, g, 0), Group, In, m + ((((long)p * BlockTiles) + row) * Out) + (g * Group), Out);
        for (var i = 0; i < count; i++)
        {
            if (RegisterBlock.IsWide) TransformOutput<Avx512Lanes>(m + ((long)i * Out), map, first + i, from * Group, to * Group, y, residual, relu);
            else TransformOutput<Avx2Lanes>(m + ((long)i * Out), map, first + i, from * Group, to * Group, y, residual, relu);
        }
    }

    // Bᵀ d B for each vector of input channels of one tile, d its 4 × 4 inputs (zeros outside the map), with
    // Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]; written to v[position × BlockTiles × In]. Columns first, each in
    // registers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void TransformInput<TLanes>(float* x, Map map, long tile, float* v) where TLanes : struct, IFloatLanes<TLanes>
    {
        var (image, row, column) = map.Tile(tile);
        var (top, left) = (row - 1, column - 1);
        var stride = (long)BlockTiles * In;
        var pixel = (long)In;
        var rowFloats = (long)map.Width * In;
        var corner = x + ((((image * map.Height) + top) * map.Width) + left) * In;
        // Which of the 4 rows and columns lie inside the map, as bits; interior tiles have all 8.
        var rows = 0;
        var columns = 0;
        for (var k = 0; k < 4; k++)
        {
            if ((uint)(top + k) < (uint)map.Height) rows |= 1 << k;
            if ((uint)(left + k) < (uint)map.Width) columns |= 1 << k;
        }
        for (var c = 0; c < In; c += TLanes.Count, corner += TLanes.Count)
        {
            var (c00, c01, c02, c03) = Column<TLanes>(corner, rowFloats, rows, (columns & 1) != 0);
            var (c10, c11, c12, c13) = Column<TLanes>(corner + pixel, rowFloats, rows, (columns & 2) != 0);
            var (c20, c21, c22, c23) = Column<TLanes>(corner + (2 * pixel), rowFloats, rows, (columns & 4) != 0);
            var (c30, c31, c32, c33) = Column<TLanes>(corner + (3 * pixel), rowFloats, rows, (columns & 8) != 0);
            var to = v + c;
            Row(to, stride, c00, c10, c20, c30);
            Row(to + (4 * stride), stride, c01, c11, c21, c31);
            Row(to + (8 * stride), stride, c02, c12, c22, c32);
            Row(to + (12 * stride), stride, c03, c13, c23, c33);
        }
    }

    // Bᵀ applied down one column of a tile's inputs (rows outside the map read as zeros).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TLanes, TLanes, TLanes, TLanes) Column<TLanes>(float* at, long rowFloats, int rows, bool inside)
        where TLanes : struct, IFloatLanes<TLanes>
    {
        if (!inside) return default;
        var d0 = (rows & 1) != 0 ? TLanes.Load(at) : TLanes.Zero;
        var d1 = (rows & 2) != 0 ? TLanes.Load(at + rowFloats) : TLanes.Zero;
        var d2 = (rows & 4) != 0 ? TLanes.Load(at + (2 * rowFloats)) : TLanes.Zero;
        var d3 = (rows & 8) != 0 ? TLanes.Load(at + (3 * rowFloats)) : TLanes.Zero;
        return (d0 - d2, d1 + d2, d2 - d1, d1 - d3);
    }

    // B applied along one row of Bᵀ d, stored to its 4 positions.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row<TLanes>(float* to, long stride, TLanes t0, TLanes t1, TLanes t2, TLanes t3)
        where TLanes : struct, IFloatLanes<TLanes>
    {
        (t0 - t2).Store(to);
        (t1 + t2).Store(to + stride);
        (t2 - t1).Store(to + (2 * stride));
        (t1 - t3).Store(to + (3 * stride));
    }

    // Aᵀ m A with Aᵀ = [1 1 1 0; 0 1 −1 −1] for each vector of output channels of one tile, then bias, residual and ReLU,
    // stored where the 2 × 2 outputs fall inside the map.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void TransformOutput<TLanes>(float* m, Map map, long tile, int from, int to, float* y, float* residual, bool relu)
        where TLanes : struct, IFloatLanes<TLanes>
    {
        var (image, row, column) = map.Tile(tile);
        var stride = (long)BlockTiles * Out;
        var at = ((((image * map.Height) + row) * map.Width + column) * Out) + from;
        var rowFloats = (long)map.Width * Out;
        var (right, below) = (column + 1 < map.Width, row + 1 < map.Height);
        for (var c = from; c < to; c += TLanes.Count, at += TLanes.Count)
        {
            var (u00, u10) = Fold<TLanes>(m + c, stride);
            var (u01, u11) = Fold<TLanes>(m + c + stride, stride);
            var (u02, u12) = Fold<TLanes>(m + c + (2 * stride), stride);
            var (u03, u13) = Fold<TLanes>(m + c + (3 * stride), stride);
            var bias = TLanes.Load(_bias + c);
            Put(y, residual, at, u00 + u01 + u02 + bias, relu);
            if (right) Put(y, residual, at + Out, u01 - u02 - u03 + bias, relu);
            if (!below) continue;
            Put(y, residual, at + rowFloats, u10 + u11 + u12 + bias, relu);
            if (right) Put(y, residual, at + rowFloats + Out, u11 - u12 - u13 + bias, relu);
        }
    }

    // Aᵀ applied down column b of m (positions b, 4 + b, 8 + b, 12 + b).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TLanes, TLanes) Fold<TLanes>(float* m, long stride) where TLanes : struct, IFloatLanes<TLanes>
    {
        var (m0, m1, m2, m3) = (TLanes.Load(m), TLanes.Load(m + (4 * stride)), TLanes.Load(m + (8 * stride)),
            TLanes.Load(m + (12 * stride)));
        return (m0 + m1 + m2, m1 - m2 - m3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put<TLanes>(float* y, float* residual, long at, TLanes value, bool relu)
        where TLanes : struct, IFloatLanes<TLanes>
    {
        if (residual is not null) value += TLanes.Load(residual + at);
        if (relu) value = TLanes.Max(value, TLanes.Zero);
        value.Store(y + at);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        NativeMemory.AlignedFree(_weights);
        NativeMemory.AlignedFree(_bias);
    }
}
