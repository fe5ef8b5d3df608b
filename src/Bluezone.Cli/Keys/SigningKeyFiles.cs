using System.Security.Cryptography;

namespace Bluezone.Cli.Keys;

/// <summary>PEM files for the export signing key: the private key readable by its owner only.</summary>
internal static class SigningKeyFiles
{
    /// <summary><c>dir/name.pem</c> → <c>dir/name.pub.pem</c>.</summary>
    public static string PublicKeyPathFor(string privateKeyPath)
    {
        var directory = Path.GetDirectoryName(privateKeyPath) ?? ".";
        var name = Path.GetFileNameWithoutExtension(privateKeyPath);
        return Path.Combine(directory, name + ".pub.pem");
    }

    public static void Create(string privateKeyPath, string publicKeyPath)
    {
        if (File.Exists(privateKeyPath))
        {
            throw new IOException($"{privateKeyPath} already exists; refusing to overwrite a signing key");
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(privateKeyPath, options))
        {
            writer.Write(key.ExportPkcs8PrivateKeyPem());
        }

        File.WriteAllText(publicKeyPath, key.ExportSubjectPublicKeyInfoPem());
    }

    /// <summary>
    /// Loads a P-256 key from PEM: a private key (PKCS#8 or SEC1) for signing, or a public key
    /// (SubjectPublicKeyInfo) for verifying.
    /// </summary>
    public static ECDsa Load(string path)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
        }
        catch (ArgumentException)
        {
            key.Dispose();
            throw new FormatException($"{path} holds no EC key in PEM form");
        }

        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new FormatException($"{path}: the export format requires a P-256 key, this one has {key.KeySize} bits");
        }

        return key;
    }
}
