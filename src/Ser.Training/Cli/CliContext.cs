using Microsoft.Extensions.Logging;

namespace Ser.Training.Cli;

/// <summary>Where a command writes: results to <see cref="Output"/>, progress and errors to <see cref="Error"/>.</summary>
public sealed record CliContext(TextWriter Output, TextWriter Error, ILoggerFactory Logging);
