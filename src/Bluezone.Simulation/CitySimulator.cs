using System.Diagnostics;
using Bluezone.Simulation.Measures;
using Bluezone.Simulation.Radio;
using Bluezone.Simulation.World;

namespace Bluezone.Simulation;

/// <summary>
/// Runs a scenario twice on the same city and seed — without the app, then with it — and scores what the
/// phones and the server detected against the truth the simulator knows.
/// </summary>
public static class CitySimulator
{
    /// <param name="world">The city; null to generate one from the options.</param>
    /// <param name="cast">Fixed app users and initial infections; null to draw them.</param>
    /// <param name="progress">Called with (phase, fraction done 0–1).</param>
    public static async Task<SimulationResult> RunAsync(
        ScenarioOptions options,
        Whereabouts? world = null,
        SimulationCast? cast = null,
        Action<string, double>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var clock = Stopwatch.StartNew();
        world ??= new GeneratedCity(options.People, options.City, options.Seed, options.StartDate);
        cast ??= new SimulationCast();
        var models = PhoneModels.Load(options.Radio.CalibrationPath);

        var withoutApp = await new CityRun(options, world, models, cast, withApp: false)
            .RunAsync(f => progress?.Invoke("without the app", f), cancellationToken);
        var withApp = await new CityRun(options, world, models, cast, withApp: true)
            .RunAsync(f => progress?.Invoke("with the app", f), cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;

        var metrics = Scoring.Score(options, world.PersonCount, withApp, withoutApp) with
        {
            RunSeconds = Math.Round(seconds, 2),
            PersonDaysPerSecond = Math.Round(world.PersonCount * (double)options.Days / seconds, 1),
        };
        var series = new DailySeries(
            withApp.DailyInfections,
            withoutApp.DailyInfections,
            withApp.DailyConfirmed,
            withApp.Detections.F1PerDay,
            withApp.Detections.F2PerDay,
            withApp.Detections.AppUsersPerDay,
            [.. withApp.Detections.HoursToWarning.Select(h => Math.Round(h, 2))]);
        var profile = new RunProfile();
        profile.Add(withoutApp.Profile);
        profile.Add(withApp.Profile);
        return new SimulationResult(options, metrics, series, models.Source) { Profile = profile };
    }
}

/// <summary>Everything a report needs.</summary>
public sealed record SimulationResult(ScenarioOptions Options, SimulationMetrics Metrics, DailySeries Series, string PhoneModels)
{
    /// <summary>Where the wall time went (both runs); not part of the metrics.</summary>
    public RunProfile Profile { get; init; } = new();
}
