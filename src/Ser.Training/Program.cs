using Ser.Training.Cli;

return await SerTrainCommand.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
