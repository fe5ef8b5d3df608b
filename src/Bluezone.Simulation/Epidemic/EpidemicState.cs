using Bluezone.Simulation.World;

namespace Bluezone.Simulation.Epidemic;

/// <summary>
/// Who is infected since when, and how infectious they are: a profile over days since infection, lower for
/// asymptomatic cases. The hazard of one 5-minute step at distance d is
/// rate · w(d) · infectiousness, w(d) = 1 within 1 m, 1/d² beyond, 0 past the maximum distance; the chance of
/// infection is 1 − exp(−hazard), drawn from a hash of (susceptible, infector, step).
/// </summary>
internal sealed class EpidemicState
{
    public const int Never = int.MaxValue;

    private readonly EpidemicOptions _options;
    private readonly int _seed;
    private readonly int[] _infectedStep;
    private readonly bool[] _asymptomatic;

    public EpidemicState(int people, EpidemicOptions options, int seed)
    {
        _options = options;
        _seed = seed;
        _infectedStep = new int[people];
        _asymptomatic = new bool[people];
        Array.Fill(_infectedStep, Never);
    }

    public int InfectedStep(int person) => _infectedStep[person];

    public bool IsInfected(int person) => _infectedStep[person] != Never;

    public bool IsAsymptomatic(int person) => _asymptomatic[person];

    /// <summary>Infections during the run (not the seeded initial ones).</summary>
    public int NewInfections { get; private set; }

    /// <summary>New infections by day.</summary>
    public List<int> DailyInfections { get; } = [];

    /// <summary>Infects <paramref name="person"/> at <paramref name="step"/> (negative for before the start).</summary>
    public void Infect(int person, int step, bool initial)
    {
        if (_infectedStep[person] != Never)
        {
            return;
        }

        _infectedStep[person] = step;
        _asymptomatic[person] = Draw.Uniform(_seed, (long)Purpose.Symptomatic, person) < _options.AsymptomaticShare;
        if (!initial)
        {
            NewInfections++;
            var day = step / Whereabouts.StepsPerDay;
            while (DailyInfections.Count <= day)
            {
                DailyInfections.Add(0);
            }

            DailyInfections[day]++;
        }
    }

    /// <summary>Relative infectiousness of <paramref name="person"/> at <paramref name="step"/>; 0 when not infectious.</summary>
    public double Infectiousness(int person, int step)
    {
        var since = _infectedStep[person];
        if (since == Never || since >= step)
        {
            return 0;
        }

        var day = (step - since) / Whereabouts.StepsPerDay;
        var profile = _options.InfectiousnessByDay;
        if (day >= profile.Length)
        {
            return 0;
        }

        return profile[day] * (_asymptomatic[person] ? _options.AsymptomaticInfectiousness : 1);
    }

    /// <summary>Whether the susceptible <paramref name="person"/> catches it from <paramref name="infector"/> in one step.</summary>
    public bool Transmits(int person, int infector, int step, double distance, double infectiousness)
    {
        if (distance > _options.MaxDistanceMeters || infectiousness <= 0)
        {
            return false;
        }

        var weight = distance <= 1 ? 1 : 1 / (distance * distance);
        var hazard = _options.HazardPerMinuteAt1m * Whereabouts.StepMinutes * weight * infectiousness;
        return Draw.Uniform(_seed, (long)Purpose.Infection, person, infector, step) < 1 - Math.Exp(-hazard);
    }

    /// <summary>Would a test at <paramref name="step"/> be positive: infected at least two days before, within three weeks.</summary>
    public bool TestsPositive(int person, int step)
    {
        var since = _infectedStep[person];
        return since != Never && step - since >= 2 * Whereabouts.StepsPerDay && step - since < 21 * Whereabouts.StepsPerDay;
    }
}
