using Microsoft.Extensions.Logging;
using Ser.Training.Cli;

// Ctrl-C: the first press stops training at the next step with a checkpoint; a second one ends the process.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (cancellation.IsCancellationRequested) return;
    e.Cancel = true;
    cancellation.Cancel();
    Console.Error.WriteLine("\nStopping at the next step (Ctrl-C again to abort now)…");
};
using var logging = LoggerFactory.Create(builder => builder.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
return await SerTrainCommand.RunAsync(args, Console.Out, Console.Error, logging, cancellation.Token).ConfigureAwait(false);
