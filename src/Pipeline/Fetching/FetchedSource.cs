namespace Lmev.Pipeline.Fetching;

/// <summary>What <see cref="SourceFetcher"/> fetched and verified.</summary>
/// <param name="Verified">The lock entry the bytes matched: its URL as written in the lock, with sha256 and size filled where the lock had them empty.</param>
/// <param name="FinalUrl">The URL the bytes came from after redirects (the lock's URL when there were none); null for a local source.</param>
/// <param name="Filled">True when trust on first use filled an empty sha256, so the lock should be written back. (An empty size alone is filled in <see cref="Verified"/> too, without setting this: the hash already pins the bytes.)</param>
public sealed record FetchedSource(LockedSource Verified, string? FinalUrl, bool Filled);
