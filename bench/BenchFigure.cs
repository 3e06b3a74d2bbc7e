// The machine-readable result lines every bench prints beside its own prose, which bench/run gathers
// into one table (compiled into each bench project; bench/data-stages and bench/baselines print the
// same lines from awk). One line per figure, tab-separated, no prose to parse:
//
//   figure <bench> <what> <value> <unit> <reference> <reference value> <ratio> <goal> <met>
//   skipped <bench> <why>
//
// <reference> is what the figure is measured against, in the same run and in the same unit;
// <ratio> is value / reference value, computed from those two numbers; <goal> is a condition on the
// ratio in words (">= 0.5", "< 2", "within 20 %") and <met> is met or missed. A field that does not
// apply is "-". Numbers are invariant-culture decimals.
using System.Globalization;

namespace Lmev.Bench;

/// <summary>A condition on a figure's ratio: its text for the table and the test itself.</summary>
internal sealed record BenchGoal(string Text, Func<double, bool> IsMet)
{
    public static BenchGoal AtLeast(double bound) => new($">= {Show(bound)}", r => r >= bound);

    public static BenchGoal Below(double bound) => new($"< {Show(bound)}", r => r < bound);

    public static BenchGoal AtMost(double bound) => new($"<= {Show(bound)}", r => r <= bound);

    /// <summary>The ratio within <paramref name="percent"/> % of 1 (the two values that close).</summary>
    public static BenchGoal Within(double percent) => new($"within {Show(percent)} %", r => Math.Abs(r - 1) <= percent / 100);

    private static string Show(double bound) => bound.ToString(CultureInfo.InvariantCulture);
}

internal static class BenchFigure
{
    /// <summary>A figure with nothing to compare it against.</summary>
    public static void Print(string bench, string what, double value, string unit) =>
        Line("figure", bench, what, Number(value), unit, "-", "-", "-", "-", "-");

    /// <summary>A figure and its reference, both measured in this run in the same unit; the ratio is value / reference value.</summary>
    public static void Print(string bench, string what, double value, string unit, string reference, double referenceValue, BenchGoal? goal = null)
    {
        var ratio = value / referenceValue;
        Line("figure", bench, what, Number(value), unit, reference, Number(referenceValue), Number(ratio),
            goal?.Text ?? "-", goal is null ? "-" : goal.IsMet(ratio) ? "met" : "missed");
    }

    /// <summary>The bench measured nothing, and why (no data, a missing tool).</summary>
    public static void Skipped(string bench, string why) => Line("skipped", bench, why);

    /// <summary>Three or four significant digits, no exponent down to 0.001 (bench/data-stages' awk formats alike).</summary>
    public static string Number(double value) =>
        double.IsNaN(value) || double.IsInfinity(value) ? value.ToString(CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 1000 ? value.ToString("0", CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 100 ? value.ToString("0.0", CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 1 || value == 0 ? value.ToString("0.00", CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 0.001 ? value.ToString("0.000", CultureInfo.InvariantCulture)
        : value.ToString("G3", CultureInfo.InvariantCulture);

    private static void Line(params string[] fields) =>
        Console.WriteLine(string.Join('\t', fields.Select(f => f.Replace('\t', ' ').Replace('\n', ' '))));
}
