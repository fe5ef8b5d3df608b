namespace Bluezone.Simulation.World;

/// <summary>
/// Counter-based random draws: a value is a hash of the seed and what it is about (person, day, step…), not the
/// next number of a shared stream. So a draw does not depend on the order things are visited in, and the run
/// with the app and the run without it see the same dice wherever their worlds have not diverged.
/// </summary>
internal static class Draw
{
    public static ulong Hash(int seed, long a, long b = 0, long c = 0, long d = 0)
    {
        var h = Mix((ulong)(uint)seed ^ 0x9E3779B97F4A7C15UL);
        h = Mix(h ^ (ulong)a);
        h = Mix(h ^ (ulong)b);
        h = Mix(h ^ (ulong)c);
        return Mix(h ^ (ulong)d);
    }

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
