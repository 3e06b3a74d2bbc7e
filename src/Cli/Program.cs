using Lmev.Flow;
using System.CommandLine;
using Lmev.Cli;

return LmevCommand.Build().Parse(args).Invoke();
