using System.Net;
using System.Net.Sockets;
using BuildEngine;
using DnsClient;
using DnsClient.Protocol;

namespace AccoReboot.Deploy;

/// <summary>
/// Where a domain points: through this machine's resolver, or asked of one DNS server (address:port) when the
/// profile names it (the sandbox's emulated zones; a split-horizon check). No answer is no address.
/// </summary>
sealed class DomainResolver(string dnsServer)
{
    public async Task<IReadOnlyList<string>> AddressesAsync(string domain, CancellationToken ct)
    {
        if (dnsServer.Length == 0)
        {
            try
            {
                return (await Dns.GetHostAddressesAsync(domain, AddressFamily.InterNetwork, ct)).Select(a => a.ToString()).ToList();
            }
            catch (SocketException)
            {
                return [];
            }
        }
        var (address, port) = Server(dnsServer);
        var client = new LookupClient(new LookupClientOptions(new NameServer(address, port))
        {
            UseCache = false, Timeout = TimeSpan.FromSeconds(2), Retries = 1, ThrowDnsErrors = false,
        });
        try
        {
            var answer = await client.QueryAsync(domain, QueryType.A, cancellationToken: ct);
            return answer.Answers.OfType<ARecord>().Select(r => r.Address.ToString()).ToList();
        }
        catch (DnsResponseException)
        {
            return []; // no answer within the timeout: nothing points here that we can see
        }
    }

    /// <summary>"127.0.0.1:18053" or "127.0.0.1" (port 53).</summary>
    public static (IPAddress Address, int Port) Server(string text)
    {
        if (IPEndPoint.TryParse(text, out var endpoint))
            return (endpoint.Address, endpoint.Port == 0 ? 53 : endpoint.Port);
        throw new BuildFailure($"DnsServer is {text}: give an IP address and port, e.g. 127.0.0.1:18053.");
    }
}
