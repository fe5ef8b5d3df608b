using System.Globalization;
using Bluezone.Simulation.Radio;
using Bluezone.Simulation.World;

namespace Bluezone.Simulation.Tests;

/// <summary>
/// The phones of a step are pumped place by place on several threads ("lanes"). Phones only hear phones of
/// their own place, so how places are split between lanes must not change anything a phone heard, a history
/// screen showed or a warning that followed.
/// </summary>
public sealed class PhoneSchedulingTests
{
    private static ScenarioOptions Scenario()
    {
        var options = new ScenarioOptions { People = 300, Days = 3, Seed = 5 };
        options.Response.Adoption = 0.7;
        options.Epidemic.InitialInfectedShare = 0.05;
        options.Epidemic.IncubationDays = 1;
        options.Epidemic.TestingDelayDays = 0;
        return options;
    }

    /// <summary>Everything of a run with the app that depends on what the phones heard, as one comparable text.</summary>
    private static async Task<string> RunWithAppAsync(int lanes)
    {
        var options = Scenario();
        var city = new GeneratedCity(options.People, options.City, options.Seed, options.StartDate);
        var outcome = await new CityRun(options, city, PhoneModels.Defaults, new SimulationCast(), withApp: true, lanes).RunAsync(null, CancellationToken.None);
        var d = outcome.Detections;
        return string.Join(
            '\n',
            $"infections {outcome.NewInfections} [{string.Join(',', outcome.DailyInfections)}] confirmed [{string.Join(',', outcome.DailyConfirmed)}]",
            $"history {d.HistoryCloseContacts} truth {d.TrueCloseContacts} errors [{string.Join(',', d.HistoryErrors)}]",
            $"risky [{string.Join(';', d.RiskyExposures.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Person} {e.Key} {e.Day}")).Order(StringComparer.Ordinal))}]",
            $"F1 [{string.Join(',', d.WarnedF1.Order())}] F2 [{string.Join(',', d.WarnedF2.Order())}] uploads [{string.Join(',', d.ConfirmedUploads.Keys.Order())}]");
    }

    [Fact]
    public async Task One_two_or_three_lanes_give_the_same_sightings_histories_and_warnings()
    {
        var one = await RunWithAppAsync(1);
        var two = await RunWithAppAsync(2);
        var three = await RunWithAppAsync(3);

        Assert.Equal(one, two);
        Assert.Equal(one, three);

        // The comparison means something only if phones heard each other and someone was confirmed.
        Assert.Contains("uploads [", one, StringComparison.Ordinal);
        Assert.DoesNotContain("uploads []", one, StringComparison.Ordinal);
        Assert.DoesNotContain("history 0 ", one, StringComparison.Ordinal);
    }
}
