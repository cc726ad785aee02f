using Ser.Core.Data.CremaD;

namespace Ser.Training.Cli.Commands;

public sealed class ValidateCommand : ICliCommand
{
    public string Name => "validate";

    public string Summary => "check a CREMA-D volume against the embedded manifest";

    public string Usage => """
        ser-train validate --path DIR [--sha256]

        Compares DIR (or DIR/AudioWAV) with the manifest of all 7,442 clips: missing, unexpected and wrong-size
        files, SHA-256 with --sha256, and clips that fail to decode; prints one table. Exit code 3 when anything
        but the known faulty clip (1076_MTI_SAD_XX.wav, always excluded) or extra files is wrong.
        """;

    public Task<int> RunAsync(IReadOnlyList<string> args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var a = new CliArguments(args, ["path"], ["sha256"]);
        var report = CremaDValidator.Validate(a.Required("path"), a.Has("sha256"), progress: new CountProgressBar(context.Error),
            cancellationToken: cancellationToken);
        context.Output.WriteLine(report.ToTable());
        return Task.FromResult(report.IsComplete ? ExitCodes.Success : ExitCodes.DataProblem);
    }
}
