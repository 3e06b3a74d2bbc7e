namespace Lmev.Pipeline.Remote;

/// <summary>An object's bytes from <see cref="Offset"/> on, as a store serves them.</summary>
/// <param name="Offset">Where <see cref="Body"/> starts: the offset asked for, or 0 from a server that ignores ranges.</param>
/// <param name="Length">The object's whole size when the store says it; null when it does not.</param>
public sealed record RemoteObject(Stream Body, long Offset, long? Length) : IDisposable
{
    public void Dispose() => Body.Dispose();
}

/// <summary>A failure that waiting may cure (a 5xx, a dropped connection, a timeout): the tier retries it with back-off.</summary>
public sealed class RemoteTransientException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Where the remote tier keeps objects, by key (<c>&lt;stage&gt;/&lt;key&gt;/&lt;file&gt;</c>, under the URL's prefix): S3
/// (<see cref="S3Store"/>), a web server (<see cref="HttpStore"/>, read-only), a folder (<see cref="FolderStore"/>). A store moves
/// bytes and says what failed; what is trusted is decided by <see cref="RemoteTier"/>, which verifies every byte.
/// </summary>
public interface IRemoteStore : IDisposable
{
    /// <summary>The remote as messages name it: its URL without credentials (none are ever part of it).</summary>
    string Url { get; }

    /// <summary>Whether <see cref="PutAsync"/> can work (an https remote is read-only).</summary>
    bool Writable { get; }

    /// <summary>
    /// The object from byte <paramref name="offset"/>; null when there is no such object. Throws <see cref="RemoteTransientException"/>
    /// for what may pass, <see cref="LmevException"/> (naming the remote, never a secret) for what will not (refused credentials).
    /// </summary>
    Task<RemoteObject?> OpenAsync(string key, long offset, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="file"/> at <paramref name="key"/>, whole or not at all as the store allows.</summary>
    Task PutAsync(string key, string file, CancellationToken cancellationToken);
}
