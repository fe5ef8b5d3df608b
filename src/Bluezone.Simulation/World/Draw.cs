namespace Bluezone.Simulation.World;

/// <summary>
/// Counter-based random draws: a value is a hash of the seed and what it is about (person, day, step…), not the
/// next number of a shared stream. So a draw does not depend on the order things are visited in, and the run
/// with the app and the run without it see the same dice wherever their worlds have not diverged.
/// </summary>
internal static class Draw
{
    public static ulong Hash(int seed, long a, long b = 0, long c = 0, long d = 0) =>
        Then(Then(Then(Then(Start(seed), a), b), c), d);

    /// <summary>
    /// <see cref="Hash"/> taken one argument at a time: Hash(seed, a, b, c, d) is
    /// Then(Then(Then(Then(Start(seed), a), b), c), d). Many draws that share their first arguments (a scan's
    /// draws of each sender) mix those once.
    /// </summary>
    public static ulong Start(int seed) => Mix((ulong)(uint)seed ^ 0x9E3779B97F4A7C15UL);

    /// <inheritdoc cref="Start"/>
    public static ulong Then(ulong hash, long argument) => Mix(hash ^ (ulong)argument);

    /// <summary>Uniform in [0, 1).</summary>
    public static double Uniform(int seed, long a, long b = 0, long c = 0, long d = 0) =>
        (Hash(seed, a, b, c, d) >> 11) * (1.0 / (1UL << 53));

    /// <summary>Standard normal (Box–Muller on two independent uniforms).</summary>
    public static double Normal(int seed, long a, long b = 0, long c = 0, long d = 0)
    {
        var h = Hash(seed, a, b, c, d);
        var u1 = ((h >> 11) + 1) * (1.0 / ((1UL << 53) + 1));
        var u2 = (Mix(h) >> 11) * (1.0 / (1UL << 53));
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>
    /// The <paramref name="index"/>-th draw of a family whose <see cref="Hash"/> is <paramref name="family"/>:
    /// one mix instead of five, for the many draws of one scan.
    /// </summary>
    public static ulong Next(ulong family, long index) => Mix(family ^ (0x9E3779B97F4A7C15UL * (ulong)(index + 1)));

    /// <summary>
    /// A standard normal from the low 12 bits of a hash: the inverse normal CDF at the middle of one of 4,096
    /// equal slices, read from a table small enough to stay in the core's cache (tails reach ±3.5 σ; the steps
    /// are far below a dB at a few dB of noise, and RSSI is reported in whole dB).
    /// </summary>
    public static double NormalOf(ulong bits) => NormalTable[(int)(bits & (NormalSlices - 1))];

    /// <summary>How many slices <see cref="NormalOf"/> reads from: it uses the low 12 bits.</summary>
    public const int NormalSlices = 1 << 12;

    private static readonly double[] NormalTable = BuildNormalTable();

    private static double[] BuildNormalTable()
    {
        var table = new double[NormalSlices];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, (i + 0.5) / table.Length);
        }

        return table;
    }

    public static int Below(int n, int seed, long a, long b = 0, long c = 0, long d = 0) =>
        (int)(Hash(seed, a, b, c, d) % (ulong)n);

    /// <summary>SplitMix64's finaliser.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>Purposes of draws, so two draws about the same person and day never share a hash.</summary>
internal enum Purpose
{
    HomeSpot = 1,
    Shopping,
    ShopChoice,
    ShopSpot,
    BusSeat,
    Visit,
    VisitHost,
    Carriage,
    Shadowing,
    SightingNoise,
    Reception,
    Infection,
    Symptomatic,
    Tested,
    InitialInfection,
    Compliance,
    CodeEntry,
    Consent,
    Adoption,
    Invite,
    PhoneModel,
    AdvertOffset,
    Secrets,
}
