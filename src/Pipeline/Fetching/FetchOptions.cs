namespace Lmev.Pipeline.Fetching;

/// <summary>How <see cref="SourceFetcher"/> fetches: frozen lock or not, retries, timeouts.</summary>
/// <param name="Locked">CI's frozen mode (<c>--locked</c>): every hash must already be in the lock, which is never changed.</param>
/// <param name="MaxAttempts">Attempts per source, the first one included, before giving up.</param>
/// <param name="InitialBackoff">Wait before the first retry (default 1 s); it doubles on each retry, up to 30 s.</param>
/// <param name="Timeout">Longest wait to connect, for the response headers, and between two reads of the body (default 100 s, HttpClient's own default).</param>
public sealed record FetchOptions(bool Locked = false, int MaxAttempts = 6, TimeSpan? InitialBackoff = null, TimeSpan? Timeout = null)
{
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>A server's Retry-After up to this long is obeyed; a longer one is treated as an ordinary failure.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(60);

    internal TimeSpan EffectiveTimeout => Timeout ?? TimeSpan.FromSeconds(100);

    /// <summary>The wait after failed attempt number <paramref name="attempt"/> (1-based).</summary>
    internal TimeSpan Backoff(int attempt)
    {
        var initial = InitialBackoff ?? TimeSpan.FromSeconds(1);
        var factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        return TimeSpan.FromTicks((long)Math.Min(initial.Ticks * factor, MaxBackoff.Ticks));
    }
}
