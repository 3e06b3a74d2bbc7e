namespace Lmev.Flow;

/// <summary>How a step fans out over an experiment: the units `lmev &lt;step&gt;` runs.</summary>
public enum UnitKind
{
    /// <summary>One unit, named "".</summary>
    Single,

    /// <summary>One unit per source of rows: "" (the dataset), and <c>test-source</c> with split.testSource.</summary>
    PerSource,

    /// <summary>One unit per sample of the data: "" (one sample shared by the runs), or <c>run-k</c> with <c>runs.resample</c>.</summary>
    PerSample,

    /// <summary>One unit per model, named after it.</summary>
    PerModel,

    /// <summary>One unit per frozen model and sample: <c>&lt;model&gt;</c>, or <c>&lt;model&gt;/run-k</c> with <c>runs.resample</c>.</summary>
    PerFrozenModelSample,

    /// <summary>One unit per model and run: <c>&lt;model&gt;/run-k</c>.</summary>
    PerRun,
}
