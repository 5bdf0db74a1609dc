using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Tests.Support;

/// <summary>The ways an endpoint goes wrong in practice.</summary>
public enum Misbehaviour
{
    /// <summary>Accepts the connection and never answers.</summary>
    AcceptAndHang,
    /// <summary>Accepts, reads the request, and resets the connection.</summary>
    Reset,
    /// <summary>Answers bytes that are not HTTP.</summary>
    Garbage,
    /// <summary>Answers 200 with a long JSON body, one byte every 300 ms.</summary>
    SlowDrip,
    /// <summary>Answers 200 with an HTML page (a proxy's or a portal's).</summary>
    Html,
    /// <summary>Answers 200 with an empty body.</summary>
    Empty,
    /// <summary>Speaks TLS with a certificate nobody trusts.</summary>
    UntrustedTls,
    /// <summary>Nothing listens: connection refused.</summary>
    Refused,
}

/// <summary>A local TCP server that misbehaves in one way, for every connection.</summary>
public sealed class MisbehavingServer : IDisposable
{
    private readonly TcpListener? _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _held = [];
    private readonly Misbehaviour _how;

    private MisbehavingServer(Misbehaviour how)
    {
        _how = how;
        if (how == Misbehaviour.Refused)
        {
            Port = FreePort.Next();
            return;
        }
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = Task.Run(AcceptLoop);
    }

    public static MisbehavingServer Start(Misbehaviour how) => new(how);

    public int Port { get; }
    public string Url => $"{(_how == Misbehaviour.UntrustedTls ? "https" : "http")}://127.0.0.1:{Port}/";
    public int Connections { get; private set; }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener!.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            Connections++;
            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            switch (_how)
            {
                case Misbehaviour.AcceptAndHang:
                    lock (_held) _held.Add(client);
                    return;
                case Misbehaviour.Reset:
                    await ReadRequest(stream);
                    client.Client.LingerState = new LingerOption(true, 0);
                    client.Close();
                    return;
                case Misbehaviour.Garbage:
                    await ReadRequest(stream);
                    await stream.WriteAsync("\u0001\u0002 this is not HTTP at all\r\n\r\n"u8.ToArray(), _stop.Token);
                    client.Close();
                    return;
                case Misbehaviour.SlowDrip:
                    await ReadRequest(stream);
                    await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n["u8.ToArray(), _stop.Token);
                    while (!_stop.IsCancellationRequested)
                    {
                        await Task.Delay(300, _stop.Token);
                        await stream.WriteAsync("1,"u8.ToArray(), _stop.Token);
                    }
                    return;
                case Misbehaviour.Html:
                    await ReadRequest(stream);
                    await Answer(stream, "text/html", "<html><head><title>Access denied</title></head><body><h1>Blocked by the proxy</h1></body></html>");
                    client.Close();
                    return;
                case Misbehaviour.Empty:
                    await ReadRequest(stream);
                    await Answer(stream, "application/json", "");
                    client.Close();
                    return;
                case Misbehaviour.UntrustedTls:
                    using (var tls = new SslStream(stream))
                    {
                        await tls.AuthenticateAsServerAsync(SelfSigned.Value);
                        await ReadRequest(tls);
                    }
                    return;
            }
        }
        catch (Exception)
        {
            // the client gave up: that is the point
        }
    }

    private async Task ReadRequest(Stream stream)
    {
        var buffer = new byte[8192];
        var text = new StringBuilder();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        while (!text.ToString().Contains("\r\n\r\n"))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0) return;
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
    }

    private async Task Answer(Stream stream, string type, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = $"HTTP/1.1 200 OK\r\nContent-Type: {type}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
        await stream.WriteAsync(bytes, _stop.Token);
    }

    private static readonly Lazy<X509Certificate2> SelfSigned = new(() =>
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    });

    public void Dispose()
    {
        _stop.Cancel();
        _listener?.Stop();
        lock (_held)
            foreach (var client in _held) client.Dispose();
    }
}
