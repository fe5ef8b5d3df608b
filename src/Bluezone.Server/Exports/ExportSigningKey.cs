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
        var key = SigningKeyFile.Load(path);
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
        try
        {
            return SigningKeyFile.Create(path);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another instance sharing the directory created it first: use that one.
            return Load(path);
        }
    }
}
