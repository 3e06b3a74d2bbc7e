namespace Lmev.Pipeline;

/// <summary>
/// An error the user can act on: the message names the file, line or key, what was expected,
/// what was found and what to do. The command-line program prints it without a stack trace.
/// </summary>
public class LmevException(string message, Exception? inner = null) : Exception(message, inner);
