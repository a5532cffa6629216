using System.Security.Cryptography;
using Aftercare.App.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace Aftercare.Smart;

/// <summary>
/// The server's own keys: one signs identity tokens (RS256, published at /.well-known/jwks), one
/// encrypts the authorization codes and refresh tokens it hands out. Kept in the keys folder,
/// protected by Data Protection (so by the key certificate too, when one is configured), and made
/// once by whichever server starts first. They used to be ephemeral: each start spent about three
/// seconds generating two RSA keys on its first request (measured by bench/crash.sh, where a
/// restart's first answer waited for them), a restart made every refresh token and code void, and
/// two servers behind one address refused each other's.
/// </summary>
public static class SmartKeys
{
    public const string SigningFile = "smart-signing.key";
    public const string EncryptionFile = "smart-encryption.key";
    private const string Purpose = "Aftercare.Smart.ServerKey";

    /// <summary>Adds the kept keys to OpenIddict's server options (in place of AddEphemeral…Key).</summary>
    public static IServiceCollection AddSmartKeys(this IServiceCollection services)
    {
        services.AddOptions<OpenIddictServerOptions>().Configure<KeysFolder, IDataProtectionProvider>((o, folder, protection) =>
        {
            o.SigningCredentials.Add(new SigningCredentials(Load(folder, SigningFile, protection), SecurityAlgorithms.RsaSha256));
            o.EncryptionCredentials.Add(new EncryptingCredentials(Load(folder, EncryptionFile, protection), SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512));
        });
        return services;
    }

    /// <summary>
    /// Reads (or makes) both keys at start-up, before the first request: a keys folder that cannot
    /// read them stops the start with its message (the options that use them are built later, on
    /// the first request, once the server's address is known).
    /// </summary>
    public static void EnsureKeys(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var folder = services.GetRequiredService<KeysFolder>();
        var protection = services.GetRequiredService<IDataProtectionProvider>();
        foreach (var file in new[] { SigningFile, EncryptionFile })
        {
            Load(folder, file, protection).Rsa.Dispose();
        }
    }

    /// <summary>The key kept in <paramref name="file"/>, made first if there is none.</summary>
    public static RsaSecurityKey Load(KeysFolder folder, string file, IDataProtectionProvider protection)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(protection);
        var protector = protection.CreateProtector(Purpose, file);
        var path = Path.Combine(folder.Path, file);
        if (!File.Exists(path))
        {
            using var made = RSA.Create(2048);
            // Another server starting at the same moment may win: then its key is the one read back.
            KeysFolderFiles.WriteWhole(path, protector.Protect(made.ExportPkcs8PrivateKey()), overwrite: false);
        }

        byte[] pkcs8;
        try
        {
            pkcs8 = protector.Unprotect(File.ReadAllBytes(path));
        }
        catch (CryptographicException e)
        {
            throw new Hosting.SettingsException(
                $"The SMART server key {path} could not be read with the keys in {folder.Path}: it comes from another keys folder, or the key that protects it was removed. Restore the keys folder from the backup, or remove the file to make a new key (apps then sign in again).", e);
        }

        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        CryptographicOperations.ZeroMemory(pkcs8);
        return new RsaSecurityKey(rsa);
    }
}
