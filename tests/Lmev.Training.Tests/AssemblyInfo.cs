// libtorch's seed and thread count are process-wide, and one test measures the process's memory:
// the test classes run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
