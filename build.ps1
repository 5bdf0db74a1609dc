#!/usr/bin/env pwsh
# Bootstrap (Windows, or PowerShell anywhere): find dotnet, rebuild the build only when its inputs changed
# (content hash), then run the compiled build directly. Same steps as build.sh.
# No Param block: PowerShell's parameter binder would take `--` (the end of the build's own arguments, before an
# Exec or Ssh command) and refuse words like Exec as positional arguments; $args passes everything through as is.
$BuildArguments = @($args)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

$Root = $PSScriptRoot
$BuildProject = Join-Path $Root 'build/_build.csproj'
# its own output: build.sh's stamp hashes the inputs in another format, and two bootstraps sharing one output would
# each take the other's build for stale and compile it again
$Out = Join-Path $Root '.nuke/temp/build-pwsh'
$Stamp = Join-Path $Out '.inputs.sha256'
$Exe = Join-Path $Out ($(if ($IsWindows -or $env:OS -eq 'Windows_NT') { '_build.exe' } else { '_build' }))

$env:DOTNET_CLI_TELEMETRY_OPTOUT = 1
$env:DOTNET_NOLOGO = 1
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = 1

function Get-InputsHash {
    $files = @(Get-ChildItem -Path (Join-Path $Root 'build') -Recurse -File -Include '*.cs', '*.csproj', '*.props', '*.targets' |
        Where-Object { $_.FullName -notmatch '[\\/](bin|obj)[\\/]' } | Sort-Object FullName)
    $files += @('global.json', 'Directory.Build.props', 'Directory.Packages.props' | ForEach-Object { Get-Item (Join-Path $Root $_) })
    # a substring, not [IO.Path]::GetRelativePath, which Windows PowerShell 5.1 (.NET Framework) lacks
    $lines = $files | ForEach-Object { (Get-FileHash -Algorithm SHA256 $_.FullName).Hash + ' ' + $_.FullName.Substring($Root.Length + 1).Replace('\', '/') }
    $bytes = [Text.Encoding]::UTF8.GetBytes(($lines -join "`n"))
    return [BitConverter]::ToString([Security.Cryptography.SHA256]::Create().ComputeHash($bytes)).Replace('-', '').ToLowerInvariant()
}

function Find-Dotnet {
    $wanted = (Get-Content (Join-Path $Root 'global.json') | ConvertFrom-Json).sdk.version
    # ProgramFiles is only set on Windows: Join-Path refuses a null path
    $candidates = @($env:DOTNET_EXE, (Get-Command dotnet -ErrorAction SilentlyContinue | Select-Object -ExpandProperty Source),
        $(if ($env:ProgramFiles) { Join-Path $env:ProgramFiles 'dotnet/dotnet.exe' }), (Join-Path $HOME '.dotnet/dotnet')) | Where-Object { $_ -and (Test-Path $_) }
    foreach ($candidate in $candidates) {
        Push-Location $Root
        try { & $candidate --version *> $null; if ($LASTEXITCODE -eq 0) { return $candidate } } finally { Pop-Location }
    }
    Write-Error "no .NET SDK matching global.json ($wanted) found. Install the .NET 10 SDK (https://dot.net/download) and put 'dotnet' on PATH, or set DOTNET_EXE." -ErrorAction Continue
    exit 1
}

$hash = Get-InputsHash
$current = if (Test-Path $Stamp) { (Get-Content $Stamp -Raw).Trim() } else { '' }
if (-not (Test-Path $Exe) -or $current -ne $hash) {
    $dotnet = Find-Dotnet
    New-Item -ItemType Directory -Force -Path $Out | Out-Null
    [Console]::Error.WriteLine('Compiling the build (inputs changed)...')
    # ReadyToRun (precompiled, dependencies included), as build.sh: a cloud run starts about a second faster than
    # with JIT alone; when the crossgen package cannot be restored, a plain build does
    $arch = if ([System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'Arm64') { 'arm64' } else { 'x64' }
    $os = if (Get-Variable IsLinux -ErrorAction SilentlyContinue | Where-Object Value) { 'linux' } elseif (Get-Variable IsMacOS -ErrorAction SilentlyContinue | Where-Object Value) { 'osx' } else { 'win' }
    $output = & $dotnet publish $BuildProject -c Release -r "$os-$arch" --self-contained false -p:PublishReadyToRun=true -o $Out -nologo -tl:off -clp:NoSummary --verbosity quiet /nodeReuse:false 2>&1
    if ($LASTEXITCODE -ne 0) {
        [Console]::Error.WriteLine('note: the ReadyToRun publish failed; compiling without it (the build starts slower).')
        $output = & $dotnet build $BuildProject -c Release -o $Out -nologo -tl:off -clp:NoSummary --verbosity quiet /nodeReuse:false 2>&1
    }
    if ($LASTEXITCODE -ne 0) {
        $output | Where-Object { $_ -match 'error|warning' } | Sort-Object -Unique | ForEach-Object { [Console]::Error.WriteLine($_) }
        [Console]::Error.WriteLine('error: the build project does not compile; see the errors above.')
        exit 1
    }
    Set-Content -Path $Stamp -Value $hash -NoNewline
}

& $Exe @BuildArguments
exit $LASTEXITCODE
