# pyrun hook for PowerShell (pwsh 7.2+ on Linux and macOS): printed by
# `pyrun hook powershell`, evaluated by
#   (& 'pyrun' hook powershell) | Out-String | Invoke-Expression
#
# A thin hook (shell/README.md is the contract). It does not walk: the answer to "what
# does `python` run here, and what is it called" comes from the shim binary itself,
# run under the name pyrun-resolve that `pyrun rehash` puts beside the shims, so the
# prompt and `python` cannot disagree.
#
# Everything lives in a dynamic module (New-Module | Import-Module) that exports
# nothing, so no function or variable of pyrun's reaches the user's scope. Two entry
# points call Update-Pyrun: the user's `prompt` function, which pyrun wraps (it keeps a
# reference to the previous one and calls it, never replaces what it prints), and the
# engine's LocationChangedAction, chained with [Delegate]::Combine so that direnv's or
# anyone's handler still runs (and a prompt theme loaded later, which replaces
# `prompt`, still finds PYRUN_ENV_* current after a `cd`). Update-Pyrun:
#
# - puts the shims directory back in front of $env:PATH exactly once (activate scripts
#   and conda put theirs in front; PowerShell keeps no table of command locations);
# - builds the change key: the location, every variable the resolver reads (shims/shim.c's
#   getenv calls; PowerShell's $env: is the process environment, so all are exported),
#   whether .venv, .python-version and .python-versions are there, and whether the
#   shims generation marker the resolver named last still exists (`pyrun rehash` and
#   `pip install` through a shim replace it), joined with NUL, which no path or
#   variable holds. Where it is the same as last time it returns: no process, no file
#   read, five `stat`s;
# - otherwise runs the resolver once, with System.Diagnostics.Process (no shell, no
#   arguments, stdin closed, stderr discarded, in the location), splits its lines as
#   data (nothing it prints is evaluated), sets $env:PYRUN_ENV_KIND and
#   $env:PYRUN_ENV_NAME, and writes its `warning=` lines to stderr, not again while
#   the same ones repeat. No answer (the resolver gone, or printing nothing): `pyrun?`.
#
# A command PowerShell does not find goes to the engine's CommandNotFoundAction,
# chained with [Delegate]::Combine (pyrun's first): pyrun is asked, as a process,
# whether it is a console script another installer put where `python` points (`python
# -I -m pyrun rehash --found=NAME`, stdin closed); when it made the shim, the command
# becomes the shim, run by its path with the arguments. Otherwise the handlers that
# were there before run, and then PowerShell's own error.
#
# The prompt restores $? and $LASTEXITCODE before the user's prompt runs and again
# before it returns (the resolver, a .NET process, sets neither). Evaluating this text
# again replaces the previous pyrun module, takes over the prompt it had wrapped and
# removes its handlers: three times is once.
#
# No byte order mark. virtualenv gives its activate.ps1 FILES a BOM because Windows
# PowerShell 5.1 reads a .ps1 file without one in the ANSI code page. This hook is never
# a file: pyrun prints it to stdout and PowerShell decodes that output with
# [Console]::OutputEncoding before Invoke-Expression sees a string; a BOM would only
# arrive as a stray U+FEFF (or as mojibake) in front of the first line.

New-Module -Name pyrun -ScriptBlock {
    $shims = __PYRUN_SHIMS__
    $resolve = __PYRUN_RESOLVE__
    $python = __PYRUN_PYTHON__
    # From config.toml when the hook was made (src/pyrun/config.py): its prompt setting
    # (PYRUN_PROMPT wins) and the text around the name in prompt_format.
    $configPrompt = __PYRUN_PROMPT__
    $promptBefore = __PYRUN_PROMPT_BEFORE__
    $promptAfter = __PYRUN_PROMPT_AFTER__
    $sep = [IO.Path]::PathSeparator
    # What the resolver's answer depends on in the environment (shims/shim.c's getenv
    # calls, less PWD, PYRUN_DEBUG and the two it ignores when resolving).
    $names = @('VIRTUAL_ENV', 'CONDA_PREFIX', 'CONDA_DEFAULT_ENV', '_CONDA_ROOT', 'PATH',
        'PYRUN_TRUST', 'PYRUN_PYTHON_VERSION_FILES', 'PYRUN_SYSTEM_SITE_PACKAGES',
        'PYENV_ROOT', 'PYENV_VERSION', 'PYENV_DIR', 'HOME', 'XDG_CONFIG_HOME',
        'XDG_DATA_HOME', 'UV_PYTHON_INSTALL_DIR')
    $script:key = $null
    $script:marker = $resolve
    $script:warned = ''

    # Whether .venv is a directory, a symlink (a link to nothing is a broken .venv) or
    # a file (a redirect), whether .python-version and .python-versions are files (.NET
    # follows links, as `test -d` and `test -f` do), and whether the marker of the last
    # answer (the resolver itself when there was none) exists.
    function Get-Key([string]$Here) {
        $parts = [Collections.Generic.List[string]]::new()
        $parts.Add($Here)
        foreach ($name in $names) {
            $value = [Environment]::GetEnvironmentVariable($name)
            $parts.Add($(if ($null -eq $value) { '-' } else { "=$value" }))
        }
        $venv = [IO.Path]::Join($Here, '.venv')
        $parts.Add([string][IO.Directory]::Exists($venv))
        $parts.Add([string]($null -ne [IO.FileInfo]::new($venv).LinkTarget))
        foreach ($file in '.venv', '.python-version', '.python-versions') {
            $parts.Add([string][IO.File]::Exists([IO.Path]::Join($Here, $file)))
        }
        $parts.Add([string][IO.File]::Exists($script:marker))
        $parts -join [char]0
    }

    # The resolver's lines, or none when it cannot be run.
    function Invoke-Resolver([string]$Here) {
        $info = [Diagnostics.ProcessStartInfo]::new($resolve)
        $info.UseShellExecute = $false
        $info.WorkingDirectory = $Here
        $info.RedirectStandardInput = $true
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $info.StandardOutputEncoding = [Text.UTF8Encoding]::new($false)
        try {
            $process = [Diagnostics.Process]::Start($info)
            $process.StandardInput.Close()
            $errors = $process.StandardError.ReadToEndAsync()  # drained, not shown
            $out = $process.StandardOutput.ReadToEnd()
            $process.WaitForExit()
            $null = $errors.Result
            $process.Dispose()
            $out -split "`n"
        } catch { @() }
    }

    # Whether pyrun made a shim for NAME, a command PowerShell did not find: pyrun is
    # run with NAME as one argument (no shell), in the location, stdin closed, its
    # output drained and discarded; exit 0 means the shim is there.
    function Test-FirstUse([string]$Name) {
        if (-not $Name -or -not [IO.File]::Exists($python)) { return $false }
        $info = [Diagnostics.ProcessStartInfo]::new($python)
        foreach ($arg in '-I', '-m', 'pyrun', 'rehash', "--found=$Name") { $info.ArgumentList.Add($arg) }
        $info.UseShellExecute = $false
        $info.WorkingDirectory = (Get-Location -PSProvider FileSystem).ProviderPath
        $info.RedirectStandardInput = $true
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        try {
            $process = [Diagnostics.Process]::Start($info)
            $process.StandardInput.Close()
            $errors = $process.StandardError.ReadToEndAsync()
            $null = $process.StandardOutput.ReadToEnd()
            $process.WaitForExit()
            $null = $errors.Result
            $made = $process.ExitCode -eq 0
            $process.Dispose()
            $made
        } catch { $false }
    }

    function Update-Pyrun {
        $entries = @("$env:PATH".Split($sep) | Where-Object { $_ -cne $shims })
        $wanted = (@($shims) + $entries) -join $sep
        if ($env:PATH -cne $wanted) { $env:PATH = $wanted }
        $here = (Get-Location -PSProvider FileSystem).ProviderPath
        if ((Get-Key $here) -ceq $script:key) { return }

        $kind = ''
        $label = ''
        $marker = ''
        $warnings = [Collections.Generic.List[string]]::new()
        foreach ($line in (Invoke-Resolver $here)) {
            $at = $line.IndexOf('=')
            if ($at -lt 0) { continue }
            $value = $line.Substring($at + 1)
            switch -CaseSensitive ($line.Substring(0, $at)) {
                'kind' { $kind = $value }
                'label' { $label = $value }
                'shims' { $marker = $value }
                'warning' { $warnings.Add($value) }
            }
        }
        if (-not $label) { $label = 'pyrun?' }
        $env:PYRUN_ENV_KIND = $kind
        $env:PYRUN_ENV_NAME = $label
        # The key again, with the marker now named: what the next prompt compares with.
        $script:marker = if ($marker) { $marker } else { $resolve }
        $script:key = Get-Key $here
        # Said once, not again while the next changes find the same.
        $said = $warnings -join "`n"
        if ($said -and $said -cne $script:warned) {
            foreach ($warning in $warnings) { [Console]::Error.WriteLine($warning) }
        }
        $script:warned = $said
    }

    # `(NAME) ` (prompt_format), unless turned off or already shown by an activate script
    # or conda.
    function Get-Indicator {
        $on = if ($env:PYRUN_PROMPT) { $env:PYRUN_PROMPT } else { $configPrompt }
        if ($on -eq '0' -or -not $env:PYRUN_ENV_NAME) { return '' }
        if ($env:PYRUN_ENV_KIND -ceq 'VIRTUAL_ENV' -and -not $env:VIRTUAL_ENV_DISABLE_PROMPT) { return '' }
        if ($env:PYRUN_ENV_KIND -ceq 'CONDA_PREFIX' -and $env:CONDA_PROMPT_MODIFIER) { return '' }
        "$promptBefore$($env:PYRUN_ENV_NAME)$promptAfter"
    }

    # Take over from a previous evaluation: its saved prompt, without its handler.
    $previous = Get-Item -Path function:global:prompt -ErrorAction Ignore
    $action = $ExecutionContext.SessionState.InvokeCommand.LocationChangedAction
    $script:userPrompt = if ($previous) { $previous.ScriptBlock } else { $null }
    if ($previous -and $previous.Module -and $previous.Module.Name -ceq 'pyrun') {
        $script:userPrompt = & $previous.Module { $script:userPrompt }
        $action = [Delegate]::Remove($action, (& $previous.Module { $script:onLocation }))
    }

    $script:onLocation = [EventHandler[Management.Automation.LocationChangedEventArgs]] { Update-Pyrun }
    $ExecutionContext.SessionState.InvokeCommand.LocationChangedAction =
        [Delegate]::Combine($action, $script:onLocation)

    # A command not found: the shim, when pyrun made one for it, runs in its place (by
    # its path, never by the name, which would come back here).
    $notFound = $ExecutionContext.SessionState.InvokeCommand.CommandNotFoundAction
    if ($previous -and $previous.Module -and $previous.Module.Name -ceq 'pyrun') {
        $notFound = [Delegate]::Remove($notFound, (& $previous.Module { $script:onNotFound }))
    }
    $script:onNotFound = [EventHandler[Management.Automation.CommandLookupEventArgs]] {
        param($source, $lookup)
        if ($lookup.StopSearch -or -not (Test-FirstUse $lookup.CommandName)) { return }
        $shim = [IO.Path]::Join($shims, $lookup.CommandName)
        $lookup.CommandScriptBlock = { & $shim @args }.GetNewClosure()
        $lookup.StopSearch = $true
    }
    $ExecutionContext.SessionState.InvokeCommand.CommandNotFoundAction =
        [Delegate]::Combine($script:onNotFound, $notFound)

    function global:prompt {
        $status = $global:?
        $exitCode = $global:LASTEXITCODE
        Update-Pyrun
        $indicator = Get-Indicator
        # The user's prompt sees $? and $LASTEXITCODE as the last command left them.
        $global:LASTEXITCODE = $exitCode
        if (-not $status) { Write-Error '' -ErrorAction Ignore }
        $text = if ($script:userPrompt) { & $script:userPrompt } else { 'PS> ' }
        $global:LASTEXITCODE = $exitCode
        $indicator + (-join $text)
        if (-not $status) { Write-Error '' -ErrorAction Ignore }
    }

    if ($previous -and $previous.Module -and $previous.Module.Name -ceq 'pyrun') {
        Remove-Module -ModuleInfo $previous.Module -Force -ErrorAction Ignore
    }
    Update-Pyrun
    Export-ModuleMember -Function @() -Variable @()
} | Import-Module
