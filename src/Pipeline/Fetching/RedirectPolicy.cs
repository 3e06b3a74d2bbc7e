namespace Lmev.Pipeline.Fetching;

/// <summary>
/// Which HTTP redirects a download follows (RFC 9110 §15.4). HttpClient's own redirect handling is
/// off so that the chain can be checked and named in errors, and so that the caller learns the URL
/// the bytes finally came from (tfhub.dev, for one, answers every model URL with a redirect).
/// </summary>
internal static class RedirectPolicy
{
    /// <summary>Redirects followed per request, as browsers and curl's default of 50 would be too lenient for a pinned file.</summary>
    public const int MaxRedirects = 10;

    public static bool IsRedirect(int status) => status is 301 or 302 or 303 or 307 or 308;

    /// <summary>
    /// The URL to request after <paramref name="chain"/>'s last URL answered the redirect
    /// <paramref name="status"/> with <paramref name="location"/>; <paramref name="chain"/> starts
    /// with the first URL requested. Throws when the redirect must not be followed.
    /// </summary>
    public static Uri Next(string name, IReadOnlyList<Uri> chain, int status, Uri? location)
    {
        var current = chain[^1];
        if (location is null)
            throw new LmevException($"download '{name}': {current} answered {status} with no Location header ({Describe(chain)}); " +
                $"expected a redirect to follow. Check the url of '{name}' in {DataLock.FileName}.");
        // A relative Location is resolved against the URL that sent it (RFC 9110 §10.2.2).
        var next = location.IsAbsoluteUri ? location : new Uri(current, location);
        if (next.Scheme is not ("http" or "https"))
            throw new LmevException($"download '{name}': {current} redirects to {next}, which is not http(s) ({Describe(chain)}); " +
                $"expected an http or https URL. Check the url of '{name}' in {DataLock.FileName}.");
        // Once on https, a step down to http would let anyone on the path swap the file; trust on first use would then pin their bytes.
        if (current.Scheme == "https" && next.Scheme == "http")
            throw new LmevException($"download '{name}': {current} redirects from https down to http ({next}); lmev never follows such a redirect. " +
                $"Chain: {Describe([.. chain, next])}. Pin an https URL that stays on https in {DataLock.FileName}.");
        if (chain.Any(u => u.AbsoluteUri == next.AbsoluteUri))
            throw new LmevException($"download '{name}': redirect loop: {Describe([.. chain, next])}. " +
                $"The server sends the request back to a URL it already redirected; check the url of '{name}' in {DataLock.FileName}.");
        if (chain.Count > MaxRedirects)
            throw new LmevException($"download '{name}': more than {MaxRedirects} redirects: {Describe([.. chain, next])}. " +
                $"Pin a URL closer to the file in {DataLock.FileName}.");
        return next;
    }

    public static string Describe(IEnumerable<Uri> chain) => string.Join(" → ", chain.Select(u => u.AbsoluteUri));
}
