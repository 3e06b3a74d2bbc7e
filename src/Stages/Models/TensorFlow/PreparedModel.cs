using Lmev.Pipeline;
namespace Lmev.Models.TensorFlow;

/// <summary>A model from a lock entry, ready to read where it lies.</summary>
/// <param name="Directory">The folder that holds <c>saved_model.pb</c> or <c>tfhub_module.pb</c>.</param>
/// <param name="Verified">The lock entry the model matched, with sha256 and size filled where the lock had them empty.</param>
/// <param name="FinalUrl">The URL the archive came from after redirects; null for a local archive or folder.</param>
/// <param name="Filled">True when trust on first use filled an empty sha256 (see <see cref="FetchedSource.Filled"/>); the lock should then be written back.</param>
public sealed record PreparedModel(string Directory, LockedSource Verified, string? FinalUrl, bool Filled);
