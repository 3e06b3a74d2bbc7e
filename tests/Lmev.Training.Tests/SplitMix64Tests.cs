namespace Lmev.Training.Tests;

public class SplitMix64Tests
{
    [Fact]
    public void Matches_the_reference_sequence()
    {
        // Vigna's splitmix64.c, seed 1234567.
        var rng = new SplitMix64(1234567);
        Assert.Equal(6457827717110365317UL, rng.Next());
        Assert.Equal(3203168211198807973UL, rng.Next());
        Assert.Equal(9817491932198370423UL, rng.Next());
    }

    [Fact]
    public void Permutation_is_a_seeded_permutation()
    {
        var a = new SplitMix64(42).Permutation(1000);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), a.Order());
        Assert.Equal(a, new SplitMix64(42).Permutation(1000));
        Assert.NotEqual(a, new SplitMix64(43).Permutation(1000));
    }

    [Fact]
    public void NextBelow_stays_in_range_and_covers_it()
    {
        var rng = new SplitMix64(7);
        var seen = new int[7];
        for (int i = 0; i < 7000; i++) seen[rng.NextBelow(7)]++;
        Assert.All(seen, count => Assert.InRange(count, 850, 1150));
    }
}
