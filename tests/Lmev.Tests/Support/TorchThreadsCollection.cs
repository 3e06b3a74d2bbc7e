namespace Lmev.Tests.Support;

/// <summary>
/// Tests that compare in-process training results bit for bit. libtorch's thread count is one setting per process
/// (torch.set_num_threads), and a reduction's order follows it; another test training at the same time with another
/// count would change the last bits. In production every stage is its own process, so this is a test-only concern.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchThreadsCollection
{
    public const string Name = "in-process training compared bit for bit";
}
