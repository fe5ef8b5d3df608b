namespace Bluezone.Simulation.World;

/// <summary>
/// A world written by hand: each person has a home (alone unless several share it, at a fixed spot) and
/// a list of stays. Used by tests ("two people 1 m apart for an hour") and small what-if scenarios.
/// </summary>
public sealed class ScriptedCity : Whereabouts
{
    private readonly int[] _homes;
    private readonly (float X, float Y)[] _homeSpots;
    private readonly List<Stay>[] _stays;
    private readonly List<PlaceKind> _places;

    /// <param name="homes">Each person's home, numbered 0…; people with the same number live together.</param>
    public ScriptedCity(IReadOnlyList<int> homes)
    {
        ArgumentNullException.ThrowIfNull(homes);
        _homes = [.. homes];
        _homeSpots = new (float, float)[_homes.Length];
        _stays = new List<Stay>[_homes.Length];
        for (var i = 0; i < _homes.Length; i++)
        {
            _stays[i] = [];
            _homeSpots[i] = (i % 4 * 3f, i / 4 % 4 * 3f);
        }

        _places = [.. Enumerable.Repeat(PlaceKind.Home, _homes.Length == 0 ? 0 : _homes.Max() + 1)];
    }

    /// <summary>One visit: a null <c>Day</c> means every day.</summary>
    public sealed record Stay(int? Day, int FromMinute, int ToMinute, int Place, float X, float Y);

    public override int PersonCount => _homes.Length;

    public override int PlaceCount => _places.Count;

    public int AddPlace(PlaceKind kind)
    {
        _places.Add(kind);
        return _places.Count - 1;
    }

    /// <summary>Where at home this person stands (metres); by default people 3 m apart on a grid.</summary>
    public void SetHomeSpot(int person, float x, float y) => _homeSpots[person] = (x, y);

    public void AddStay(int person, Stay stay)
    {
        ArgumentNullException.ThrowIfNull(stay);
        if (stay.Place < 0 || stay.Place >= _places.Count || stay.FromMinute < 0 || stay.ToMinute > 24 * 60 || stay.FromMinute >= stay.ToMinute)
        {
            throw new ArgumentException("A stay needs a known place and 0 ≤ from < to ≤ 1440 minutes.", nameof(stay));
        }

        _stays[person].Add(stay);
    }

    public override PlaceKind KindOf(int place) => _places[place];

    public override int HomeOf(int person) => _homes[person];

    public override Location Locate(int person, int day, int minute)
    {
        foreach (var stay in _stays[person])
        {
            if ((stay.Day is null || stay.Day == day) && minute >= stay.FromMinute && minute < stay.ToMinute)
            {
                return new Location(stay.Place, stay.X, stay.Y);
            }
        }

        return AtHome(person, day, minute);
    }

    public override Location AtHome(int person, int day, int minute) => new(_homes[person], _homeSpots[person].X, _homeSpots[person].Y);
}
