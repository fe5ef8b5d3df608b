using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bluezone.Simulation;

/// <summary>
/// Everything a simulation run depends on, read from a JSON file (camelCase names, every field optional). Each
/// default says where it comes from; docs/simulation.md lists them. Validated before anything runs.
/// </summary>
public sealed class ScenarioOptions
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>Seeds every random draw of the run: the same seed gives the same metrics.</summary>
    public int Seed { get; set; } = 1;

    public int People { get; set; } = 3000;

    public int Days { get; set; } = 21;

    /// <summary>First simulated day (UTC midnight). A Monday, so the week starts with a working day.</summary>
    public DateOnly StartDate { get; set; } = new(2026, 3, 2);

    public CityOptions City { get; set; } = new();

    public RadioOptions Radio { get; set; } = new();

    public EpidemicOptions Epidemic { get; set; } = new();

    public ResponseOptions Response { get; set; } = new();

    public static ScenarioOptions Load(string path)
    {
        using var stream = File.OpenRead(path);
        var options = JsonSerializer.Deserialize<ScenarioOptions>(stream, Json)
            ?? throw new JsonException($"{path}: the scenario file holds no JSON object.");
        return options;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Throws <see cref="ArgumentException"/> naming every field that is out of range.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        Check(errors, People is >= 2 and <= 1_000_000, $"people must be 2–1,000,000, not {People}");
        Check(errors, Days is >= 1 and <= 60, $"days must be 1–60, not {Days}");
        City.Validate(errors);
        Radio.Validate(errors);
        Epidemic.Validate(errors);
        Response.Validate(errors);
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid scenario: " + string.Join("; ", errors) + ".");
        }
    }

    internal static void Check(List<string> errors, bool condition, string message)
    {
        if (!condition)
        {
            errors.Add(message);
        }
    }

    internal static void Share(List<string> errors, double value, string name) =>
        Check(errors, value is >= 0 and <= 1, $"{name} must be a share between 0 and 1, not {value}");
}

/// <summary>The synthetic city's make-up.</summary>
public sealed class CityOptions
{
    /// <summary>Shares of households with 1…5 members. Vietnam 2019 census: mean household size 3.5.</summary>
    public double[] HouseholdSizeShares { get; set; } = [0.10, 0.20, 0.25, 0.25, 0.20];

    /// <summary>Share of household members after the first two who are children (school).</summary>
    public double ChildShare { get; set; } = 0.8;

    /// <summary>Share of adults who go to a workplace (the rest stay home, with a daily market trip).</summary>
    public double WorkerShare { get; set; } = 0.7;

    /// <summary>Workers per room: OpenABM's occupation network has ≈ 7 daily contacts per adult.</summary>
    public int RoomSize { get; set; } = 8;

    /// <summary>Desk spacing in a room (m): open-plan offices and factory lines, 1–2 m.</summary>
    public double DeskSpacing { get; set; } = 1.6;

    public int ClassSize { get; set; } = 30;

    /// <summary>Pupils' seat spacing (m).</summary>
    public double SeatSpacing { get; set; } = 1.2;

    /// <summary>Share of workers who commute by bus (the rest walk or ride a motorbike, meeting no one).</summary>
    public double BusShare { get; set; } = 0.3;

    /// <summary>Riders sharing one bus route at one time.</summary>
    public int BusSize { get; set; } = 40;

    /// <summary>People per shop or market (shops are visited for an hour).</summary>
    public int PeoplePerShop { get; set; } = 150;

    /// <summary>Chance that a worker shops after work on a weekday.</summary>
    public double WeekdayShopping { get; set; } = 0.3;

    /// <summary>Chance that anyone shops (weekend) or goes to the market (adults at home, daily).</summary>
    public double MarketVisit { get; set; } = 0.4;

    /// <summary>Chance that a household visits another on a weekend afternoon (random encounters).</summary>
    public double WeekendVisit { get; set; } = 0.15;

    internal void Validate(List<string> errors)
    {
        ScenarioOptions.Check(errors, HouseholdSizeShares is { Length: 5 } && HouseholdSizeShares.All(s => s >= 0) && HouseholdSizeShares.Sum() > 0, "city.householdSizeShares must be five non-negative shares (sizes 1–5)");
        ScenarioOptions.Share(errors, ChildShare, "city.childShare");
        ScenarioOptions.Share(errors, WorkerShare, "city.workerShare");
        ScenarioOptions.Share(errors, BusShare, "city.busShare");
        ScenarioOptions.Share(errors, WeekdayShopping, "city.weekdayShopping");
        ScenarioOptions.Share(errors, MarketVisit, "city.marketVisit");
        ScenarioOptions.Share(errors, WeekendVisit, "city.weekendVisit");
        ScenarioOptions.Check(errors, RoomSize is >= 1 and <= 200, "city.roomSize must be 1–200");
        ScenarioOptions.Check(errors, ClassSize is >= 1 and <= 200, "city.classSize must be 1–200");
        ScenarioOptions.Check(errors, BusSize is >= 1 and <= 200, "city.busSize must be 1–200");
        ScenarioOptions.Check(errors, PeoplePerShop is >= 10 and <= 100_000, "city.peoplePerShop must be 10–100,000");
        ScenarioOptions.Check(errors, DeskSpacing is > 0.2 and <= 20 && SeatSpacing is > 0.2 and <= 20, "city.deskSpacing and city.seatSpacing must be 0.2–20 m");
    }
}

/// <summary>
/// The radio channel: attenuation = <see cref="AttenuationAt1m"/> + 10·<see cref="PathLossExponent"/>·log10(d)
/// + carriage of both phones + per-encounter shadowing + per-sighting noise.
/// </summary>
public sealed class RadioOptions
{
    /// <summary>
    /// Calibration table CSV. Each phone's model is drawn from its rows; every phone's radio is biased exactly as
    /// its row says (so the correction the device applies is right). Null or missing file: every phone is the
    /// device's documented default (rssi correction −4, tx −24 dBm).
    /// </summary>
    public string? CalibrationPath { get; set; } = "../shared/data/calibration/en-calibration-2020-06-13.csv";

    /// <summary>
    /// Attenuation at 1 m, phones in hand (dB): chosen so that the default configuration's buckets (55/63/73 dB)
    /// fall near 1, 2 and 5 m with typical carriage (≈ 5 dB for both phones), as they were meant to.
    /// </summary>
    public double AttenuationAt1m { get; set; } = 47;

    /// <summary>Path-loss exponent: 2 in free space; 2.5–3.5 indoors with people and furniture around.</summary>
    public double PathLossExponent { get; set; } = 3.0;

    /// <summary>Per-encounter shadowing spread (dB): REFERENCE.md, "typical shadowing spread ≈ 6 dB".</summary>
    public double ShadowingSigmaDb { get; set; } = 6;

    /// <summary>Per-sighting noise (dB), averaged away over a scan's ≈ 16 sightings.</summary>
    public double SightingNoiseDb { get; set; } = 2;

    /// <summary>Extra loss of a phone carried in a pocket (body in the way): a few dB.</summary>
    public double PocketDb { get; set; } = 3;

    /// <summary>Extra loss of a phone in a bag (REFERENCE.md: bodies in between change the signal by up to ±10 dB).</summary>
    public double BagDb { get; set; } = 8;

    /// <summary>Share of person-days with the phone in hand or on a desk; the rest are split pocket/bag.</summary>
    public double HandShare { get; set; } = 0.4;

    public double PocketShare { get; set; } = 0.45;

    /// <summary>Farther than this nothing is delivered (it would be below the receiver's sensitivity anyway).</summary>
    public double MaxRangeMeters { get; set; } = 15;

    /// <summary>Receiver sensitivity (dBm as the phone reports): weaker advertisements are not heard.</summary>
    public int SensitivityDbm { get; set; } = -100;

    /// <summary>Share of the ≈ 16 advertisements per scan that the scanner reports (GAEN low-latency scans catch most).</summary>
    public double ReceptionShare { get; set; } = 0.75;

    internal void Validate(List<string> errors)
    {
        ScenarioOptions.Check(errors, AttenuationAt1m is >= 0 and <= 100, "radio.attenuationAt1m must be 0–100 dB");
        ScenarioOptions.Check(errors, PathLossExponent is >= 1 and <= 6, "radio.pathLossExponent must be 1–6");
        ScenarioOptions.Check(errors, ShadowingSigmaDb is >= 0 and <= 30 && SightingNoiseDb is >= 0 and <= 30, "radio.shadowingSigmaDb and radio.sightingNoiseDb must be 0–30 dB");
        ScenarioOptions.Check(errors, PocketDb is >= 0 and <= 40 && BagDb is >= 0 and <= 40, "radio.pocketDb and radio.bagDb must be 0–40 dB");
        ScenarioOptions.Check(errors, HandShare >= 0 && PocketShare >= 0 && HandShare + PocketShare <= 1, "radio.handShare + radio.pocketShare must be shares adding up to at most 1");
        ScenarioOptions.Check(errors, MaxRangeMeters is > 0 and <= 100, "radio.maxRangeMeters must be 0–100 m");
        ScenarioOptions.Check(errors, SensitivityDbm is >= -127 and <= -30, "radio.sensitivityDbm must be −127…−30");
        ScenarioOptions.Check(errors, ReceptionShare is > 0 and <= 1, "radio.receptionShare must be in (0, 1]");
    }
}

/// <summary>The epidemic: who infects whom, and how the infected are found without the app.</summary>
public sealed class EpidemicOptions
{
    /// <summary>Infected at the start, spread over the 0–5 days before (a share of the population).</summary>
    public double InitialInfectedShare { get; set; } = 0.005;

    /// <summary>
    /// Infection hazard per minute at ≤ 1 m with a fully infectious person; falls as 1/d² beyond 1 m, nothing
    /// beyond <see cref="MaxDistanceMeters"/>. Tuned (not measured) so that a household attack rate is ≈ 20–30 % and the epidemic grows with R ≈ 1.5–2.
    /// </summary>
    public double HazardPerMinuteAt1m { get; set; } = 0.0004;

    public double MaxDistanceMeters { get; set; } = 5;

    /// <summary>Relative infectiousness by day since infection (day 0 first); peaks around symptom onset (day 5).</summary>
    public double[] InfectiousnessByDay { get; set; } = [0, 0.05, 0.3, 0.7, 1.0, 1.0, 0.8, 0.55, 0.35, 0.2, 0.1, 0.05];

    /// <summary>Share of infections without symptoms: OpenABM-Covid19 uses 0.18–0.45 by age.</summary>
    public double AsymptomaticShare { get; set; } = 0.3;

    /// <summary>Relative infectiousness of an asymptomatic case: OpenABM-Covid19's asymptomatic factor 0.33.</summary>
    public double AsymptomaticInfectiousness { get; set; } = 0.33;

    /// <summary>Days from infection to symptoms: mean incubation ≈ 5 days.</summary>
    public int IncubationDays { get; set; } = 5;

    /// <summary>Share of symptomatic people who get tested.</summary>
    public double TestingShare { get; set; } = 0.7;

    /// <summary>Days from symptoms (or a warning) to a confirmed result: OpenABM-Covid19's test wait is 1 day; 2 with the trip to test.</summary>
    public int TestingDelayDays { get; set; } = 2;

    internal void Validate(List<string> errors)
    {
        ScenarioOptions.Share(errors, InitialInfectedShare, "epidemic.initialInfectedShare");
        ScenarioOptions.Check(errors, HazardPerMinuteAt1m is >= 0 and <= 1, "epidemic.hazardPerMinuteAt1m must be 0–1");
        ScenarioOptions.Check(errors, MaxDistanceMeters is > 0 and <= 50, "epidemic.maxDistanceMeters must be 0–50 m");
        ScenarioOptions.Check(errors, InfectiousnessByDay is { Length: >= 1 and <= 60 } && InfectiousnessByDay.All(v => v is >= 0 and <= 10), "epidemic.infectiousnessByDay must hold 1–60 values 0–10");
        ScenarioOptions.Share(errors, AsymptomaticShare, "epidemic.asymptomaticShare");
        ScenarioOptions.Share(errors, AsymptomaticInfectiousness, "epidemic.asymptomaticInfectiousness");
        ScenarioOptions.Share(errors, TestingShare, "epidemic.testingShare");
        ScenarioOptions.Check(errors, IncubationDays is >= 0 and <= 30, "epidemic.incubationDays must be 0–30");
        ScenarioOptions.Check(errors, TestingDelayDays is >= 0 and <= 14, "epidemic.testingDelayDays must be 0–14");
    }
}

/// <summary>The app and the public-health response.</summary>
public sealed class ResponseOptions
{
    /// <summary>Share of people with the app on day 0.</summary>
    public double Adoption { get; set; } = 0.6;

    /// <summary>"Install for yourself and 3 others": each new user invites this many people (0: no growth).</summary>
    public int Invites { get; set; }

    /// <summary>Chance that an invited person installs (the next day).</summary>
    public double InviteAcceptance { get; set; } = 0.3;

    /// <summary>Chance that a confirmed app user enters the code and consents to the upload.</summary>
    public double CodeEntryShare { get; set; } = 0.8;

    /// <summary>Chance that an F1 consents to the recursive upload (warning their own contacts).</summary>
    public double RecursiveConsentShare { get; set; } = 0.5;

    /// <summary>Chance that a warned F1 stays home for <see cref="QuarantineDays"/> and gets tested.</summary>
    public double F1Compliance { get; set; } = 0.7;

    /// <summary>Chance that a warned F2 stays home (a softer advice: watch for symptoms, limit contacts).</summary>
    public double F2Compliance { get; set; } = 0.3;

    /// <summary>REFERENCE.md (OpenABM-Covid19): quarantine 14 days.</summary>
    public int QuarantineDays { get; set; } = 14;

    /// <summary>How often phones sync with the server (download exports, match): every few hours.</summary>
    public int SyncIntervalHours { get; set; } = 4;

    internal void Validate(List<string> errors)
    {
        ScenarioOptions.Share(errors, Adoption, "response.adoption");
        ScenarioOptions.Check(errors, Invites is >= 0 and <= 20, "response.invites must be 0–20");
        ScenarioOptions.Share(errors, InviteAcceptance, "response.inviteAcceptance");
        ScenarioOptions.Share(errors, CodeEntryShare, "response.codeEntryShare");
        ScenarioOptions.Share(errors, RecursiveConsentShare, "response.recursiveConsentShare");
        ScenarioOptions.Share(errors, F1Compliance, "response.f1Compliance");
        ScenarioOptions.Share(errors, F2Compliance, "response.f2Compliance");
        ScenarioOptions.Check(errors, QuarantineDays is >= 0 and <= 30, "response.quarantineDays must be 0–30");
        ScenarioOptions.Check(errors, SyncIntervalHours is 1 or 2 or 3 or 4 or 6 or 8 or 12 or 24, "response.syncIntervalHours must divide 24 (1, 2, 3, 4, 6, 8, 12 or 24)");
    }
}
