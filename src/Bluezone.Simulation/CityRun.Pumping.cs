using Bluezone.Simulation.Radio;
using Bluezone.Simulation.World;

namespace Bluezone.Simulation;

/// <summary>
/// Pumping the phones: each phone at the times it asks for, hearing the phones of its place while it scans.
/// </summary>
/// <remarks>
/// Phones are pumped a block of steps at a time (<see cref="StepBlock"/>). People are placed and meet step by
/// step as before, but nothing in that depends on the phones, so the phones can be pumped afterwards for the
/// whole block: a place whose phones stay the same through the block (a household at night, an office, a
/// class) is pumped through all of its steps in one go, while its phones' state is in the core's cache, instead
/// of once per step after tens of thousands of other phones have pushed it out. A place whose phones change
/// during the block is pumped step by step. The two never share a phone, and a phone only hears phones of its
/// own place, so the order in which places are pumped does not matter: the result is the same as pumping every
/// step in turn (tested with blocks of one step).
/// </remarks>
internal sealed partial class CityRun
{
    /// <summary>
    /// Steps in a block at most (an hour). Blocks also end before anything that reads or changes the phones: a
    /// sync, the codebook made after a day's first step, the end of a day. Longer blocks keep fewer places
    /// stable (anyone leaving or arriving makes a place change), and each step of a block keeps a copy of
    /// everyone's whereabouts.
    /// </summary>
    private const int DefaultBlockSteps = 12;

    /// <summary>Places with more phones than this are taken one at a time and first; smaller ones a few at a time.</summary>
    private const int CrowdedPlace = 5;

    private const int SmallPlacesPerTake = 8;

    private readonly StepBlock _block;

    // The places the lanes take from (see PumpPlaces), and the next one to take.
    private readonly List<int> _pumpOrder = [];
    private readonly List<int> _smallPlaces = [];
    private readonly List<long> _crowdCounts = [];
    private int _nextToPump;

    /// <summary>Whether the block ends after <paramref name="step"/>: the next step starts with something that involves the phones.</summary>
    private bool BlockEndsAfter(int step, int syncSteps, bool syncing)
    {
        var next = step + 1;
        return _block.Count == _block.Capacity
            || next == TotalSteps
            || next % Whereabouts.StepsPerDay == 0 // end of day (history read; new phones installed)
            || next % Whereabouts.StepsPerDay == 1 // the codebook of the day is built after its first step
            || (syncing && next % syncSteps == 0);
    }

    /// <summary>Pumps every phone through the block's steps (see the remarks on the class), then starts a new block.</summary>
    private void PumpBlock(int day)
    {
        var block = _block;
        block.FindStablePlaces();
        PumpPlaces(block.StablePlaces, 0, block.EndTicks(block.Count - 1), day);
        for (var k = 0; k < block.Count; k++)
        {
            PumpPlaces(block.ChangingPlaces(k), k, block.EndTicks(k), day);
        }

        block.Clear();
    }

    /// <summary>
    /// Pumps the phones of <paramref name="places"/> (with their members as of the block's step
    /// <paramref name="listStep"/>) until <paramref name="end"/>. Phones only hear phones in the same place, so
    /// places are shared out between threads and each thread pumps a place's phones in time order with each
    /// phone's own clock: the result does not depend on which thread takes which place, nor on their number.
    /// </summary>
    /// <remarks>
    /// A place's cost grows with the square of its phones (each scan hears every other phone there), so a split
    /// balanced by phone count left one thread waiting for the other at the end of most steps. Threads instead
    /// take places from one list, crowded places first (the longest jobs first keeps the finish even), a few
    /// small places at a time so that taking stays cheap next to pumping.
    /// </remarks>
    private void PumpPlaces(List<int> places, int listStep, long end, int day)
    {
        var phoneHead = _block.PhoneHead[listStep];
        var nextPhone = _block.NextPhone[listStep];
        _pumpOrder.Clear();
        _smallPlaces.Clear();
        _crowdCounts.Clear();
        foreach (var place in places)
        {
            var phones = 0;
            for (var p = phoneHead[place]; p >= 0; p = nextPhone[p])
            {
                phones++;
            }

            if (phones > CrowdedPlace)
            {
                _crowdCounts.Add(((long)phones << 32) | (uint)place);
            }
            else if (phones > 0)
            {
                _smallPlaces.Add(place);
            }
        }

        // Crowded places first, most phones first (ties by place number: the order is fixed), then the small ones.
        _crowdCounts.Sort(static (a, b) => b.CompareTo(a));
        foreach (var packed in _crowdCounts)
        {
            _pumpOrder.Add((int)packed);
        }

        _pumpOrder.AddRange(_smallPlaces);
        _nextToPump = 0;
        if (_lanes.Length == 1 || _pumpOrder.Count < 2)
        {
            PumpLane(_lanes[0], listStep, end, day);
        }
        else
        {
            Parallel.ForEach(_lanes, lane => PumpLane(lane, listStep, end, day));
        }
    }

    /// <summary>
    /// Pumps places taken from the shared list until none is left. Only the time order within a place matters;
    /// a place holds a few phones (1–5 at home, a few dozen at most elsewhere), so its wakes are ordered by a
    /// linear minimum over a small array, which costs far less than a heap of tens of thousands of phones.
    /// Equal times go in the order of the place's phone list, so the order does not depend on which thread
    /// takes a place either.
    /// </summary>
    private void PumpLane(Lane lane, int listStep, long end, int day)
    {
        var order = _pumpOrder;
        var crowded = _crowdCounts.Count;
        while (true)
        {
            var peek = Volatile.Read(ref _nextToPump);
            var take = peek < crowded ? 1 : SmallPlacesPerTake;
            var first = Interlocked.Add(ref _nextToPump, take) - take;
            if (first >= order.Count)
            {
                return;
            }

            var last = Math.Min(first + take, order.Count);
            for (var i = first; i < last; i++)
            {
                PumpPlace(lane, order[i], listStep, end, day);
            }
        }
    }

    private void PumpPlace(Lane lane, int place, int listStep, long end, int day)
    {
        var members = lane.Enter(place, _block.PhoneHead[listStep], _block.NextPhone[listStep]);
        var due = lane.Due;
        var wakes = lane.Wakes;
        var pending = 0;
        for (var m = 0; m < members.Length; m++)
        {
            var wake = _nextWake[members[m]];
            if (wake < end)
            {
                due[pending] = m;
                wakes[pending++] = wake;
            }
        }

        if (pending > Lane.SmallPlace)
        {
            PumpCrowd(lane, pending, end, day);
            return;
        }

        while (pending > 0)
        {
            var first = 0;
            var ticks = wakes[0];
            for (var i = 1; i < pending; i++)
            {
                if (wakes[i] < ticks)
                {
                    first = i;
                    ticks = wakes[i];
                }
            }

            var wake = Wake(lane, due[first], ticks, day);
            if (wake < end)
            {
                wakes[first] = wake;
            }
            else
            {
                pending--;
                due[first] = due[pending];
                wakes[first] = wakes[pending];
            }
        }
    }

    /// <summary>A crowded place (a scenario may put hundreds of phones in one shop): a heap, as the linear minimum would cost a pass over all of them per wake.</summary>
    private void PumpCrowd(Lane lane, int pending, long end, int day)
    {
        var queue = lane.Crowd;
        queue.Clear();
        for (var i = 0; i < pending; i++)
        {
            queue.Enqueue(lane.Due[i], lane.Wakes[i]);
        }

        while (queue.TryDequeue(out var member, out var ticks))
        {
            var wake = Wake(lane, member, ticks, day);
            if (wake < end)
            {
                queue.Enqueue(member, wake);
            }
        }
    }

    /// <summary>Pumps one member of the lane's place at <paramref name="ticks"/>; returns when it wakes next.</summary>
    private long Wake(Lane lane, int member, long ticks, int day)
    {
        var person = lane.Members[member];
        var phone = _phones[person]!;
        phone.Clock.Set(new DateTimeOffset(ticks, TimeSpan.Zero));
        var next = lane.TimeThisWake() ? PumpSampled(lane, phone, member, ticks, day) : PumpAndHear(lane, phone, member, ticks, day);
        var wake = Math.Max(next.UtcTicks, ticks + TimeSpan.TicksPerMillisecond);
        _nextWake[person] = wake;
        return wake;
    }

    private DateTimeOffset PumpAndHear(Lane lane, SimulatedPhone phone, int member, long ticks, int day)
    {
        var next = phone.Device.Pump();
        if (phone.Radio.ScansStarted != phone.ScansSeen)
        {
            phone.ScansSeen = phone.Radio.ScansStarted;
            Hear(lane, member, ticks, day);
        }

        return next;
    }

    /// <summary><see cref="PumpAndHear"/> with its thread time measured, for the profile's split of one wake in <see cref="Lane.SampleEvery"/>.</summary>
    private DateTimeOffset PumpSampled(Lane lane, SimulatedPhone phone, int member, long ticks, int day)
    {
        var started = _profile.Start();
        var next = phone.Device.Pump();
        var pumped = _profile.Start();
        lane.PumpTicks += pumped - started;
        if (phone.Radio.ScansStarted != phone.ScansSeen)
        {
            phone.ScansSeen = phone.Radio.ScansStarted;
            Hear(lane, member, ticks, day);
            lane.HearTicks += _profile.Start() - pumped;
        }

        return next;
    }

    /// <summary>
    /// A scan started: deliver the advertisements of every phone in the same place within range, each sender
    /// as pumped up to now (its broadcast at this instant), at the positions of the step the scan starts in.
    /// </summary>
    private void Hear(Lane lane, int receiverMember, long scanStart, int day)
    {
        var k = _block.StepAt(scanStart);
        var step = _block.FirstStep + k;
        lane.AtStep(k);
        var location = _block.Locations[k];
        var members = lane.Members;
        var receiverPerson = members[receiverMember];
        var receiver = _phones[receiverPerson]!;
        var here = location[receiverPerson];
        var scanId = ((long)receiverPerson << 24) | (uint)receiver.ScansSeen;
        var scanDraws = _channel.ScanDraws(receiverPerson, scanId);
        var sightingTicks = lane.SightingTicks;
        var sightingRssi = lane.SightingRssi;
        var sightings = sightingTicks.Length;
        var receiverCorrection = receiver.Model.RssiCorrection;
        double receiverCorrectionDb = receiverCorrection; // converted once, not at every sighting
        for (var member = 0; member < members.Length; member++)
        {
            var other = members[member];
            if (member == receiverMember || _phones[other] is not { } sender || sender.Radio.Payload is not { } payload || sender.Radio.Address is not { } address)
            {
                continue;
            }

            var attenuation = lane.Attenuation(receiverMember, member);
            if (Lane.IsUnknown(attenuation))
            {
                var distance = Location.Distance(here, location[other]);
                attenuation = distance > _channel.MaxRange
                    ? Lane.OutOfRange
                    : _channel.EncounterAttenuation(receiverPerson, other, day, here.Place, distance, _carriageLoss[receiverPerson] + _carriageLoss[other]);
                lane.SetAttenuation(receiverMember, member, attenuation);
            }

            // Beyond the radio's range, or too weak to be heard by this receiver from this sender even at the
            // least noise (then no sighting would be: each is computed and thrown away).
            var senderTx = sender.Model.TxPowerDbm;
            if (attenuation == Lane.OutOfRange || !_channel.CanBeHeard(attenuation, senderTx, receiverCorrection))
            {
                continue;
            }

            ref var offset = ref lane.Offset(member);
            if (offset < 0)
            {
                offset = Draw.Below((int)AdvertisingInterval.Ticks, _seed, (long)Purpose.AdvertOffset, other, step);
            }

            var draws = RadioChannel.SightingDraws(scanDraws, other);
            var first = scanStart + offset;
            double senderTxDbm = senderTx;
            var heard = 0;
            for (var s = 0; s < sightings; s++)
            {
                // Written whether heard or not, and kept by counting it: a quarter of the sightings are missed
                // at random, which a branch around the writes mispredicted.
                sightingRssi[heard] = _channel.Rssi(attenuation, senderTxDbm, receiverCorrectionDb, draws, s, out var isHeard);
                sightingTicks[heard] = first + (s * AdvertisingInterval.Ticks);
                heard += isHeard ? 1 : 0;
            }

            // A scanner with a report delay hands over its results in batches; the device takes them as one by
            // one. They go over as columns (times and RSSIs of one sender), not an advertisement per sighting.
            // An empty batch would be a no-op, so none is handed over.
            if (heard > 0)
            {
                receiver.Radio.Deliver(address, payload, sightingTicks.AsSpan(0, heard), sightingRssi.AsSpan(0, heard));
            }
        }
    }

    /// <summary>One thread's scratch space for the place it is pumping.</summary>
    private sealed class Lane
    {
        /// <summary>
        /// The profile times one wake in this many (and scales up): reading the clock around each of the
        /// ≈ 1,200 wakes per phone-day cost more than a percent of the run.
        /// </summary>
        public const int SampleEvery = 16;

        /// <summary>
        /// Up to this many phones a place's wakes are ordered by a linear minimum and its pairs' attenuations
        /// cached (a square of this many doubles); beyond, by a heap and drawn at each scan.
        /// </summary>
        public const int SmallPlace = 64;

        /// <summary>An attenuation for a pair beyond the radio's range (never heard this step).</summary>
        public const double OutOfRange = double.PositiveInfinity;

        private const double Unknown = double.NaN;

        private int[] _members = new int[8];
        private int _step = -1; // the block's step the caches hold
        private long[] _offsets = new long[8];
        private double[] _attenuation = new double[64];
        private int _count;
        private uint _wakes;

        /// <summary>The current place's due phones (indices into its members) and when each wakes next.</summary>
        public int[] Due { get; private set; } = new int[8];

        public long[] Wakes { get; private set; } = new long[8];

        /// <summary>The wakes of a place with more than <see cref="SmallPlace"/> phones.</summary>
        public PriorityQueue<int, long> Crowd { get; } = new();

        /// <summary>One sender's sightings in one scan (times in UTC ticks, RSSIs), handed to the receiver's radio as one batch.</summary>
        public long[] SightingTicks { get; } = new long[(int)(ScanWindow.Ticks / AdvertisingInterval.Ticks)];

        public int[] SightingRssi { get; } = new int[(int)(ScanWindow.Ticks / AdvertisingInterval.Ticks)];

        /// <summary>Time in the device's Pump and in delivering advertisements, sampled (for the profile).</summary>
        public long PumpTicks { get; set; }

        public long HearTicks { get; set; }

        /// <summary>The current place's phones, in the order of the place's list (the order they are heard in).</summary>
        public ReadOnlySpan<int> Members => _members.AsSpan(0, _count);

        /// <summary>Whether to time this wake.</summary>
        public bool TimeThisWake() => ++_wakes % SampleEvery == 0;

        /// <summary>Takes in a place's phones; the pair and sender caches start empty at the first <see cref="AtStep"/>.</summary>
        public ReadOnlySpan<int> Enter(int place, int[] phoneHead, int[] nextPhoneInPlace)
        {
            _count = 0;
            for (var p = phoneHead[place]; p >= 0; p = nextPhoneInPlace[p])
            {
                if (_count == _members.Length)
                {
                    Array.Resize(ref _members, _count * 2);
                }

                _members[_count++] = p;
            }

            if (_offsets.Length < _count)
            {
                _offsets = new long[_members.Length];
                Due = new int[_members.Length];
                Wakes = new long[_members.Length];
            }

            if (_count <= SmallPlace && _attenuation.Length < _count * _count)
            {
                _attenuation = new double[SmallPlace * SmallPlace];
            }

            _step = -1;
            return Members;
        }

        /// <summary>
        /// The place's caches hold step <paramref name="k"/> of the block: positions, and so attenuations and
        /// advertising offsets, change from step to step.
        /// </summary>
        public void AtStep(int k)
        {
            if (k == _step)
            {
                return;
            }

            _step = k;
            _offsets.AsSpan(0, _count).Fill(-1);
            if (_count <= SmallPlace)
            {
                _attenuation.AsSpan(0, _count * _count).Fill(Unknown);
            }
        }

        /// <summary>
        /// The encounter attenuation of two members this step (OutOfRange beyond the radio's range), drawn once
        /// per pair: positions, carriages and shadowing hold for the whole step and for both directions, and a
        /// phone scans about once per step, so most pairs would otherwise be drawn two or three times.
        /// </summary>
        public double Attenuation(int receiver, int sender) => _count <= SmallPlace ? _attenuation[(receiver * _count) + sender] : Unknown;

        public void SetAttenuation(int a, int b, double attenuation)
        {
            if (_count <= SmallPlace)
            {
                _attenuation[(a * _count) + b] = attenuation;
                _attenuation[(b * _count) + a] = attenuation;
            }
        }

        public static bool IsUnknown(double attenuation) => double.IsNaN(attenuation);

        /// <summary>A member's advertising offset this step (drawn on first use), -1 before.</summary>
        public ref long Offset(int member) => ref _offsets[member];
    }

    /// <summary>
    /// The steps placed but not yet pumped: for each, where everyone was and which phones were in which place
    /// (copies of the run's lists, which the next step overwrites), and which places kept the same phones
    /// through all of them.
    /// </summary>
    private sealed class StepBlock
    {
        private readonly long _startTicks;
        private readonly List<int>[] _occupied;
        private readonly List<int>[] _changing;
        private readonly bool[] _stable;

        public StepBlock(int capacity, int people, int places, long startTicks)
        {
            Capacity = capacity;
            _startTicks = startTicks;
            PhoneHead = new int[capacity][];
            NextPhone = new int[capacity][];
            Locations = new Location[capacity][];
            _occupied = new List<int>[capacity];
            _changing = new List<int>[capacity];
            for (var k = 0; k < capacity; k++)
            {
                PhoneHead[k] = new int[places];
                NextPhone[k] = new int[people];
                Locations[k] = new Location[people];
                _occupied[k] = [];
                _changing[k] = [];
            }

            _stable = new bool[places];
        }

        public int Capacity { get; }

        /// <summary>Steps recorded so far.</summary>
        public int Count { get; private set; }

        /// <summary>The run's step number of the block's first step.</summary>
        public int FirstStep { get; private set; }

        /// <summary>Per step of the block: each place's first phone (-1: none), the next phone after each phone, and everyone's whereabouts.</summary>
        public int[][] PhoneHead { get; }

        public int[][] NextPhone { get; }

        public Location[][] Locations { get; }

        /// <summary>Places whose phones are the same (and in the same order) in every step of the block.</summary>
        public List<int> StablePlaces { get; } = [];

        /// <summary>Copies one step's lists; steps come in order.</summary>
        public void Record(int step, int[] phoneHead, int[] nextPhone, Location[] locations, List<int> occupied)
        {
            if (Count == 0)
            {
                FirstStep = step;
            }

            var k = Count++;
            phoneHead.CopyTo(PhoneHead[k], 0);
            nextPhone.CopyTo(NextPhone[k], 0);
            locations.CopyTo(Locations[k], 0);
            _occupied[k].Clear();
            _occupied[k].AddRange(occupied);
        }

        /// <summary>The end of the block's step <paramref name="k"/>, in UTC ticks.</summary>
        public long EndTicks(int k) => _startTicks + ((FirstStep + k + 1) * Step.Ticks);

        /// <summary>The step of the block that <paramref name="ticks"/> falls in.</summary>
        public int StepAt(long ticks) => Math.Clamp((int)(((ticks - _startTicks) / Step.Ticks) - FirstStep), 0, Count - 1);

        /// <summary>
        /// Splits the occupied places into those whose phones stay the same through the block (pumped once
        /// for all of it) and, per step, the others (pumped step by step). A stable place's phones are in it at
        /// every step, so no phone is in both.
        /// </summary>
        public void FindStablePlaces()
        {
            StablePlaces.Clear();
            foreach (var place in _occupied[0])
            {
                if (PhoneHead[0][place] >= 0 && SamePhonesThroughout(place))
                {
                    StablePlaces.Add(place);
                    _stable[place] = true;
                }
            }

            for (var k = 0; k < Count; k++)
            {
                _changing[k].Clear();
                foreach (var place in _occupied[k])
                {
                    if (!_stable[place] && PhoneHead[k][place] >= 0)
                    {
                        _changing[k].Add(place);
                    }
                }
            }
        }

        public List<int> ChangingPlaces(int k) => _changing[k];

        public void Clear()
        {
            foreach (var place in StablePlaces)
            {
                _stable[place] = false;
            }

            StablePlaces.Clear();
            Count = 0;
        }

        private bool SamePhonesThroughout(int place)
        {
            for (var k = 1; k < Count; k++)
            {
                var a = PhoneHead[0][place];
                var b = PhoneHead[k][place];
                while (a == b && a >= 0)
                {
                    a = NextPhone[0][a];
                    b = NextPhone[k][b];
                }

                if (a != b)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
