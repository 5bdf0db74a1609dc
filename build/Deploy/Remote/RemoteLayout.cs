using System.Globalization;

namespace AccoReboot.Deploy.Remote;

/// <summary>
/// The shell commands of a deploy, built as data (Kamal style): pure functions of where things are on the host,
/// tested without a server; SshSession runs them. Everything lives under AppDirectory:
/// releases/&lt;id&gt;/, current → releases/&lt;id&gt;, keys/, audit.log, .deploy-lock/, .upload/.
/// </summary>
sealed record RemoteLayout(string AppDirectory, string Project, string MarkerFile)
{
    private string App => Shell.Quote(AppDirectory);
    private string Current => Shell.Quote($"{AppDirectory}/current");

    public string ComposeIn(string directory) =>
        Shell.Command("docker", "compose", "-p", Project, "--project-directory", directory, "-f", $"{directory}/docker-compose.yml");

    private string ComposeCurrent => ComposeIn($"{AppDirectory}/current");

    /// <summary>One round trip: is cloud-init done, who am I, what runs now.</summary>
    public string Facts() =>
        $"if [ -f {Shell.Quote(MarkerFile)} ]; then echo marker=yes; else echo marker=no; fi; " +
        $"echo uid=$(id -u); echo gid=$(id -g); echo current=$(readlink {Current} 2>/dev/null); " +
        $"echo hash=$(cat {Current}/.release-hash 2>/dev/null)";

    public const string ServicesSeparator = "--- services ---";

    /// <summary>
    /// The facts and the project's containers, in one command. docker ps (the Go CLI alone) answers in tens of
    /// milliseconds where the compose plugin takes half a second; the fields are those of compose ps.
    /// </summary>
    public string FactsAndServices() =>
        Facts() + $"; echo {Shell.Quote(ServicesSeparator)}; docker ps -a --filter label=com.docker.compose.project={Shell.Quote(Project)} --format " +
        Shell.Quote("{\"Service\":{{json (.Label \"com.docker.compose.service\")}},\"State\":{{json .State}},\"Image\":{{json .Image}},\"Status\":{{json .Status}}}") +
        " 2>/dev/null || true";

    /// <summary>Takes the deploy lock (an atomic mkdir); exit 3 and the holder's line when it is held.</summary>
    public string Lock(string owner) =>
        $"mkdir -p {App}/releases {App}/keys {App}/.upload && chmod 700 {App}/keys && " +
        $"if mkdir {App}/.deploy-lock 2>/dev/null; then printf '%s\\n' {Shell.Quote(owner)} > {App}/.deploy-lock/owner; " +
        $"else cat {App}/.deploy-lock/owner 2>/dev/null || echo unknown; exit 3; fi";

    /// <summary>Releases the lock; the same command breaks one a dead deploy left (--force-unlock).</summary>
    public string Unlock() => $"rm -rf {App}/.deploy-lock";

    public string Services() => $"{ComposeCurrent} ps --all --format json";

    /// <summary>The JWT key pair is made once on the host and never replaced (tokens stay valid across deploys).</summary>
    public string EnsureJwtKey() =>
        $"ls {App}/keys/*.key.pem >/dev/null 2>&1 || " +
        $"(umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out {App}/keys/jwt-$(date -u +%Y%m%d%H%M%S).key.pem 2>&1)";

    public const string JwtKeySeparator = "--- key ";

    /// <summary>Every JWT key on the host, each after a separator line with its file name (read to keep them in the state).</summary>
    public string JwtKeys() =>
        $"cd {App}/keys && for f in *.key.pem; do [ -f \"$f\" ] && printf '%s%s\\n' '{JwtKeySeparator}' \"$f\" && cat \"$f\"; done; true";

    /// <summary>Writes a kept JWT key (stdin) onto a host that lacks it, readable by the deploy user only; an existing file is left.</summary>
    public string RestoreJwtKey(string fileName)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(fileName, @"^jwt-[0-9A-Za-z_-]+\.key\.pem$"))
            throw new ArgumentException($"'{fileName}' is not a JWT key file name (jwt-<time>.key.pem).", nameof(fileName));
        var path = Shell.Quote($"{AppDirectory}/keys/{fileName}");
        return $"mkdir -p {App}/keys && chmod 700 {App}/keys && if [ -e {path} ]; then cat >/dev/null; else (umask 077 && cat > {path}.tmp && mv {path}.tmp {path}); fi";
    }

    /// <summary>A new JWT key beside the others (written under a temporary name, then renamed: the API never reads half a key).</summary>
    public string NewJwtKey(string fileName)
    {
        var path = Shell.Quote($"{AppDirectory}/keys/{CheckedKeyName(fileName)}");
        return $"mkdir -p {App}/keys && chmod 700 {App}/keys && (umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out {path}.tmp 2>&1 && mv {path}.tmp {path})";
    }

    public string RetireJwtKeys(IEnumerable<string> fileNames) =>
        $"rm -f {string.Join(' ', fileNames.Select(f => Shell.Quote($"{AppDirectory}/keys/{CheckedKeyName(f)}")))}";

    /// <summary>
    /// The API reads its key directory again on SIGHUP: a key added or retired takes effect without a restart. The
    /// signal goes to the API's process (tini's child, PID 1's only child: exec'd processes have no parent in the
    /// container) from inside the container, not through docker kill, which marks the container stopped by hand, so
    /// that its restart policy would no longer restart it after a crash (found by ResilienceCrash).
    /// </summary>
    public string ReloadJwtKeys() =>
        $"{ComposeCurrent} exec -T api sh -c " +
        Shell.Quote("""n=0; for s in /proc/[0-9]*/stat; do set -- $(cat "$s" 2>/dev/null) x x x x; if [ "$4" = 1 ]; then kill -HUP "$1" && n=$((n+1)); fi; done; [ "$n" -gt 0 ] || { echo 'no API process to signal' >&2; exit 3; }""") +
        " 2>&1";

    private static string CheckedKeyName(string fileName) =>
        System.Text.RegularExpressions.Regex.IsMatch(fileName, @"^jwt-[0-9A-Za-z_-]+\.key\.pem$") ? fileName
            : throw new ArgumentException($"'{fileName}' is not a JWT key file name (jwt-<time>.key.pem).", nameof(fileName));

    public string UploadPath(string release) => $"{AppDirectory}/.upload/{release}.tar.gz";

    /// <summary>Checks the upload, unpacks it beside the other releases, and only then gives it its name.</summary>
    public string Unpack(string release, string sha256, string contentHash)
    {
        var upload = Shell.Quote(UploadPath(release));
        var target = Shell.Quote($"{AppDirectory}/releases/{release}");
        var temporary = Shell.Quote($"{AppDirectory}/releases/{release}.tmp");
        return "set -e; " +
               $"echo {Shell.Quote($"{sha256}  {UploadPath(release)}")} | sha256sum -c --quiet; " +
               $"rm -rf {temporary}; mkdir -p {temporary}; tar -xzf {upload} -C {temporary}; chmod 600 {temporary}/.env; " +
               $"printf '%s\\n' {Shell.Quote(contentHash)} > {temporary}/.release-hash; rm -rf {target}; mv {temporary} {target}; rm -f {upload}";
    }

    public string Login(string registry, string user) => Shell.Command("docker", "login", registry, "--username", user, "--password-stdin");

    public string Pull(string release) => $"{ComposeIn($"{AppDirectory}/releases/{release}")} pull --quiet";

    /// <summary>current → releases/&lt;id&gt; in one rename, so a reader sees the old release or the new, never none.</summary>
    public string Switch(string release) =>
        $"cd {App} && ln -sfn {Shell.Quote($"releases/{release}")} current.new && mv -Tf current.new current";

    public string Up(TimeSpan timeout) =>
        $"{ComposeCurrent} up -d --wait --wait-timeout {(int)timeout.TotalSeconds} --remove-orphans 2>&1";

    public string Health(string url, string? resolve, string? caFile = null) =>
        string.Join(" && ", new[] { "/health", "/.well-known/jwks.json" }.Select(path => Get(url + path, resolve, caFile, discard: true)));

    /// <summary>curl of a URL on the instance (through Caddy: --resolve to its own address, --cacert for a private CA).</summary>
    public static string Get(string url, string? resolve, string? caFile, bool discard = false) =>
        Shell.Command(new[] { "curl", "-fsS", "--max-time", "5" }
            .Concat(discard ? new[] { "-o", "/dev/null" } : [])
            .Concat(resolve != null ? new[] { "--resolve", resolve } : [])
            .Concat(caFile != null ? new[] { "--cacert", caFile } : [])
            .Append(url));

    /// <summary>
    /// Keeps the last releases, and any release a container still mounts files from; then removes the images of the
    /// stack's repositories that no kept release names (each deploy of a new commit brings an API image), so the
    /// disk does not fill with them. Images of other repositories on the host are not touched.
    /// </summary>
    public string Prune(int keep) =>
        $"cd {App}/releases && used=$(docker ps -aq --filter label=com.docker.compose.project={Shell.Quote(Project)} | " +
        "xargs -r docker inspect --format '{{range .Mounts}}{{.Source}} {{end}}' | tr ' ' '\\n' | sed -n 's#.*/releases/\\([^/]*\\)/.*#\\1#p' | sort -u); " +
        $"ls -1 | grep -v '\\.tmp$' | sort | head -n -{keep.ToString(CultureInfo.InvariantCulture)} | while read -r r; do echo \"$used\" | grep -qx \"$r\" || rm -rf \"$r\"; done; " +
        $"rm -rf {App}/.upload/*; " +
        "kept=$(sed -n 's/^ *image: *//p' */docker-compose.yml 2>/dev/null | tr -d \"\\\"'\" | sort -u); " +
        "for repo in $(echo \"$kept\" | sed 's/:[^:/]*$//' | sort -u); do " +
        "docker images --format '{{.Repository}}:{{.Tag}}' \"$repo\" | grep -vxF \"$kept\" | xargs -r docker rmi >/dev/null 2>&1 || true; done";

    /// <summary>
    /// Runs a script in the release's db-tools container (docker compose run, never started by up): it reaches the
    /// database with the release's address, user and CA, the password from .env, so none is in an argument here.
    /// </summary>
    public string DatabaseTool(string script) => $"{ComposeCurrent} run --rm -T --no-deps db-tools sh -c {Shell.Quote(script)}";

    /// <summary>Stops the named services of the running release (their containers stay, up -d starts them again).</summary>
    public string Stop(IEnumerable<string> services) => $"{ComposeCurrent} stop {Shell.Command(services)} 2>&1";

    public string Releases() => $"ls -1 {App}/releases | grep -v '\\.tmp$' | sort";

    public string Audit(string line) => $"printf '%s\\n' {Shell.Quote(line)} >> {App}/audit.log";

    public string Logs(string? service, bool follow, int tail) =>
        $"{ComposeCurrent} logs --tail {tail}{(follow ? " --follow" : "")}{(service != null ? " " + Shell.Quote(service) : "")} 2>&1";

    public string ContainerLogTail(string container, int lines) =>
        $"docker logs --tail {lines.ToString(CultureInfo.InvariantCulture)} {Shell.Quote(container)} 2>&1";

    public string Disk() => $"df -hP {App} | tail -1";

    public string AuditTail(int lines) => $"tail -n {lines.ToString(CultureInfo.InvariantCulture)} {App}/audit.log 2>/dev/null || true";
}
