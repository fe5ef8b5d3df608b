using System.Text.Json.Nodes;
using Bluezone.Simulation.Report;
using Bluezone.Simulation.World;
using Bluezone.Tests;

namespace Bluezone.Simulation.Tests;

/// <summary>
/// Small scripted cities run end to end: real device cores, the real server on loopback, warnings from real
/// exports. Transmission is off where a test is about detection, so only the scripted case is infected.
/// </summary>
public sealed class ScenarioTests
{
    private const int Hour = 60;

    /// <summary>One index case infected on day 0, with symptoms on day <paramref name="onsetDay"/>, confirmed <paramref name="testDelay"/> days later, uploading.</summary>
    private static ScenarioOptions DetectionScenario(int days, int onsetDay, int testDelay)
    {
        var options = new ScenarioOptions { Days = days, Seed = 7 };
        options.Radio.CalibrationPath = SharedData.PathOf("calibration/en-calibration-2020-06-13.csv");
        options.Epidemic.HazardPerMinuteAt1m = 0;
        options.Epidemic.AsymptomaticShare = 0;
        options.Epidemic.TestingShare = 1;
        options.Epidemic.IncubationDays = onsetDay;
        options.Epidemic.TestingDelayDays = testDelay;
        options.Response.CodeEntryShare = 1;
        options.Response.RecursiveConsentShare = 1;
        options.Response.F1Compliance = 0;
        options.Response.F2Compliance = 0;
        return options;
    }

    private static SimulationCast IndexCase(int people) =>
        new([.. Enumerable.Range(0, people)], [new InitialInfection(0, 0)]);

    [Theory]
    [InlineData(1.0, 1)]
    [InlineData(8.0, 0)]
    public async Task Two_people_sitting_1_m_apart_for_an_hour_are_a_detected_close_contact_and_8_m_apart_are_not(double metres, int closeContacts)
    {
        // Persons 0 and 1 live alone and sit in a hall for an hour on day 0; nothing else.
        var city = new ScriptedCity([0, 1]);
        var hall = city.AddPlace(PlaceKind.Other);
        city.AddStay(0, new ScriptedCity.Stay(0, 10 * Hour, 11 * Hour, hall, 5, 5));
        city.AddStay(1, new ScriptedCity.Stay(0, 10 * Hour, 11 * Hour, hall, 5 + (float)metres, 5));
        var options = DetectionScenario(1, onsetDay: 1, testDelay: 0);

        var m = (await CitySimulator.RunAsync(options, city, new SimulationCast([0, 1], []))).Metrics;

        // Each phone's history screen for day 0 against the truth: one close contact each, or none.
        Assert.True(m.TrueCloseContacts == 2 * closeContacts, m.ToString());
        Assert.True(m.HistoryCloseContacts == 2 * closeContacts, m.ToString());
        Assert.Equal(0, m.HistoryPeopleCountErrorMedian);
    }

    [Fact]
    public async Task A_confirmed_cases_close_contacts_of_an_hour_at_1_m_are_all_warned_F1()
    {
        // Person 0 (the index case) sits at the centre of a hall for an hour on day 0; persons 1–4 at 1 m
        // around, persons 5–12 on a circle of 8 m. Everyone lives alone.
        const int near = 4;
        const int far = 8;
        var city = new ScriptedCity([.. Enumerable.Range(0, 1 + near + far)]);
        var hall = city.AddPlace(PlaceKind.Other);
        city.AddStay(0, new ScriptedCity.Stay(0, 10 * Hour, 11 * Hour, hall, 20, 20));
        for (var i = 0; i < near + far; i++)
        {
            var radius = i < near ? 1.0 : 8.0;
            var angle = 2 * Math.PI * i / (i < near ? near : far);
            city.AddStay(1 + i, new ScriptedCity.Stay(0, 10 * Hour, 11 * Hour, hall, (float)(20 + (radius * Math.Cos(angle))), (float)(20 + (radius * Math.Sin(angle)))));
        }

        var result = await CitySimulator.RunAsync(DetectionScenario(2, onsetDay: 1, testDelay: 0), city, IndexCase(city.PersonCount));

        var m = result.Metrics;
        Assert.Equal(1, m.F0Uploads);
        Assert.True(m.CloseContactTruePositiveRate == 1.0, m.ToString());
        Assert.True(m.F1Recall == 1.0, m.ToString());

        // An hour at 8 m is often in the configuration's medium bucket (weight 0.5, ≤ 73 dB): those warnings
        // are the exposure-notification false positives the report measures; they are not close contacts.
        Assert.NotNull(m.CloseContactFalsePositiveRate);
        Assert.InRange(m.WarnedF1, near, near + far);
    }

    [Fact]
    public async Task An_F0s_household_becomes_F1_and_their_colleagues_met_only_by_the_F1s_become_F2()
    {
        // Household: persons 0 (index case), 1 and 2 at home together every evening and night. Persons 1 and 2
        // work every day next to persons 3 and 4, who never meet person 0. The index case has symptoms on day 4
        // and is confirmed at the start of day 7: it uploads days 2–6 (onset − 2 on), so the F1s' exposure is
        // day 2, and their uploads cover days 2–6. The server dates an F1's infectiousness from exposure + 5
        // days, so the colleagues' days 5 and 6 weigh (DESIGN.md §6, docs/server.md).
        var city = new ScriptedCity([0, 0, 0, 1, 2]);
        city.SetHomeSpot(0, 1, 1);
        city.SetHomeSpot(1, 2, 1);
        city.SetHomeSpot(2, 1, 2);
        var office = city.AddPlace(PlaceKind.Workplace);
        for (var day = 0; day < 7; day++)
        {
            city.AddStay(1, new ScriptedCity.Stay(day, 8 * Hour, 17 * Hour, office, 0, 0));
            city.AddStay(3, new ScriptedCity.Stay(day, 8 * Hour, 17 * Hour, office, 1, 0));
            city.AddStay(2, new ScriptedCity.Stay(day, 8 * Hour, 17 * Hour, office, 10, 10));
            city.AddStay(4, new ScriptedCity.Stay(day, 8 * Hour, 17 * Hour, office, 11, 10));
        }

        var result = await CitySimulator.RunAsync(DetectionScenario(8, onsetDay: 4, testDelay: 3), city, IndexCase(city.PersonCount));

        var m = result.Metrics;
        Assert.Equal(1, m.F0Uploads);
        Assert.Equal(2, m.WarnedF1);
        Assert.Equal(1.0, m.F1Precision);
        Assert.Equal(2, m.RecursiveUploads);
        Assert.Equal(0, m.RecursiveRefused);
        Assert.True(m.WarnedF2 == 2, m.ToString());
        Assert.Equal(1.0, m.F2Precision);
        Assert.Equal(1.0, m.F2Recall);
    }

    [Fact]
    public async Task With_adoption_0_nobody_is_warned_and_infections_equal_the_run_without_the_app()
    {
        var options = new ScenarioOptions { People = 400, Days = 7, Seed = 3 };
        options.Response.Adoption = 0;
        options.Epidemic.InitialInfectedShare = 0.03;

        var m = (await CitySimulator.RunAsync(options)).Metrics;

        Assert.Equal(0, m.AppUsers);
        Assert.Equal(0, m.WarnedF1 + m.WarnedF2 + m.F0Uploads);
        Assert.True(m.InfectionsWithoutApp > 0, "the epidemic must spread for the comparison to mean anything");
        Assert.Equal(m.InfectionsWithoutApp, m.InfectionsWithApp);
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_metrics()
    {
        var options = new ScenarioOptions { People = 150, Days = 4, Seed = 11 };
        options.Epidemic.InitialInfectedShare = 0.05;
        options.Epidemic.IncubationDays = 1;
        options.Epidemic.TestingDelayDays = 1;

        var first = ReportWriter.MetricsJson(await CitySimulator.RunAsync(options));
        var second = ReportWriter.MetricsJson(await CitySimulator.RunAsync(options));

        foreach (var timing in new[] { "runSeconds", "personDaysPerSecond" })
        {
            first.Remove(timing);
            second.Remove(timing);
        }

        Assert.True(JsonNode.DeepEquals(first, second), $"{first.ToJsonString()}\n≠\n{second.ToJsonString()}");
        Assert.True((int)first["appUsers"]! > 0);
    }

    [Fact]
    public async Task With_invites_each_new_user_brings_others_and_adoption_grows_day_by_day()
    {
        var options = new ScenarioOptions { People = 300, Days = 4, Seed = 2 };
        options.Response.Adoption = 0.05;
        options.Response.Invites = 3;
        options.Response.InviteAcceptance = 0.5;
        options.Epidemic.InitialInfectedShare = 0;

        var result = await CitySimulator.RunAsync(options);

        var curve = result.Series.AppUsers;
        Assert.True(curve[0] > 0, string.Join(",", curve));
        for (var day = 1; day < curve.Length; day++)
        {
            Assert.True(curve[day] > curve[day - 1], string.Join(",", curve));
        }

        Assert.Equal(curve[^1], result.Metrics.AppUsers);
    }

    [Fact]
    public void A_scenario_out_of_range_is_refused_with_every_reason()
    {
        var options = new ScenarioOptions { People = 1, Days = 0 };
        options.Response.Adoption = 1.5;

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("people", error.Message, StringComparison.Ordinal);
        Assert.Contains("days", error.Message, StringComparison.Ordinal);
        Assert.Contains("response.adoption", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_report_holds_the_metrics_and_five_charts()
    {
        var options = new ScenarioOptions { People = 120, Days = 3, Seed = 5 };
        options.Epidemic.InitialInfectedShare = 0.05;
        var result = await CitySimulator.RunAsync(options);
        var directory = Directory.CreateTempSubdirectory("bluezone-report-").FullName;
        try
        {
            ReportWriter.Write(result, directory);

            var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, ReportWriter.MetricsFile)))!.AsObject();
            foreach (var key in new[] { "people", "appUsers", "days", "closeContactTruePositiveRate", "closeContactFalsePositiveRate", "f1Precision", "f1Recall", "f2Precision", "f2Recall", "medianHoursConfirmationToWarning", "historyPeopleCountErrorMedian", "infectionsWithApp", "infectionsWithoutApp", "runSeconds", "personDaysPerSecond" })
            {
                Assert.True(metrics.ContainsKey(key), key);
            }

            var html = File.ReadAllText(Path.Combine(directory, ReportWriter.ReportFile));
            foreach (var png in new[] { "epidemic.png", "warnings.png", "detection.png", "adoption.png", "time-to-warning.png" })
            {
                var bytes = File.ReadAllBytes(Path.Combine(directory, png));
                Assert.True(bytes.AsSpan().StartsWith(new byte[] { 0x89, 0x50, 0x4E, 0x47 }), png);
                Assert.True(bytes.Length > 5000, $"{png} is only {bytes.Length} bytes");
                Assert.Contains(png, html, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
