using System.Security.Cryptography;
using Bluezone.Device.Matching;
using Bluezone.Device.Storage;
using Bluezone.Device.Reporting;
using Bluezone.Device.Sync;
using Bluezone.Device.Warnings;
using Bluezone.Protocol.Configuration;
using Bluezone.Protocol.Export;
using Bluezone.Protocol.Keys;
using Bluezone.Protocol.Time;
using Bluezone.Simulation.Epidemic;
using Bluezone.Simulation.Measures;
using Bluezone.Simulation.Radio;
using Bluezone.Simulation.Response;
using Bluezone.Simulation.World;

namespace Bluezone.Simulation;

/// <summary>
/// One run of the city, with the app or without it. Time advances in 5-minute steps: people are placed,
/// ground truth and infections are computed from their distances, then every phone is pumped at the times it
/// asks for within the step, and hears the phones of the same place while it scans. Every few hours the
/// authority, the phones and the server talk over HTTP: confirmed cases' codes and uploads, F1s' recursive
/// uploads, the due export batch, and each phone's matching of what it has not seen yet.
/// </summary>
internal sealed partial class CityRun
{
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(Whereabouts.StepMinutes);
    private static readonly TimeSpan AdvertisingInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan ScanWindow = TimeSpan.FromSeconds(4);

    private readonly ScenarioOptions _options;
    private readonly Whereabouts _world;
    private readonly PhoneModels _models;
    private readonly SimulationCast _cast;
    private readonly bool _withApp;
    private readonly int _seed;
    private readonly int _people;
    private readonly DateTimeOffset _start;
    private readonly SimulatedClock _clock;
    private readonly RadioChannel _channel;
    private readonly EpidemicState _epidemic;

    // Where everyone is in the current step: a linked list of occupants per place.
    private readonly Location[] _location;
    private readonly int[] _nextInPlace;
    private readonly int[] _placeHead;

    // The same for phones only (what the radio part walks), and each person's carriage loss today.
    private readonly int[] _nextPhoneInPlace;
    private readonly int[] _phoneHead;
    private readonly double[] _carriageLoss;
    private readonly List<int> _occupied = [];

    private readonly double[] _infectiousness;

    // Whether anyone infectious is in a place this step: elsewhere nobody can be infected, so only phone pairs matter.
    private readonly bool[] _someoneInfectious;

    // Response state.
    private readonly int[] _stayHomeUntil;
    private readonly int[] _confirmedStep;
    private readonly PriorityQueue<(int Person, bool AfterWarning), int> _testResults = new();
    private readonly List<int> _pendingCodes = [];
    private readonly int[] _confirmedPerDay;

    // Phones.
    private readonly SimulatedPhone?[] _phones;
    private readonly int[] _installDay;
    private readonly long[] _nextWake;

    /// <summary>People located per task when everyone is placed (large enough that taking a chunk costs nothing).</summary>
    private const int PlaceChunk = 4096;

    private readonly Lane[] _lanes;
    private readonly List<int> _toInstall = [];
    private readonly CityCodebook? _codebook;
    private int _appUsers;

    private readonly GroundTruth _truth;
    private readonly Detections _detections;
    private readonly RunProfile _profile = new();

    /// <param name="lanes">Threads the phones are pumped on; null: one per core, at most 4. The result does not depend on it.</param>
    /// <param name="blockSteps">Steps pumped as one block at most (see <see cref="StepBlock"/>); null: an hour. The result does not depend on it.</param>
    public CityRun(ScenarioOptions options, Whereabouts world, PhoneModels models, SimulationCast cast, bool withApp, int? lanes = null, int? blockSteps = null)
    {
        _options = options;
        _world = world;
        _models = models;
        _cast = cast;
        _withApp = withApp;
        _seed = options.Seed;
        _people = world.PersonCount;
        _start = new DateTimeOffset(options.StartDate.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        _clock = new SimulatedClock(_start);
        _channel = new RadioChannel(options.Radio, _seed);
        _epidemic = new EpidemicState(_people, options.Epidemic, _seed);
        _location = new Location[_people];
        _nextInPlace = new int[_people];
        _placeHead = new int[world.PlaceCount];
        Array.Fill(_placeHead, -1);
        _nextPhoneInPlace = new int[_people];
        _phoneHead = new int[world.PlaceCount];
        Array.Fill(_phoneHead, -1);
        _carriageLoss = new double[_people];
        _infectiousness = new double[_people];
        _someoneInfectious = new bool[world.PlaceCount];
        _stayHomeUntil = new int[_people];
        _confirmedStep = new int[_people];
        Array.Fill(_confirmedStep, EpidemicState.Never);
        _confirmedPerDay = new int[options.Days];
        _phones = new SimulatedPhone?[_people];
        _installDay = new int[_people];
        _nextWake = new long[_people];
        _lanes = [.. Enumerable.Range(0, lanes ?? Math.Clamp(Environment.ProcessorCount, 1, 4)).Select(_ => new Lane())];
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSteps ?? 1, 1, nameof(blockSteps));
        _block = new StepBlock(withApp ? blockSteps ?? DefaultBlockSteps : 1, withApp ? _people : 0, withApp ? world.PlaceCount : 0, _start.UtcTicks);
        Array.Fill(_installDay, -1);
        _codebook = withApp ? new CityCodebook(_people) : null;
        _truth = new GroundTruth(_people, options.Days);
        _detections = new Detections(options.Days);
    }

    private int TotalSteps => _options.Days * Whereabouts.StepsPerDay;

    public async Task<RunOutcome> RunAsync(Action<double>? progress, CancellationToken cancellationToken)
    {
        SeedInfections();
        if (_withApp)
        {
            foreach (var person in _cast.AppUsers ?? Enumerable.Range(0, _people).Where(p => Draw.Uniform(_seed, (long)Purpose.Adoption, p) < _options.Response.Adoption))
            {
                _toInstall.Add(person);
            }
        }

        var exchange = _withApp && (_toInstall.Count > 0 || _options.Response.Invites > 0)
            ? await ServerExchange.StartAsync(_clock, cancellationToken)
            : null;
        try
        {
            var syncSteps = _options.Response.SyncIntervalHours * 60 / Whereabouts.StepMinutes;
            for (var step = 0; step < TotalSteps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var started = _profile.Start();
                var day = step / Whereabouts.StepsPerDay;
                var stepStart = _start + (Step * step);
                if (step % Whereabouts.StepsPerDay == 0)
                {
                    _clock.Set(stepStart);
                    InstallPending(day, stepStart);
                }

                if (step % Whereabouts.StepsPerDay == 1 && _withApp)
                {
                    PrepareCodebook(day);
                    _profile.Stop(RunPhase.Other, started);
                    started = _profile.Start();
                    ReturnYesterdaysGarbage();
                    _profile.Stop(RunPhase.DailyCollection, started);
                    started = _profile.Start();
                }

                TestResults(step);
                _profile.Stop(RunPhase.Other, started);
                if (exchange is not null && step % syncSteps == 0)
                {
                    _clock.Set(stepStart);
                    await SyncAsync(exchange, step, cancellationToken);
                }

                started = _profile.Start();
                PlaceEveryone(step, day);
                _profile.Stop(RunPhase.Place, started);
                started = _profile.Start();
                MeetAndInfect(step, day);
                _profile.Stop(RunPhase.Meet, started);
                if (_withApp)
                {
                    started = _profile.Start();
                    _block.Record(step, _phoneHead, _nextPhoneInPlace, _location, _occupied);
                    if (BlockEndsAfter(step, syncSteps, exchange is not null))
                    {
                        PumpBlock(day);
                    }

                    _profile.Stop(RunPhase.PumpAndHear, started);
                }
                if ((step + 1) % Whereabouts.StepsPerDay == 0)
                {
                    started = _profile.Start();
                    _clock.Set(stepStart + Step);
                    EndOfDay(day);
                    _profile.Stop(RunPhase.EndOfDay, started);
                    progress?.Invoke((double)(day + 1) / _options.Days);
                }
            }

            if (exchange is not null)
            {
                // The last day's keys expire at the end: one more sync so they count.
                _clock.Set(_start + (Step * TotalSteps));
                await SyncAsync(exchange, TotalSteps, cancellationToken);
            }

            foreach (var phone in _phones)
            {
                if (phone is not null)
                {
                    foreach (var exposure in phone.Store.LoadExposureDays().Where(e => e.IsRisky))
                    {
                        _detections.RiskyExposures.Add((phone.Person, Detections.Id(exposure.KeyData), exposure.Day));
                    }
                }
            }
        }
        finally
        {
            if (exchange is not null)
            {
                await exchange.DisposeAsync();
            }

            foreach (var phone in _phones)
            {
                phone?.Dispose();
            }

            foreach (var lane in _lanes)
            {
                _profile.AddLane(lane.PumpTicks * Lane.SampleEvery, lane.HearTicks * Lane.SampleEvery);
            }
        }

        return new RunOutcome(
            _epidemic.NewInfections,
            Pad(_epidemic.DailyInfections, _options.Days),
            [.. _confirmedPerDay],
            _truth,
            _detections,
            _appUsers,
            _detections.WarnedF1.Count(_epidemic.IsInfected),
            _profile);
    }

    private static int[] Pad(List<int> values, int length)
    {
        var result = new int[length];
        for (var i = 0; i < Math.Min(length, values.Count); i++)
        {
            result[i] = values[i];
        }

        return result;
    }

    private void SeedInfections()
    {
        var initial = _cast.InitialInfections ?? Enumerable.Range(0, _people)
            .Where(p => Draw.Uniform(_seed, (long)Purpose.InitialInfection, p) < _options.Epidemic.InitialInfectedShare)
            .Select(p => new InitialInfection(p, -Draw.Below(6, _seed, (long)Purpose.InitialInfection, p, 1)))
            .ToList();
        foreach (var infection in initial)
        {
            Infected(infection.Person, infection.Day * Whereabouts.StepsPerDay, initial: true);
        }
    }

    private void Infected(int person, int step, bool initial)
    {
        _epidemic.Infect(person, step, initial);
        var options = _options.Epidemic;
        if (!_epidemic.IsAsymptomatic(person) && Draw.Uniform(_seed, (long)Purpose.Tested, person) < options.TestingShare)
        {
            var result = step + ((options.IncubationDays + options.TestingDelayDays) * Whereabouts.StepsPerDay);
            _testResults.Enqueue((person, false), Math.Max(result, 0));
        }
    }

    private void TestResults(int step)
    {
        while (_testResults.TryPeek(out var test, out var due) && due <= step)
        {
            _testResults.Dequeue();
            var (person, afterWarning) = test;
            if (_confirmedStep[person] != EpidemicState.Never || (afterWarning && !_epidemic.TestsPositive(person, step - (_options.Epidemic.TestingDelayDays * Whereabouts.StepsPerDay))))
            {
                continue;
            }

            _confirmedStep[person] = step;
            _confirmedPerDay[Math.Min(step / Whereabouts.StepsPerDay, _options.Days - 1)]++;
            _stayHomeUntil[person] = Math.Max(_stayHomeUntil[person], step + (_options.Response.QuarantineDays * Whereabouts.StepsPerDay));
            if (_phones[person] is not null && Draw.Uniform(_seed, (long)Purpose.CodeEntry, person) < _options.Response.CodeEntryShare)
            {
                _pendingCodes.Add(person);
            }
        }
    }

    private void PlaceEveryone(int step, int day)
    {
        foreach (var place in _occupied)
        {
            _placeHead[place] = -1;
            _phoneHead[place] = -1;
            _someoneInfectious[place] = false;
        }

        if (step % Whereabouts.StepsPerDay == 0)
        {
            for (var person = 0; person < _people; person++)
            {
                _carriageLoss[person] = _channel.CarriageLoss(person, day);
            }
        }

        _occupied.Clear();
        var minute = step % Whereabouts.StepsPerDay * Whereabouts.StepMinutes;

        // Locating is most of the work and each person's is independent (the world and the epidemic are only
        // read), so it is shared between threads; the lists of occupants are then linked in person order on
        // one thread, as the rest of the step expects.
        _world.PrepareStep(day, minute);
        var chunks = (_people + PlaceChunk - 1) / PlaceChunk;
        if (chunks == 1 || _lanes.Length == 1)
        {
            LocatePeople(0, _people, step, day, minute);
        }
        else
        {
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = _lanes.Length }, chunk =>
                LocatePeople(chunk * PlaceChunk, Math.Min(_people, (chunk + 1) * PlaceChunk), step, day, minute));
        }

        for (var person = 0; person < _people; person++)
        {
            var location = _location[person];
            if (!location.IsSomewhere)
            {
                continue;
            }

            if (_placeHead[location.Place] < 0)
            {
                _occupied.Add(location.Place);
            }

            _nextInPlace[person] = _placeHead[location.Place];
            _placeHead[location.Place] = person;
            if (_infectiousness[person] > 0)
            {
                _someoneInfectious[location.Place] = true;
            }

            if (_phones[person] is not null)
            {
                _nextPhoneInPlace[person] = _phoneHead[location.Place];
                _phoneHead[location.Place] = person;
            }
        }
    }

    private void LocatePeople(int from, int to, int step, int day, int minute)
    {
        for (var person = from; person < to; person++)
        {
            _location[person] = step < _stayHomeUntil[person] ? _world.AtHome(person, day, minute) : _world.Locate(person, day, minute);
            _infectiousness[person] = _epidemic.Infectiousness(person, step);
        }
    }

    private readonly List<int> _newlyInfected = [];

    // This step's occupied places, split by whether someone there is infectious (see MeetAndInfect).
    private readonly List<int> _quietPlaces = [];
    private readonly List<int> _infectiousPlaces = [];

    /// <summary>Places a thread takes at a time when meeting: most are homes of a few people.</summary>
    private const int QuietPlacesPerTake = 64;

    private void MeetAndInfect(int step, int day)
    {
        _newlyInfected.Clear();
        _quietPlaces.Clear();
        _infectiousPlaces.Clear();
        foreach (var place in _occupied)
        {
            (_someoneInfectious[place] ? _infectiousPlaces : _quietPlaces).Add(place);
        }

        // Places where nobody is infectious only add to the truth, each pair to the list of its higher-numbered
        // person, who is in that place alone this step: they are shared between threads (GroundTruth closes a
        // day the same whatever order its pairs came in). Places with someone infectious infect in place order.
        if (_lanes.Length == 1 || _quietPlaces.Count <= QuietPlacesPerTake)
        {
            foreach (var place in _quietPlaces)
            {
                MeetWithoutInfection(place);
            }
        }
        else
        {
            var chunks = (_quietPlaces.Count + QuietPlacesPerTake - 1) / QuietPlacesPerTake;
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = _lanes.Length }, chunk =>
            {
                var last = Math.Min((chunk + 1) * QuietPlacesPerTake, _quietPlaces.Count);
                for (var i = chunk * QuietPlacesPerTake; i < last; i++)
                {
                    MeetWithoutInfection(_quietPlaces[i]);
                }
            });
        }

        foreach (var place in _infectiousPlaces)
        {
            for (var a = _placeHead[place]; a >= 0; a = _nextInPlace[a])
            {
                for (var b = _nextInPlace[a]; b >= 0; b = _nextInPlace[b])
                {
                    var distance = Location.Distance(_location[a], _location[b]);
                    if (_phones[a] is not null && _phones[b] is not null && distance <= _channel.MaxRange)
                    {
                        _truth.Met(a, b, distance, Whereabouts.StepMinutes);
                    }

                    if (_infectiousness[a] > 0 && !_epidemic.IsInfected(b) && _epidemic.Transmits(b, a, step, distance, _infectiousness[a]))
                    {
                        _newlyInfected.Add(b);
                    }
                    else if (_infectiousness[b] > 0 && !_epidemic.IsInfected(a) && _epidemic.Transmits(a, b, step, distance, _infectiousness[b]))
                    {
                        _newlyInfected.Add(a);
                    }
                }
            }
        }

        foreach (var person in _newlyInfected)
        {
            if (!_epidemic.IsInfected(person))
            {
                Infected(person, step, initial: false);
            }
        }
    }

    /// <summary>
    /// A place where nobody is infectious: no one can be infected there, so of all its pairs only those of two
    /// phones matter (for the truth). Walking just the phones saves the all-pairs walk of most places and
    /// steps, and every place of the run without the app.
    /// </summary>
    private void MeetWithoutInfection(int place)
    {
        for (var a = _phoneHead[place]; a >= 0; a = _nextPhoneInPlace[a])
        {
            for (var b = _nextPhoneInPlace[a]; b >= 0; b = _nextPhoneInPlace[b])
            {
                var distance = Location.Distance(_location[a], _location[b]);
                if (distance <= _channel.MaxRange)
                {
                    _truth.Met(a, b, distance, Whereabouts.StepMinutes);
                }
            }
        }
    }


    private void InstallPending(int day, DateTimeOffset now)
    {
        foreach (var person in _toInstall)
        {
            if (_phones[person] is not null)
            {
                continue;
            }

            var model = _models.Models[Draw.Below(_models.Models.Count, _seed, (long)Purpose.PhoneModel, person)];
            _phones[person] = new SimulatedPhone(person, model, _models, new SimulatedClock(now), _seed, _codebook);
            _installDay[person] = day;
            _appUsers++;
            _nextWake[person] = now.UtcTicks;
        }

        _toInstall.Clear();
    }

    /// <summary>
    /// After a day's first step every phone has its key of the day (made at its first pump): the codebook learns
    /// them and can encode the day's identifiers from now on. Logs of the days before are sealed first, while
    /// yesterday's table can still encode what they heard in full (the first step, before it existed).
    /// </summary>
    private static void ReturnYesterdaysGarbage()
    {
        // A simulated day leaves its garbage all at once: the day's working buffers sealed into compact logs,
        // yesterday's table, the matching of the last sync. Between long-lived phones (gigabytes of them at
        // 100,000 people) the collector's background collections leave it as holes it keeps: the process held
        // ≈ 10 GB resident at day 7 of `simulate --people 100000 --days 21` with ≈ 2.7 GB live. One compacting
        // collection a day that gives the freed memory back to the system keeps resident memory near the live
        // heap (docs/simulation.md, fourth pass). Its time is the profile's "DailyCollection".
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    private void PrepareCodebook(int day)
    {
        if (_codebook is null)
        {
            return;
        }

        var today = _options.StartDate.AddDays(day);
        Parallel.For(0, _people, new ParallelOptions { MaxDegreeOfParallelism = _lanes.Length }, person => _phones[person]?.Store.SealDaysBefore(today));
        var unixDay = today.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;
        var keys = new List<(int, TemporaryExposureKey, AdvertisementMetadata)>();
        foreach (var phone in _phones)
        {
            if (phone is null)
            {
                continue;
            }

            foreach (var key in phone.Device.OwnKeys.Keys)
            {
                var keyDay = key.RollingStartIntervalNumber.Value / IntervalNumber.PerDay;
                if (keyDay == unixDay || keyDay == unixDay - 1)
                {
                    keys.Add((phone.Person, key, phone.Device.Identity.Metadata));
                }
            }
        }

        _codebook.RegisterAll(keys);

        _codebook.BuildTable(unixDay);
        _codebook.Forget(unixDay - CityCodebook.RegisterDays + 1);
    }

    private void EndOfDay(int day)
    {
        var date = _options.StartDate.AddDays(day);
        var close = _truth.EndDay(day);

        // History screen vs truth: close contacts (≤ 2 m for ≥ 15 min) among app users, for phones installed all day.
        for (var person = 0; person < _people; person++)
        {
            if (_phones[person] is { } phone && _installDay[person] <= day)
            {
                phone.Clock.Set(_clock.GetUtcNow());
                var history = phone.Device.History(date);
                _profile.PhoneDays++;
                _detections.HistoryErrors.Add(history.Close.People - close[person]);
                _detections.HistoryCloseContacts += history.Close.People;
                _detections.TrueCloseContacts += close[person];
            }
        }

        // "Install for yourself and 3 others": today's new users invite; those who accept install tomorrow.
        var invites = _options.Response.Invites;
        if (_withApp && invites > 0 && day + 1 < _options.Days)
        {
            for (var person = 0; person < _people; person++)
            {
                if (_installDay[person] != day)
                {
                    continue;
                }

                for (var k = 0; k < invites; k++)
                {
                    var invited = Draw.Below(_people, _seed, (long)Purpose.Invite, person, k);
                    if (_phones[invited] is null && Draw.Uniform(_seed, (long)Purpose.Invite, invited, person, k + 100) < _options.Response.InviteAcceptance)
                    {
                        _toInstall.Add(invited);
                    }
                }
            }
        }

        _detections.AppUsersPerDay[day] = _appUsers;
        _profile.SampleHeap();
    }

    private async Task SyncAsync(ServerExchange exchange, int step, CancellationToken cancellationToken)
    {
        var started = _profile.Start();
        var now = _clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var day = Math.Min(step / Whereabouts.StepsPerDay, _options.Days - 1);

        // 1. Confirmed app users: the authority issues a code, the user enters it and consents, and the phone's
        // own reporting flow (Bluezone.Device.Reporting) uploads its keys and heard tokens (F0). A phone with no
        // key in the window yet (confirmed before its first day began) tries again at the next sync.
        var waiting = new List<int>();
        foreach (var person in _pendingCodes)
        {
            var phone = _phones[person]!;
            phone.Clock.Set(now);
            if (phone.Device.OwnKeys.Keys.Count == 0)
            {
                waiting.Add(person);
                continue;
            }

            var infected = _epidemic.InfectedStep(person);
            DateOnly? onset = _epidemic.IsAsymptomatic(person) ? null : _options.StartDate.AddDays((int)Math.Floor((double)infected / Whereabouts.StepsPerDay) + _options.Epidemic.IncubationDays);
            if (onset > today)
            {
                onset = null;
            }

            var uploadStarted = _profile.Start();
            var code = await exchange.Server.IssueCodeAsync(person, today, onset, cancellationToken);
            var reporting = new ReportUploads(exchange.Api, phone.Store, new ExposureWarnings(phone.Store), phone.Clock);
            var consent = await reporting.PrepareConfirmedAsync(code, cancellationToken);
            var outcome = await reporting.UploadConfirmedAsync(consent, cancellationToken);
            _profile.ConfirmedUploads.Add(uploadStarted);
            if (outcome.Accepted)
            {
                // The confirmation time is when the result came back, not when the code was entered at the sync.
                _detections.Uploaded(person, UploadedKeys(phone, consent), ReportType.ConfirmedTest, _start + (Step * _confirmedStep[person]));
            }
            else
            {
                _detections.Refused("publish " + outcome.ErrorCode);
            }
        }

        _pendingCodes.Clear();
        _pendingCodes.AddRange(waiting);

        // 2. The server publishes the batch due now; 3. phones download what is new and match.
        await exchange.Server.PublishDueAsync(cancellationToken);
        var files = await exchange.NewExportsAsync(cancellationToken);
        _profile.Stop(RunPhase.ServerExchange, started);
        if (files.Count == 0)
        {
            return;
        }

        started = _profile.Start();

        foreach (var file in files)
        {
            foreach (var key in file.Published.Keys)
            {
                _detections.Published(key.Key);
            }
        }

        // What a phone's log is checked and read for (see MatchPhone): the published keys' senders in code space
        // (the phones' logs hold most identifiers as (sender, slot), checked without decoding), and the files'
        // own identifier indexes for the few identifiers kept in full. A phone that heard none of them cannot
        // match anything, so it only records the files as processed (what its matching would leave behind).
        var publishedSenders = new CodedSenders(files
            .SelectMany(f => f.Published.Keys)
            .Select(k => _codebook is not null && _codebook.TryFindSender(k.Key.KeyData, out var keyDay, out var sender) ? (keyDay, sender) : (0, -1))
            .Where(k => k.Item2 >= 0));
        var published = new PublishedSources(publishedSenders, rpi => files.Any(f => f.Published.Index!.TryFind(rpi, out _)));

        // Each phone's check and matching touch only its own store: phones are matched in parallel, and their
        // new levels are then acted on in person order, so the outcome does not depend on the thread count.
        var phones = new List<int>();
        for (var person = 0; person < _people; person++)
        {
            if (_phones[person] is not null)
            {
                phones.Add(person);
            }
        }

        var levels = new WarningLevel?[phones.Count];
        Parallel.For(
            0,
            phones.Count,
            new ParallelOptions { MaxDegreeOfParallelism = _lanes.Length },
            () => new List<RollingProximityIdentifier>(),
            (i, _, uncoded) =>
            {
                levels[i] = MatchPhone(_phones[phones[i]]!, files, published, exchange, now, uncoded);
                return uncoded;
            },
            static _ => { });

        var recursive = new List<int>();
        for (var i = 0; i < phones.Count; i++)
        {
            _profile.PhoneChecks++;
            if (levels[i] is not { } level)
            {
                continue;
            }

            _profile.PhoneMatches++;
            var person = phones[i];
            var phone = _phones[person]!;
            if (level <= _detections.LevelOf(person) || level == WarningLevel.F0)
            {
                continue;
            }

            _detections.Warned(person, level, now, day, phone.Store.LoadExposureDays());
            var compliance = level == WarningLevel.F1 ? _options.Response.F1Compliance : _options.Response.F2Compliance;
            if (Draw.Uniform(_seed, (long)Purpose.Compliance, person, (long)level) < compliance)
            {
                _stayHomeUntil[person] = Math.Max(_stayHomeUntil[person], step + (_options.Response.QuarantineDays * Whereabouts.StepsPerDay));
                if (level == WarningLevel.F1)
                {
                    _testResults.Enqueue((person, true), step + (_options.Epidemic.TestingDelayDays * Whereabouts.StepsPerDay));
                }
            }

            if (level == WarningLevel.F1 && Draw.Uniform(_seed, (long)Purpose.Consent, person) < _options.Response.RecursiveConsentShare)
            {
                recursive.Add(person);
            }
        }

        _profile.Stop(RunPhase.Matching, started);

        // 4. F1s who consent warn their own contacts: a recursive upload, accepted only with a contact proof.
        started = _profile.Start();
        foreach (var person in recursive)
        {
            var phone = _phones[person]!;
            phone.Clock.Set(now);
            var reporting = new ReportUploads(exchange.Api, phone.Store, new ExposureWarnings(phone.Store), phone.Clock);
            var uploadStarted = _profile.Start();
            var consent = reporting.PrepareRecursive();
            var outcome = await reporting.UploadRecursiveAsync(consent, cancellationToken);
            _profile.RecursiveUploads.Add(uploadStarted);
            if (outcome.Accepted)
            {
                _detections.Uploaded(person, UploadedKeys(phone, consent), ReportType.Recursive, now);
            }
            else
            {
                _detections.Refused("recursive " + outcome.ErrorCode);
            }
        }

        _profile.Stop(RunPhase.ServerExchange, started);
    }

    /// <summary>
    /// One phone's share of a sync: if it may have heard a newly published identifier, the device's own
    /// matching, scoring and recording, and its warning level after; otherwise the files are recorded as
    /// processed with no exposure (what matching would leave) and null is returned.
    /// </summary>
    /// <remarks>
    /// The check may let through a phone that then matches nothing, never skip one that would match: a coded
    /// entry decodes to an RPI of its sender's key of that day or the day before, so a phone that heard a
    /// published RPI as a code holds that sender on that day (<see cref="PublishedSources.Senders"/>); identifiers
    /// kept in full are looked up as before. A phone that passes is matched on the part of its log that can be
    /// of the published keys (<paramref name="published"/>), which gives the same windows as its whole log.
    /// </remarks>
    private static WarningLevel? MatchPhone(
        SimulatedPhone phone,
        IReadOnlyList<DownloadedExport> files,
        PublishedSources published,
        ServerExchange exchange,
        DateTimeOffset now,
        List<RollingProximityIdentifier> uncoded)
    {
        if (!phone.Store.HeardAnyOf(published.Senders) && !HeardAnyUncoded(phone, published, uncoded))
        {
            foreach (var file in files)
            {
                phone.Store.RecordProcessedExport(file.Name, [], now);
            }

            return null;
        }

        SightingLog? log = null;
        foreach (var file in files)
        {
            var windows = file.Published.Keys.Count == 0 ? [] : exchange.Matcher.Match(file.Published, log ??= SightingLog.BuildFromSorted(phone.Store.LoadScanInstancesByIdentifier(published)));
            ExportImport.Record(phone.Store, file.Name, windows, exchange.Configuration, now);
        }

        return ExposureWarnings.Compute(phone.Store).Level;
    }

    /// <summary>Whether one of the identifiers the phone kept in full (not coded; rare) is a published one.</summary>
    private static bool HeardAnyUncoded(SimulatedPhone phone, PublishedSources published, List<RollingProximityIdentifier> uncoded)
    {
        phone.Store.CopyUncodedIdentifiers(uncoded);
        foreach (var identifier in uncoded)
        {
            if (published.IsPublished(identifier))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The keys a consent covered (the simulator's record of whose key is whose; the server never learns it).</summary>
    private static List<TemporaryExposureKey> UploadedKeys(SimulatedPhone phone, ReportConsent consent)
    {
        var days = consent.KeyDays.ToHashSet();
        return [.. phone.Device.OwnKeys.Keys.Where(k => days.Contains(k.RollingStartIntervalNumber.Day))];
    }
}

/// <summary>Who is who in a run, when a test or a what-if scenario fixes it instead of drawing it.</summary>
/// <param name="AppUsers">People with the app from day 0; null: drawn with the adoption share.</param>
/// <param name="InitialInfections">Who is infected at the start, and on which day (≤ 0); null: drawn.</param>
public sealed record SimulationCast(IReadOnlyList<int>? AppUsers = null, IReadOnlyList<InitialInfection>? InitialInfections = null);

/// <summary>One person infected at the start of a run, on <paramref name="Day"/> (0 or negative: before the start).</summary>
public sealed record InitialInfection(int Person, int Day);

/// <summary>What a run produced: the epidemic, the truth, and what the phones and server detected.</summary>
internal sealed record RunOutcome(int NewInfections, int[] DailyInfections, int[] DailyConfirmed, GroundTruth Truth, Detections Detections, int AppUsers, int F1Infected, RunProfile Profile);

/// <summary>The HTTP side of a run: the in-process server and one client for the phones' requests.</summary>
internal sealed class ServerExchange : IAsyncDisposable
{
    private readonly HashSet<string> _seen = [];
    private readonly ECDsa _publicKey;

    private ServerExchange(InProcessServer server, ServerApi api, ECDsa publicKey, DeviceConfiguration configuration)
    {
        Server = server;
        Api = api;
        _publicKey = publicKey;
        Configuration = configuration;
    }

    public InProcessServer Server { get; }

    /// <summary>The phones' client. One instance serves every phone: it holds no per-phone state.</summary>
    public ServerApi Api { get; }

    public DeviceConfiguration Configuration { get; }

    public ExposureMatcher Matcher { get; } = new();

    public static async Task<ServerExchange> StartAsync(TimeProvider clock, CancellationToken cancellationToken)
    {
        var server = await InProcessServer.StartAsync(clock, cancellationToken);
        var api = new ServerApi(server.Address);
        var publicKey = ExposureSync.ImportPublicKey(await api.GetPublicKeyPemAsync(cancellationToken));
        var configuration = (await api.GetConfigurationAsync(cancellationToken)).Verify(publicKey);
        return new ServerExchange(server, api, publicKey, configuration);
    }

    /// <summary>
    /// Downloads the export files not seen before, checks each signature with the pinned key and derives every
    /// key's identifiers once: the derivation is the same for every phone, so it is shared (DESIGN.md §9).
    /// </summary>
    public async Task<IReadOnlyList<DownloadedExport>> NewExportsAsync(CancellationToken cancellationToken)
    {
        var index = await Api.GetExportIndexAsync(null, cancellationToken);
        var result = new List<DownloadedExport>();
        foreach (var name in index.Files)
        {
            if (!_seen.Add(name))
            {
                continue;
            }

            var export = ExportArchive.Read(await Api.GetExportFileAsync(name, cancellationToken));
            if (!export.Verify(_publicKey))
            {
                throw new CryptographicException($"The export {name} does not verify with the server's key.");
            }

            // Indexed: every phone that passes the check is matched against these keys with a small log (see MatchPhone).
            result.Add(new DownloadedExport(name, PublishedIdentifiers.Derive(export.Batch.Keys, indexed: true)));
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        _publicKey.Dispose();
        await Server.DisposeAsync();
    }
}

internal sealed record DownloadedExport(string Name, PublishedIdentifiers Published);
