using System.Globalization;
using Bluezone.Simulation.Radio;
using Bluezone.Simulation.World;
using Bluezone.Tests;

namespace Bluezone.Simulation.Tests;

/// <summary>
/// The phones are pumped place by place on several threads ("lanes"), a block of steps at a time (a place
/// whose phones stay the same through the block in one go, the others step by step). Phones only hear phones
/// of their own place, so neither how places are split between lanes nor how steps are grouped into blocks
/// may change anything a phone heard, a history screen showed or a warning that followed.
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
    private static async Task<string> RunWithAppAsync(int lanes, int? blockSteps = null)
    {
        var options = Scenario();
        var city = new GeneratedCity(options.People, options.City, options.Seed, options.StartDate);
        var outcome = await new CityRun(options, city, PhoneModels.Defaults, new SimulationCast(), withApp: true, lanes, blockSteps).RunAsync(null, CancellationToken.None);
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

    [Fact]
    public async Task Pumping_step_by_step_or_in_blocks_of_an_hour_or_of_four_hours_gives_the_same_sightings_histories_and_warnings()
    {
        // People move between home, work, school, buses and shops during the day, so blocks hold both places
        // that keep their phones and places that do not; a block of one step is the plain step-by-step order.
        var stepByStep = await RunWithAppAsync(2, blockSteps: 1);
        var hour = await RunWithAppAsync(2, blockSteps: 12);
        var fourHours = await RunWithAppAsync(1, blockSteps: 48);

        Assert.Equal(stepByStep, hour);
        Assert.Equal(stepByStep, fourHours);
        Assert.DoesNotContain("uploads []", stepByStep, StringComparison.Ordinal);
        Assert.DoesNotContain("history 0 ", stepByStep, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_a_hall_of_70_phones_each_pair_1_m_apart_for_an_hour_is_a_detected_close_contact_and_nobody_else()
    {
        // More phones than a small place holds: the crowded path (a heap, attenuations drawn per scan). Persons
        // 2i and 2i + 1 sit 1 m apart; the pairs sit 20 m from each other, beyond radio range. Everyone lives alone.
        const int people = 70;
        var city = new ScriptedCity([.. Enumerable.Range(0, people)]);
        var hall = city.AddPlace(PlaceKind.Other);
        for (var person = 0; person < people; person++)
        {
            city.AddStay(person, new ScriptedCity.Stay(0, 10 * 60, 11 * 60, hall, person / 2 * 20f, person % 2));
        }

        // A radio without chance (no shadowing or noise, every phone in hand), so every pair looks alike.
        var options = new ScenarioOptions { Days = 1, Seed = 3 };
        options.Epidemic.HazardPerMinuteAt1m = 0;
        options.Radio.CalibrationPath = SharedData.PathOf("calibration/en-calibration-2020-06-13.csv");
        options.Radio.ShadowingSigmaDb = 0;
        options.Radio.SightingNoiseDb = 0;
        options.Radio.HandShare = 1;
        options.Radio.PocketShare = 0;

        var m = (await CitySimulator.RunAsync(options, city, new SimulationCast([.. Enumerable.Range(0, people)], []))).Metrics;

        Assert.True(m.TrueCloseContacts == people, m.ToString());
        Assert.True(m.HistoryCloseContacts == people, m.ToString());
    }
}
