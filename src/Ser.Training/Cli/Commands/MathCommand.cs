using System.Globalization;
using Ser.Core.Runtime;

namespace Ser.Training.Cli.Commands;

/// <summary>Shows which fp32 math this CPU gets (<see cref="Float32Math"/>) and what bfloat16 runs on.</summary>
public sealed class MathCommand : ICliCommand
{
    public string Name => "math";

    public string Summary => "check this CPU's float32 math (is oneDNN's fast path exact here?) and its bf16 kernels";

    public string Usage => """
        ser-train math

        Runs the start-up check of the service and of 'ser-train train': a few products and convolutions under libtorch's
        fp32 matmul precision "highest" and "medium", each against a float64 reference. "medium" (oneDNN, faster) is kept
        only where it is as exact as "highest"; on CPUs with AMX it computes in bfloat16 and is refused.
        ONEDNN_MAX_CPU_ISA (e.g. AVX512_CORE) caps oneDNN's instruction set; ONEDNN_VERBOSE=1 names each kernel.
        """;

    public Task<int> RunAsync(IReadOnlyList<string> args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _ = new CliArguments(args, []);
        var math = TorchRuntime.Initialize();
        context.Output.WriteLine($"cpu: {math.Cpu.Model}");
        context.Output.WriteLine($"ser kernels: {SerKernels.Description}");
        context.Output.WriteLine($"bf16 kernels: {math.Cpu.Bf16Kernels}");
        var bf16 = math.Cpu.Bf16Speed;
        context.Output.WriteLine($"bf16 faster than fp32: {(bf16.Faster ? "yes" : "no")} ({bf16.Reason})");
        context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"highest: relative error {math.ExactError:0.0e0}"));
        context.Output.WriteLine(math.FastError is { } fast
            ? string.Create(CultureInfo.InvariantCulture, $"medium: relative error {fast:0.0e0}")
            : "medium: not settable in this libtorch");
        context.Output.WriteLine($"float32 matmul precision: {math.MatmulPrecision}");
        context.Output.WriteLine($"reason: {math.Reason}");
        return Task.FromResult(ExitCodes.Success);
    }
}
