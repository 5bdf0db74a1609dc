using System.Security.Cryptography;
using System.Text;

namespace AccoReboot.Cloud.Ovh;

/// <summary>
/// The OVH API request signature: "$1$" + hex SHA-1 of AS+CK+METHOD+URL+BODY+TIMESTAMP joined with '+'.
/// The URL is the full one sent on the wire, query included (go-ovh, python-ovh, csharp-ovh agree).
/// </summary>
static class OvhSignature
{
    public static string Compute(string applicationSecret, string consumerKey, string method, string url, string body, long timestamp)
    {
        var toSign = string.Join('+', applicationSecret, consumerKey, method.ToUpperInvariant(), url, body, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return "$1$" + Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(toSign)));
    }
}
