using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Channel;

namespace AccoReboot.Product;

/// <summary>
/// How the checks reach a deployed site: the site's name connects to the instance's address (curl --resolve), so a
/// check tests this deployment, not what a resolver or a cache says; TLS is checked for that name against the
/// system's roots, or the profile's private issuing root (SiteCaRoot: the sandbox's Pebble).
/// </summary>
sealed class SiteConnections(string host, string address, string privateRootPem = "")
{
    private readonly X509Certificate2? _privateRoot = privateRootPem.Length > 0 ? X509Certificate2.CreateFromPem(privateRootPem) : null;

    public string Host => host;

    /// <summary>The instance's address: where every connection goes.</summary>
    public string Address => address;

    public HttpClient HttpClient(bool followRedirects = true) =>
        new(Handler(followRedirects)) { Timeout = TimeSpan.FromSeconds(10) };

    public SocketsHttpHandler Handler(bool followRedirects = true) => new()
    {
        AllowAutoRedirect = followRedirects,
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                var target = string.Equals(context.DnsEndPoint.Host, host, StringComparison.OrdinalIgnoreCase) ? address : context.DnsEndPoint.Host;
                await socket.ConnectAsync(target, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
        SslOptions = { RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Trusted(certificate, chain, errors) },
    };

    /// <summary>Trusted as the system trusts it, or chained to the private root with the right name.</summary>
    public bool Trusted(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None) return true;
        if (_privateRoot == null || certificate == null || chain == null || errors != SslPolicyErrors.RemoteCertificateChainErrors) return false;
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_privateRoot);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }

    /// <summary>MQTT over TLS to the instance's address, the site's name as the server name checked.</summary>
    public MqttClientOptionsBuilder MqttTls(MqttClientOptionsBuilder builder, int port) =>
        builder.WithTcpServer(address, port).WithTlsOptions(o => o.UseTls().WithTargetHost(host)
            .WithCertificateValidationHandler(e => Trusted(e.Certificate, e.Chain, e.SslPolicyErrors)));

    /// <summary>
    /// MQTT over a websocket through Caddy (wss://): MQTTnet's own websocket channel resolves the name itself, so
    /// the websocket is opened here (pinned and checked as above) and handed to MQTTnet as the stream of its TCP
    /// channel, the extension point it has for proxies.
    /// </summary>
    public MqttClientOptions OverWebSocket(MqttClientOptions options, Uri uri)
    {
        options.ChannelOptions = new MqttClientTcpOptions
        {
            RemoteEndpoint = new DnsEndPoint(uri.Host, uri.Port),
            StreamProvider = new WebSocketStreams(uri, this),
        };
        return options;
    }

    private sealed class WebSocketStreams(Uri uri, SiteConnections site) : IMqttClientStreamProvider
    {
        public async Task<Stream> ConnectAsync(EndPoint remoteEndPoint, CancellationToken cancellationToken)
        {
            var socket = new ClientWebSocket();
            socket.Options.AddSubProtocol("mqtt");
            try
            {
                // not disposed here: the upgraded connection is the websocket's now
                var invoker = new HttpMessageInvoker(site.Handler(followRedirects: false));
                await socket.ConnectAsync(uri, invoker, cancellationToken);
                return WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }
}
