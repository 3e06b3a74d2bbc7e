namespace Lmev.Pipeline.Remote;

/// <summary>How a run uses its remote: the tier, whether it pushes every unit the remote lacks (<c>push</c>), and what it leaves out then.</summary>
public sealed record RemoteUse(RemoteTier Tier, bool Push, IReadOnlySet<string> Omit);
