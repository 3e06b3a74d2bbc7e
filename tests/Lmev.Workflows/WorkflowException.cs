namespace Lmev.Workflows;

/// <summary>A workflow this harness cannot run as written, or a step that failed: the message says which and why.</summary>
public sealed class WorkflowException(string message) : Exception(message);
