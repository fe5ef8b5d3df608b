using Bluezone.Cli;

return BluezoneCommand.Invoke(args, Console.Out, Console.Error);
