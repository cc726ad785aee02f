using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Ser.Core.Runtime;

/// <summary>libtorch's oneDNN ("mkldnn") tensors, which TorchSharp does not expose: activations kept in oneDNN's
/// blocked layout between convolutions and convolution weights packed once. Through plain tensors every convolution
/// reorders its input, output and weights on every call, and libtorch sends small batch-1 convolutions to
/// im2col + gemm; at batch 1 that was a third of ResNet18's time (benchmarks, issue 15). The same path as PyTorch's
/// <c>torch.utils.mkldnn.to_mkldnn</c>. Calls libtorch's operator entry points by their exported names (x86-64 System V
/// ABI); where they are not found (another libtorch build) <see cref="IsAvailable"/> is false and callers keep the
/// plain path. The operators run only on inputs the caller has checked: a libtorch error here would end the process.</summary>
public static unsafe class OneDnnTensors
{
    private const string LibStdCxx = "libstdc++.so.6";

    private static readonly Lazy<Entry?> Entries = new(Resolve);

    /// <summary>Whether this libtorch exports the operators (CPU builds of libtorch 2.x do).</summary>
    public static bool IsAvailable => Entries.Value is not null;

    /// <summary>A oneDNN copy of a dense CPU tensor (float32 or bfloat16).</summary>
    public static Tensor FromDense(Tensor dense)
    {
        ArgumentNullException.ThrowIfNull(dense);
        var e = Require();
        using var contiguous = dense.contiguous();
        var result = NewTensorSlot(e);
        ((delegate* unmanaged<IntPtr, IntPtr, ushort, IntPtr>)e.ToMkldnn)(result, contiguous.Handle, NoScalarType);
        return Tensor.UnsafeCreateTensor(result);
    }

    /// <summary>A dense copy of a oneDNN tensor.</summary>
    public static Tensor ToDense(Tensor oneDnn)
    {
        ArgumentNullException.ThrowIfNull(oneDnn);
        var e = Require();
        var result = NewTensorSlot(e);
        ((delegate* unmanaged<IntPtr, IntPtr, ushort, ushort, IntPtr>)e.ToDense)(result, oneDnn.Handle, NoScalarType, NoBool);
        return Tensor.UnsafeCreateTensor(result);
    }

    /// <summary>Conv2d weights [out, in, kh, kw] packed once for <see cref="Conv2d"/> with this stride and padding. libtorch
    /// 2.10 packs them for its channels-last kernels whatever the input, so with blocked activations oneDNN still reorders
    /// them per call (3.5 ms of ResNet18's 16.5 at batch 1; README, Benchmarks).</summary>
    public static Tensor PackConv2dWeight(Tensor weight, long stride, long padding)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.dim() != 4) throw new ArgumentException("Conv2d weights are [out, in, kh, kw].", nameof(weight));
        var e = Require();
        using var oneDnn = FromDense(weight);
        long* paddings = stackalloc long[] { padding, padding };
        long* strides = stackalloc long[] { stride, stride };
        long* dilations = stackalloc long[] { 1, 1 };
        long groups = 1;
        var result = NewTensorSlot(e);
        ((delegate* unmanaged<IntPtr, IntPtr, long*, nint, long*, nint, long*, nint, long*, OptionalArrayRef, IntPtr>)e.Reorder)(
            result, oneDnn.Handle, paddings, 2, strides, 2, dilations, 2, &groups, default);
        return Tensor.UnsafeCreateTensor(result);
    }

    /// <summary>A 2-d convolution of oneDNN tensors: <paramref name="input"/> [batch, in, h, w], weights from
    /// <see cref="PackConv2dWeight"/> (same stride and padding), <paramref name="bias"/> a oneDNN tensor [out].</summary>
    public static Tensor Conv2d(Tensor input, Tensor packedWeight, Tensor bias, long stride, long padding)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(packedWeight);
        ArgumentNullException.ThrowIfNull(bias);
        var e = Require();
        long* paddings = stackalloc long[] { padding, padding };
        long* strides = stackalloc long[] { stride, stride };
        long* dilations = stackalloc long[] { 1, 1 };
        long groups = 1;
        // std::optional<at::Tensor> borrowing the bias: {TensorImpl*, engaged}; never destroyed, so no reference is taken.
        var optionalBias = stackalloc IntPtr[2];
        optionalBias[0] = *(IntPtr*)bias.Handle;
        optionalBias[1] = 1;
        var result = NewTensorSlot(e);
        ((delegate* unmanaged<IntPtr, IntPtr, IntPtr, IntPtr*, long*, nint, long*, nint, long*, nint, long*, IntPtr>)e.Convolution)(
            result, input.Handle, packedWeight.Handle, optionalBias, paddings, 2, strides, 2, dilations, 2, &groups);
        return Tensor.UnsafeCreateTensor(result);
    }

    // std::nullopt for std::optional<c10::ScalarType> / std::optional<bool>: {value, engaged = 0} in one register.
    private const ushort NoScalarType = 0;
    private const ushort NoBool = 0;

    /// <summary>c10::OptionalArrayRef: std::optional&lt;ArrayRef&gt; = {data, length, engaged}, 24 bytes, passed in memory;
    /// only ever std::nullopt here (the input size it would give changes nothing in libtorch 2.10).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct OptionalArrayRef
    {
        public IntPtr Data;
        public nint Length;
        public long Engaged;
    }

    private sealed record Entry(IntPtr ToMkldnn, IntPtr ToDense, IntPtr Reorder, IntPtr Convolution, IntPtr OperatorNew);

    private static Entry Require() => Entries.Value ?? throw new PlatformNotSupportedException("This libtorch does not export its oneDNN tensor operators.");

    // at::Tensor returned by value goes through a caller-provided slot; a heap one (operator new) is what TorchSharp's
    // handles are and what its dispose deletes.
    private static IntPtr NewTensorSlot(Entry e) => ((delegate* unmanaged<nuint, IntPtr>)e.OperatorNew)((nuint)IntPtr.Size);

    private static Entry? Resolve()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64
            || !NativeLibrary.TryLoad(LibStdCxx, out var cxxLib) || !NativeLibrary.TryGetExport(cxxLib, "_Znwm", out var operatorNew))
            return null;
        IntPtr Torch(string name) => TorchRuntime.TryGetExport(name, out var address) ? address : IntPtr.Zero;
        var entry = new Entry(
            Torch("_ZN2at4_ops9to_mkldnn4callERKNS_6TensorESt8optionalIN3c1010ScalarTypeEE"),
            Torch("_ZN2at4_ops8to_dense4callERKNS_6TensorESt8optionalIN3c1010ScalarTypeEES5_IbE"),
            Torch("_ZN2at4_ops28mkldnn_reorder_conv2d_weight4callERKNS_6TensorEN3c108ArrayRefINS5_6SymIntEEES8_S8_S7_NS5_16OptionalArrayRefIS7_EE"),
            Torch("_ZN2at4_ops18mkldnn_convolution4callERKNS_6TensorES4_RKSt8optionalIS2_EN3c108ArrayRefINS9_6SymIntEEESC_SC_SB_"),
            operatorNew);
        return entry.ToMkldnn == IntPtr.Zero || entry.ToDense == IntPtr.Zero || entry.Reorder == IntPtr.Zero
            || entry.Convolution == IntPtr.Zero ? null : entry;
    }
}
