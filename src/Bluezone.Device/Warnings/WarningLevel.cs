namespace Bluezone.Device.Warnings;

/// <summary>
/// How close this phone came to a confirmed case (DESIGN.md §6). The order matters: a phone reports the highest
/// level it reached, F0 &gt; F1 &gt; F2 &gt; safe.
/// </summary>
public enum WarningLevel
{
    Safe = 0,

    /// <summary>Its log matched a RECURSIVE key (an F1's) above the risk threshold.</summary>
    F2 = 1,

    /// <summary>Its log matched a confirmed case's key above the risk threshold.</summary>
    F1 = 2,

    /// <summary>This phone's own confirmed upload went through.</summary>
    F0 = 3,
}
