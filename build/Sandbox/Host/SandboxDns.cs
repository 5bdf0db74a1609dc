using System.Net;
using ARSoft.Tools.Net.Dns;
using BuildEngine;

namespace AccoReboot.Sandbox.Host;

/// <summary>
/// The DNS of the sandbox's emulated zones on 127.0.0.1: what Apply's A record makes live at "OVH" is what Deploy's
/// DNS check and Pebble's validation resolve (the profile's DnsServer). A name outside the zones is NXDOMAIN: the
/// sandbox reaches no outside DNS.
/// </summary>
sealed class SandboxDns(int port, Func<string, IReadOnlyList<string>?> addressesOf) : IDisposable
{
    private DnsServer? _server;

    public void Start()
    {
        _server = new DnsServer(new UdpServerTransport(new IPEndPoint(IPAddress.Loopback, port)), new TcpServerTransport(new IPEndPoint(IPAddress.Loopback, port)));
        _server.QueryReceived += (_, e) =>
        {
            if (e.Query is not DnsMessage query) return Task.CompletedTask;
            var response = query.CreateResponseInstance();
            response.IsAuthoritiveAnswer = true;
            response.ReturnCode = ReturnCode.NoError;
            foreach (var question in query.Questions)
            {
                var addresses = addressesOf(question.Name.ToString());
                if (addresses == null)
                {
                    response.ReturnCode = ReturnCode.NxDomain;
                    continue;
                }
                // no AAAA, no CAA: an empty answer, as a zone without such records gives
                if (question.RecordType is RecordType.A or RecordType.Any)
                    foreach (var address in addresses)
                        response.AnswerRecords.Add(new ARecord(question.Name, 60, IPAddress.Parse(address)));
            }
            e.Response = response;
            return Task.CompletedTask;
        };
        try
        {
            _server.Start();
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new BuildFailure($"The sandbox's DNS cannot listen on 127.0.0.1:{port} ({e.Message}): is another sandbox cloud running?");
        }
    }

    public void Dispose() => _server?.Stop();
}
