using AccoReboot.Docker;
using BuildEngine;
using Tests.Support;

namespace Tests.Docker;

/// <summary>What the image build's npm is made to trust: the machine's extra CAs, found without a flag.</summary>
[Trait("Category", "Unit")]
public class HostCertificatesTests
{
    private static string Certificate(string body) => $"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----";

    [Fact]
    public void The_added_system_certificates_and_node_extra_ca_certs_are_collected_once_each_in_a_stable_order()
    {
        using var directory = new TempDirectory();
        directory.File("added/b-proxy.crt", Certificate("BBBB"));
        directory.File("added/a-company.crt", Certificate("AAAA") + "\r\n");
        var node = directory.File("node-extra.pem", "comment\n" + Certificate("CCCC") + "\n" + Certificate("AAAA") + "\n");
        var collected = HostCertificates.Collect(new FakeEnvironment(new() { ["NODE_EXTRA_CA_CERTS"] = node }), null, directory.Combine("added"));
        Assert.Equal(string.Join("\n", Certificate("CCCC"), Certificate("AAAA"), Certificate("BBBB")) + "\n", collected);
    }

    [Fact]
    public void The_system_bundle_itself_is_not_an_extra_and_a_machine_without_extras_gives_none()
    {
        using var directory = new TempDirectory();
        var environment = new FakeEnvironment(new() { ["SSL_CERT_FILE"] = "/etc/ssl/certs/ca-certificates.crt", ["NODE_EXTRA_CA_CERTS"] = "/etc/ssl/certs/ca-certificates.crt" });
        Assert.Null(HostCertificates.Collect(environment, null, directory.Combine("none")));
    }

    [Fact]
    public void A_missing_build_ca_file_is_one_line()
    {
        var failure = Assert.Throws<BuildFailure>(() => HostCertificates.Collect(new FakeEnvironment(), "/nonexistent/ca.pem", "/nonexistent"));
        Assert.Equal("--build-ca-file /nonexistent/ca.pem does not exist.", failure.Message);
    }
}
