// The command lines build.cake runs, from the arguments `dotnet cake` was given. Plain C# without Cake's aliases, so that the
// tests compile this same file and parse every command line it makes, for every combination of the arguments, with lmev's own
// parser (tests/Lmev.Tests/Pipeline/CakeCommandLineTests.cs).

/// <summary>
/// What `dotnet cake` was asked for: the target, the experiment and the selection (<c>--model=a,b</c>, <c>--run=1,2</c>,
/// <c>--device</c>, <c>--locked</c>, <c>--force</c>), turned into `lmev` command lines. A step is given only the selection
/// arguments it takes, as `lmev steps --json` lists them (from FlowSteps), so Cake never passes a step one that it refuses.
/// </summary>
public sealed record CakeSelection(string Target, string Experiment, string[] Models, string[] Runs, string Device, bool Locked, bool Force)
{
    /// <summary>`lmev STEP --experiment X …` for the step whose Cake target is <paramref name="target"/>, with those of <paramref name="takes"/> that were given.</summary>
    public string[] Step(string step, string target, System.Collections.Generic.IReadOnlyCollection<string> takes)
    {
        var args = new System.Collections.Generic.List<string> { step, "--experiment", Experiment };
        foreach (var option in takes)
        {
            switch (option)
            {
                case "--model": foreach (var m in Models) args.AddRange(new[] { "--model", m }); break;
                case "--run": foreach (var r in Runs) args.AddRange(new[] { "--run", r }); break;
                case "--device": if (Device.Length > 0) args.AddRange(new[] { "--device", Device }); break;
                case "--locked": if (Locked) args.Add("--locked"); break;
                // --force reruns the target step only; the steps before it are still found in the cache.
                case "--force": if (Force && string.Equals(target, Target, System.StringComparison.OrdinalIgnoreCase)) args.Add("--force"); break;
                default: throw new System.ArgumentException($"lmev steps --json names an argument build/StepCommand.cake does not know: {option}");
            }
        }
        return args.ToArray();
    }

    /// <summary>
    /// `lmev check`: the experiment, the lock, the models and runs chosen, and every argument name Cake was given
    /// (<paramref name="given"/>), checked before any step runs; a typo is named with the closest argument.
    /// </summary>
    public string[] Check(System.Collections.Generic.IEnumerable<string> given)
    {
        var args = new System.Collections.Generic.List<string> { "check", "--experiment", Experiment };
        foreach (var m in Models) args.AddRange(new[] { "--model", m });
        foreach (var r in Runs) args.AddRange(new[] { "--run", r });
        var names = System.Linq.Enumerable.ToArray(given);
        if (names.Length > 0)
        {
            args.Add("--cake-arguments");
            args.AddRange(names);
        }
        return args.ToArray();
    }

    /// <summary>`lmev status`: which units of the chosen models are up to date, stale or never run.</summary>
    public string[] Status()
    {
        var args = new System.Collections.Generic.List<string> { "status", "--experiment", Experiment };
        foreach (var m in Models) args.AddRange(new[] { "--model", m });
        return args.ToArray();
    }

    /// <summary><c>--model=a,b</c> (or the argument repeated) as a list; empty when not given.</summary>
    public static string[] List(System.Collections.Generic.IEnumerable<string> values) =>
        System.Linq.Enumerable.ToArray(System.Linq.Enumerable.SelectMany(values,
            v => v.Split(',', System.StringSplitOptions.RemoveEmptyEntries | System.StringSplitOptions.TrimEntries)));
}

/// <summary>A step as `lmev steps --json` lists it.</summary>
public sealed record LmevStep(string Name, string Target, string Description, string[] Arguments);
