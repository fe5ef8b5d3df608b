namespace Bluezone.Protocol.Export;

/// <summary>
/// Why a key was published. The values are the GAEN export format's numbers and go over the wire as is,
/// so they must never be renumbered.
/// </summary>
public enum ReportType
{
    /// <summary>Not stated (older files).</summary>
    Unknown = 0,

    /// <summary>An F0 confirmed by a test, published with a health authority's code.</summary>
    ConfirmedTest = 1,

    ConfirmedClinicalDiagnosis = 2,

    SelfReport = 3,

    /// <summary>An F1 who uploaded after a contact proof (DESIGN.md §6); its contacts become F2.</summary>
    Recursive = 4,

    /// <summary>A key published earlier whose report was withdrawn.</summary>
    Revoked = 5,
}
