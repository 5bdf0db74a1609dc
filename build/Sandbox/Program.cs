using System.Runtime.InteropServices;
using System.Text.Json;
using AccoReboot.Sandbox;
using AccoReboot.Secrets;
using BuildEngine;

// The sandbox's cloud as a program of its own: `./build.sh SandboxCloud` (and Up --env sandbox, in the background)
// writes a request and runs this with it. SIGTERM and Ctrl+C stop it the way Ctrl+C stopped the target: it removes
// the database, the registry, sshd and the instance's files it made.
if (args.Length != 1 || !File.Exists(args[0]))
{
    Console.Error.WriteLine("usage: sandbox <request.json> — ./build.sh SandboxCloud writes the request and runs this.");
    return 2;
}
var request = JsonSerializer.Deserialize<SandboxRequest>(File.ReadAllText(args[0]))!;
var masker = new SecretMasker();
var log = new BuildLog(Console.Out, Console.Error, masker, Path.Combine(request.Root, ".nuke", "temp", "sandbox.log"));
using var stop = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
var processes = new ProcessRunner(log);
var store = new SopsDotenvStore(request.Root, new AgeIdentitySources(new SystemEnvironment(), processes, [request.AgeKeyFile]), TimeProvider.System);
var credentials = new CredentialsLoader(store, masker, request.CommonCredentials);
try
{
    await new SandboxCloud(request.Root, credentials, new SandboxImages(request.Root, processes, log), processes, log).RunAsync(request.Cloud, request.Host, stop.Token);
    return 0;
}
catch (BuildFailure failure)
{
    log.Error(failure.Message);
    return 1;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    return 0;
}
finally
{
    log.Flush();
}
