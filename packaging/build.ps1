# Build the one-folder app bundle on Windows: dist\qwen-studio\qwen-studio.exe.
# See packaging/README.md.
#
#   powershell -ExecutionPolicy Bypass -File packaging\build.ps1
#
# Environment: PYTHON (default "py -3.11" when the launcher exists, else "python"),
# QWEN_STUDIO_BUILD_VENV (default build\pyi-venv), QWEN_STUDIO_DIST (default dist),
# QWEN_STUDIO_SKIP_SMOKE=1 (don't run the bundle afterwards).
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
$Root = (Get-Location).Path

function Invoke-Checked([string]$Exe, [string[]]$Arguments) {
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

$Venv = if ($env:QWEN_STUDIO_BUILD_VENV) { $env:QWEN_STUDIO_BUILD_VENV } else { "build\pyi-venv" }
$Dist = if ($env:QWEN_STUDIO_DIST) { $env:QWEN_STUDIO_DIST } else { "dist" }
New-Item -ItemType Directory -Force -Path $Dist, "build" | Out-Null
$Dist = (Resolve-Path $Dist).Path

if (-not (Test-Path "$Venv\Scripts\python.exe")) {
    if ($env:PYTHON) { Invoke-Checked $env:PYTHON @("-m", "venv", $Venv) }
    elseif (Get-Command py -ErrorAction SilentlyContinue) { Invoke-Checked "py" @("-3.11", "-m", "venv", $Venv) }
    else { Invoke-Checked "python" @("-m", "venv", $Venv) }
}
$Venv = (Resolve-Path $Venv).Path
$Py = "$Venv\Scripts\python.exe"
$Pip = @("-m", "pip", "install", "-q", "--disable-pip-version-check")
Invoke-Checked $Py ($Pip + @("--upgrade", "pip"))
Invoke-Checked $Py ($Pip + @("-r", "packaging\requirements.txt"))
# Dependencies first, then the project again with --force-reinstall: the source changes
# between builds while the version does not, and pip would keep the stale copy.
Invoke-Checked $Py ($Pip + @("."))
# Compile the translations with the build venv's PySide6 (see qwen_studio/i18n.py).
Invoke-Checked $Py @("-m", "qwen_studio.i18n", "release")
Invoke-Checked $Py ($Pip + @("--force-reinstall", "--no-deps", "."))

$Timer = [Diagnostics.Stopwatch]::StartNew()
# Run from build\ so `import qwen_studio` finds the installed package, not the source tree.
Push-Location build
try {
    Invoke-Checked "$Venv\Scripts\pyinstaller.exe" @("--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", $Dist, "--workpath", "pyinstaller", "..\packaging\qwen-studio.spec")
} finally { Pop-Location }
"PyInstaller took {0:N0} s" -f $Timer.Elapsed.TotalSeconds

$Bundle = Join-Path $Dist "qwen-studio"
$Size = (Get-ChildItem $Bundle -Recurse -File | Measure-Object -Property Length -Sum).Sum / 1MB
"bundle: $Bundle ({0:N0} MB)" -f $Size

if ($env:QWEN_STUDIO_SKIP_SMOKE -ne "1") {
    # A windowed (GUI-subsystem) exe does not write to this console, so check exit codes and
    # read the self-test line from a redirected file.
    $Exe = Join-Path $Bundle "qwen-studio.exe"
    $Log = Join-Path $Root "build\self-test.log"
    $env:QT_QPA_PLATFORM = "offscreen"
    $p = Start-Process -FilePath $Exe -ArgumentList "--self-test" -Wait -PassThru -NoNewWindow `
        -RedirectStandardOutput $Log -RedirectStandardError "$Log.err"
    Get-Content $Log, "$Log.err"
    Remove-Item Env:\QT_QPA_PLATFORM
    if ($p.ExitCode -ne 0) { throw "self-test failed with exit code $($p.ExitCode)" }
}
