namespace Lmev.Stages.Plot;

/// <summary>Figure size in pixels and the font every label is drawn in (it must cover Spanish accents).</summary>
public sealed record PlotParams(int Width = 1000, int Height = 600, string Font = FontCheck.DefaultFamily);
