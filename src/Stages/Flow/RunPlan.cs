using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lmev.Flow;

/// <summary>
/// The experiment's <c>runs</c>: how many times each model is trained, and whether each run draws
/// its own sample (<c>"runs": { "count": 4, "resample": true }</c>, the study's design) or all runs
/// share one split (<c>"runs": 4</c>, a paired design, cheaper).
/// </summary>
/// <param name="Count">Runs per model.</param>
/// <param name="Resample">Sample and Split (and Embed for frozen models) once per run, seeded from the run number.</param>
[JsonConverter(typeof(RunPlanConverter))]
public sealed record RunPlan(int Count = 4, bool Resample = false);

/// <summary>Reads <c>"runs": 4</c> or <c>"runs": { "count": 4, "resample": true }</c>; writes the number when it says all.</summary>
public sealed class RunPlanConverter : JsonConverter<RunPlan>
{
    private const string Expected = "a number of runs (\"runs\": 4) or an object (\"runs\": { \"count\": 4, \"resample\": true })";

    public override RunPlan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
            return reader.TryGetInt32(out var n) ? new RunPlan(n) : throw new JsonException($"expected {Expected}, found {Number(ref reader)}");
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException($"expected {Expected}, found {Describe(reader.TokenType)}");
        var plan = new RunPlan();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = reader.GetString()!;
            reader.Read();
            plan = key switch
            {
                "count" when reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var n) => plan with { Count = n },
                "count" => throw new JsonException($"runs.count: expected a whole number, found {Describe(reader.TokenType)}"),
                "resample" when reader.TokenType is JsonTokenType.True or JsonTokenType.False => plan with { Resample = reader.GetBoolean() },
                "resample" => throw new JsonException($"runs.resample: expected true or false, found {Describe(reader.TokenType)}"),
                _ => throw new JsonException($"runs: unknown key '{key}'; expected 'count' and 'resample'"),
            };
        }
        return plan;
    }

    public override void Write(Utf8JsonWriter writer, RunPlan value, JsonSerializerOptions options)
    {
        if (!value.Resample)
        {
            writer.WriteNumberValue(value.Count);
            return;
        }
        writer.WriteStartObject();
        writer.WriteNumber("count", value.Count);
        writer.WriteBoolean("resample", value.Resample);
        writer.WriteEndObject();
    }

    private static string Number(ref Utf8JsonReader reader) => System.Text.Encoding.UTF8.GetString(reader.ValueSpan);

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number that is not a whole number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
