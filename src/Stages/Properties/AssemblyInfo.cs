using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Lmev.Tests")]
