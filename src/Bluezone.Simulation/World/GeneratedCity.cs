namespace Bluezone.Simulation.World;

/// <summary>
/// A synthetic city built from <see cref="CityOptions"/>: households of 1–5, adults working in rooms of a few
/// desks, children in classes, some commuting by bus, shops and markets, weekend visits between households.
/// The structure (who lives, works, studies and rides with whom) is drawn once from the seed; the daily
/// variation (who shops, where people stand at home, which bus seat) is drawn per person and day from hashes,
/// so it costs no memory: a person is a few ints.
/// </summary>
public sealed class GeneratedCity : Whereabouts
{
    private const float HomeWidth = 8;
    private const float HomeDepth = 6;
    private const float ShopWidth = 20;
    private const float ShopDepth = 15;

    private readonly int _seed;
    private readonly CityOptions _options;
    private readonly DayOfWeek _firstDay;
    private readonly int[] _home;
    private readonly Role[] _role;
    private readonly int[] _place;   // room or class
    private readonly int[] _spot;    // desk or seat in it
    private readonly int[] _bus;     // -1: no bus
    private readonly int _households;
    private readonly int _firstShop;
    private readonly int _shops;
    private readonly PlaceKind[] _kinds;

    /// <summary>The latest hour's spots at home (immutable once built, so a reader on another thread sees a whole one).</summary>
    private volatile HomeSpots? _homeSpots;

    public GeneratedCity(int people, CityOptions options, int seed, DateOnly startDate)
    {
        ArgumentNullException.ThrowIfNull(options);
        _seed = seed;
        _options = options;
        _firstDay = startDate.DayOfWeek;
        var random = new Random(seed);
        _home = new int[people];
        _role = new Role[people];
        _place = new int[people];
        _spot = new int[people];
        _bus = new int[people];
        var kinds = new List<PlaceKind>();

        // Households: sizes from the shares; the first two members are adults, later ones mostly children.
        var sizeTotal = options.HouseholdSizeShares.Sum();
        var person = 0;
        while (person < people)
        {
            var draw = random.NextDouble() * sizeTotal;
            var size = 1;
            for (var s = 0; s < 5; s++)
            {
                draw -= options.HouseholdSizeShares[s];
                if (draw < 0)
                {
                    size = s + 1;
                    break;
                }
            }

            var home = kinds.Count;
            kinds.Add(PlaceKind.Home);
            for (var m = 0; m < size && person < people; m++, person++)
            {
                _home[person] = home;
                _role[person] = m >= 2 && random.NextDouble() < options.ChildShare ? Role.Child
                    : random.NextDouble() < options.WorkerShare ? Role.Worker : Role.AtHome;
            }
        }

        _households = kinds.Count;

        // Workplaces and schools: people are shuffled, then seated room by room, so colleagues and classmates
        // come from different households.
        var order = Enumerable.Range(0, people).ToArray();
        random.Shuffle(order);
        Seat(order, Role.Worker, options.RoomSize, PlaceKind.Workplace, kinds);
        Seat(order, Role.Child, options.ClassSize, PlaceKind.School, kinds);

        // Bus routes: a share of workers, in groups of BusSize who ride at the same times.
        Array.Fill(_bus, -1);
        var riders = 0;
        var route = -1;
        foreach (var p in order)
        {
            if (_role[p] != Role.Worker || random.NextDouble() >= options.BusShare)
            {
                continue;
            }

            if (riders % options.BusSize == 0)
            {
                route = kinds.Count;
                kinds.Add(PlaceKind.Bus);
            }

            _bus[p] = route;
            riders++;
        }

        _firstShop = kinds.Count;
        _shops = Math.Max(1, people / options.PeoplePerShop);
        kinds.AddRange(Enumerable.Repeat(PlaceKind.Shop, _shops));
        _kinds = [.. kinds];
    }

    private enum Role : byte
    {
        AtHome,
        Worker,
        Child,
    }

    public override int PersonCount => _home.Length;

    public override int PlaceCount => _kinds.Length;

    public int Households => _households;

    public override PlaceKind KindOf(int place) => _kinds[place];

    public override int HomeOf(int person) => _home[person];

    public override Location Locate(int person, int day, int minute)
    {
        var dayOfWeek = (DayOfWeek)(((int)_firstDay + day) % 7);
        var weekday = dayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
        if (weekday)
        {
            switch (_role[person])
            {
                case Role.Worker:
                    if (_bus[person] >= 0 && (minute is >= 450 and < 480 || minute is >= 1020 and < 1050))
                    {
                        return BusSeat(person, day, minute < 720 ? 0 : 1);
                    }

                    if (minute is >= 480 and < 1020)
                    {
                        return Desk(person, _options.DeskSpacing, 2);
                    }

                    if (minute is >= 1050 and < 1110 && Draw.Uniform(_seed, (long)Purpose.Shopping, person, day) < _options.WeekdayShopping)
                    {
                        return InShop(person, day, minute);
                    }

                    break;
                case Role.Child:
                    if (minute is >= 480 and < 900)
                    {
                        return Desk(person, _options.SeatSpacing, 6);
                    }

                    break;
                default:
                    if (minute is >= 600 and < 660 && Draw.Uniform(_seed, (long)Purpose.Shopping, person, day) < _options.MarketVisit)
                    {
                        return InShop(person, day, minute);
                    }

                    break;
            }
        }
        else
        {
            if (minute is >= 600 and < 660 && Draw.Uniform(_seed, (long)Purpose.Shopping, person, day) < _options.MarketVisit)
            {
                return InShop(person, day, minute);
            }

            // A whole household visits another on some weekend afternoons.
            var home = _home[person];
            if (minute is >= 840 and < 1020 && Draw.Uniform(_seed, (long)Purpose.Visit, home, day) < _options.WeekendVisit)
            {
                var host = Draw.Below(_households, _seed, (long)Purpose.VisitHost, home, day);
                return HomeSpot(host, person, day, minute);
            }
        }

        return AtHome(person, day, minute);
    }

    public override Location AtHome(int person, int day, int minute) => HomeSpot(_home[person], person, day, minute);

    /// <summary>At home people move about every hour; at night (22:00–07:00) they keep one spot.</summary>
    private Location HomeSpot(int home, int person, int day, int minute)
    {
        var spots = SpotsAt(day, minute);
        return new Location(home, spots.X[person], spots.Y[person]);
    }

    public override void PrepareStep(int day, int minute) => SpotsAt(day, minute);

    private HomeSpots SpotsAt(int day, int minute)
    {
        var hour = minute / 60;
        var slot = hour is >= 22 or < 7 ? -1 : hour;
        var spots = _homeSpots;
        if (spots is null || spots.Day != day || spots.Slot != slot)
        {
            spots = new HomeSpots(_seed, _home.Length, day, slot);
            _homeSpots = spots;
        }

        return spots;
    }

    private Location Desk(int person, double spacing, int columns)
    {
        var spot = _spot[person];
        return new Location(_place[person], (float)(spot % columns * spacing), (float)(spot / columns * spacing));
    }

    private Location BusSeat(int person, int day, int trip)
    {
        // Two seats abreast 0.8 m apart, rows 0.9 m apart; a seat drawn per trip.
        var seat = Draw.Below(_options.BusSize, _seed, (long)Purpose.BusSeat, person, day, trip);
        return new Location(_bus[person], seat % 2 * 0.8f, seat / 2 * 0.9f);
    }

    private Location InShop(int person, int day, int minute)
    {
        // People walk about: a new spot every step.
        var shop = _firstShop + Draw.Below(_shops, _seed, (long)Purpose.ShopChoice, _home[person], day);
        var step = minute / StepMinutes;
        var x = Draw.Uniform(_seed, (long)Purpose.ShopSpot, person, day, step);
        var y = Draw.Uniform(_seed, (long)Purpose.ShopSpot, person, day, step + 1000);
        return new Location(shop, (float)(x * ShopWidth), (float)(y * ShopDepth));
    }

    /// <summary>
    /// Everyone's spot at home during one hour (slot -1: the night) of one day. The simulator places everyone
    /// every 5-minute step and most people are at home most of the time: drawing the spots once per hour for
    /// the whole city costs a twelfth of drawing them at every step (the draws are the same).
    /// </summary>
    private sealed class HomeSpots
    {
        public HomeSpots(int seed, int people, int day, int slot)
        {
            Day = day;
            Slot = slot;
            X = new float[people];
            Y = new float[people];
            for (var person = 0; person < people; person++)
            {
                X[person] = (float)(Draw.Uniform(seed, (long)Purpose.HomeSpot, person, day, slot) * HomeWidth);
                Y[person] = (float)(Draw.Uniform(seed, (long)Purpose.HomeSpot, person, day, slot + 100) * HomeDepth);
            }
        }

        public int Day { get; }

        public int Slot { get; }

        public float[] X { get; }

        public float[] Y { get; }
    }

    private void Seat(int[] order, Role role, int size, PlaceKind kind, List<PlaceKind> kinds)
    {
        var seated = 0;
        var place = -1;
        foreach (var p in order)
        {
            if (_role[p] != role)
            {
                continue;
            }

            if (seated % size == 0)
            {
                place = kinds.Count;
                kinds.Add(kind);
            }

            _place[p] = place;
            _spot[p] = seated % size;
            seated++;
        }
    }
}
