using System.Security.Cryptography;

namespace Bluezone.Server.Exports;

/// <summary>
/// The authority's P-256 key as PEM files: the private key (PKCS#8) readable by its owner only, the public key
/// (SubjectPublicKeyInfo) beside it as <c>NAME.pub.pem</c>. One definition for the server, which creates its key
/// on first start, and for the CLI's <c>keys signing-key</c>, <c>export build</c> and <c>export inspect</c>.
/// </summary>
public static class SigningKeyFile
{
    /// <summary><c>dir/name.pem</c> → <c>dir/name.pub.pem</c>.</summary>
    public static string PublicKeyPathFor(string privateKeyPath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(privateKeyPath))!;
        return Path.Combine(directory, Path.GetFileNameWithoutExtension(privateKeyPath) + ".pub.pem");
    }

    /// <summary>Creates a new key at <paramref name="path"/>; never overwrites (an existing file is an <see cref="IOException"/>).</summary>
    public static ECDsa Create(string path)
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

            File.WriteAllText(PublicKeyPathFor(path), key.ExportSubjectPublicKeyInfoPem() + "\n");
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Loads a P-256 key from PEM: a private key (PKCS#8 or SEC1) for signing, or a public key for verifying.
    /// Anything else is an <see cref="InvalidDataException"/> naming the file, never its contents.
    /// </summary>
    public static ECDsa Load(string path)
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
            throw new InvalidDataException($"{path} holds no EC key in PEM form");
        }

        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new InvalidDataException($"{path}: the export format requires a P-256 key; this one has {key.KeySize} bits");
        }

        return key;
    }
}
