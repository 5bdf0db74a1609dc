using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using BuildEngine;

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
        var client = new DnsClient([address], [new UdpClientTransport(port)], false, 2000);
        var answer = await client.ResolveAsync(DomainName.Parse(domain), RecordType.A, RecordClass.INet, null, ct);
        return answer?.AnswerRecords.OfType<ARecord>().Select(r => r.Address.ToString()).ToList() ?? [];
    }

    /// <summary>"127.0.0.1:18053" or "127.0.0.1" (port 53).</summary>
    public static (IPAddress Address, int Port) Server(string text)
    {
        if (IPEndPoint.TryParse(text, out var endpoint))
            return (endpoint.Address, endpoint.Port == 0 ? 53 : endpoint.Port);
        throw new BuildFailure($"DnsServer is {text}: give an IP address and port, e.g. 127.0.0.1:18053.");
    }
}
