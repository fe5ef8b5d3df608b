using System.Security.Cryptography;
using Bluezone.Protocol.Export;
using Bluezone.Server.Storage;
using Microsoft.Extensions.Options;

namespace Bluezone.Server.Exports;

/// <summary>
/// The authority's ECDSA P-256 key that signs exports and the device configuration. Loaded from a PEM file, or
/// created under the data directory on first start (private key readable by its owner only, public key beside it).
/// </summary>
public sealed class ExportSigningKey : IDisposable
{
    public const string DefaultFileName = "export-signing-key.pem";

    public ExportSigningKey(IOptions<ExportOptions> exports, IOptions<StorageOptions> storage)
    {
        var path = string.IsNullOrWhiteSpace(exports.Value.SigningKeyPath)
            ? Path.Combine(storage.Value.DataDirectory, DefaultFileName)
            : exports.Value.SigningKeyPath;
        Key = File.Exists(path) || !string.IsNullOrWhiteSpace(exports.Value.SigningKeyPath) ? Load(path) : Create(path);
        Info = new ExportSignatureInfo(exports.Value.SigningKeyId, exports.Value.SigningKeyVersion);
        PublicKeyPem = Key.ExportSubjectPublicKeyInfoPem() + "\n";
    }

    public ECDsa Key { get; }

    public ExportSignatureInfo Info { get; }

    public string PublicKeyPem { get; }

    public void Dispose() => Key.Dispose();

    private static ECDsa Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The signing key file {path} does not exist (create one with: bluezone keys signing-key --out {path})");
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
        }
        catch (ArgumentException)
        {
            key.Dispose();
            throw new InvalidDataException($"{path} holds no EC private key in PEM form");
        }

        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new InvalidDataException($"{path}: exports are signed with P-256; this key has {key.KeySize} bits");
        }

        try
        {
            // A public key alone cannot sign: say so at start, not at the first batch.
            key.ExportECPrivateKey();
        }
        catch (CryptographicException)
        {
            key.Dispose();
            throw new InvalidDataException($"{path} holds a public key; the server needs the private key");
        }

        return key;
    }

    private static ECDsa Create(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var writer = new StreamWriter(path, options))
            {
                writer.Write(key.ExportPkcs8PrivateKeyPem());
            }
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another instance sharing the directory created it first: use that one.
            key.Dispose();
            return Load(path);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        File.WriteAllText(Path.Combine(directory, Path.GetFileNameWithoutExtension(path) + ".pub.pem"), key.ExportSubjectPublicKeyInfoPem() + "\n");
        return key;
    }
}
