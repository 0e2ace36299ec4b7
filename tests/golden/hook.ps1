# pyrun hook for PowerShell (pwsh 7 on Linux and macOS): printed by `pyrun hook powershell`,
# evaluated by
#   (& 'pyrun' hook powershell) | Out-String | Invoke-Expression
#
# Strategy. Everything lives in a dynamic module (New-Module | Import-Module) that
# exports nothing, so no function or variable of pyrun's reaches the user's scope. Two
# entry points call Update-Pyrun: the user's `prompt` function, which pyrun wraps (it
# keeps a reference to the previous one and calls it, never replaces what it prints),
# and the engine's LocationChangedAction, chained with [Delegate]::Combine so that
# direnv's or anyone's handler still runs. Update-Pyrun puts the shims directory back
# in front of $env:PATH exactly once (activate scripts and conda put theirs in front),
# then compares PWD, VIRTUAL_ENV, CONDA_PREFIX, CONDA_DEFAULT_ENV, PYRUN_TRUST,
# PYRUN_PYTHON_VERSION_FILES and PATH with what it saw last and returns at once when
# nothing changed, touching no file; so a file that appears or changes while none of
# them does (a new .venv, a .python-version written or edited in the current
# directory) is noticed at the next change (a `cd` to another directory). Otherwise it
# walks uv's order as shims/shim.sh does (shell/README.md is the contract, Python's
# `pyrun.label` the reference) in-process with .NET calls, and exports
# $env:PYRUN_ENV_KIND and $env:PYRUN_ENV_NAME. First it reads the .python-version file
# that applies, as src/pyrun/version_file.py does (python_version_files;
# PYRUN_PYTHON_VERSION_FILES wins): a minor version 3.Y there makes `python` ask for it
# as `python3.Y` does, so an environment counts only with bin/python3.Y and PATH is
# searched for python3.Y, python3, python. Nothing found in a directory is run:
# pyvenv.cfg and .python-version are read as text, and an isolated environment's
# version comes from the one-line record pyrun keeps for each base interpreter
# (src/pyrun/records.py). A found .venv that someone else controls is skipped, as the
# shims skip it (src/pyrun/ownership.py), and said once on stderr: its owner and mode
# come from the UnixStat that PowerShell 7 attaches to file system items, so nothing is
# started either, except `id -u` once per session where there is no /proc to tell the
# uid.
# The prompt restores $? and $LASTEXITCODE before the user's prompt runs and again
# before it returns. Evaluating this text again replaces the previous pyrun module,
# takes over the prompt it had wrapped and removes its handler: three times is once.
#
# No byte order mark. virtualenv gives its activate.ps1 FILES a BOM because Windows
# PowerShell 5.1 reads a .ps1 file without one in the ANSI code page. This hook is never
# a file: pyrun prints it to stdout and PowerShell decodes that output with
# [Console]::OutputEncoding before Invoke-Expression sees a string; a BOM would only
# arrive as a stray U+FEFF (or as mojibake) in front of the first line.
#
# Narrowings against the shell hooks, each where .NET cannot see what `test` sees:
# the working directory, for the .venv walk and the .python-version search, is
# PowerShell's location (symlinks in it are not resolved), a record's interpreter is
# compared by resolved link target (hard links are not seen as the same file), an
# executable is a file with an execute bit for anyone, and an item without UnixStat (a
# PowerShell before it had one) passes the ownership check.

New-Module -Name pyrun -ScriptBlock {
    $shims = '/home/user/.local/share/pyrun/shims'
    $data = '/home/user/.local/share/pyrun'
    # From config.toml when the hook was made (src/pyrun/config.py): its trust list (used
    # with PYRUN_TRUST), its prompt setting (PYRUN_PROMPT wins), the text around the
    # name in prompt_format, its system_site_packages and python_version_files (the
    # variables win).
    $configTrust = ''
    $configPrompt = '1'
    $promptBefore = '('
    $promptAfter = ') '
    $configSite = '0'
    $configPin = '1'
    $sep = [IO.Path]::PathSeparator
    # What Python's str.strip() removes (str.isspace), for pyvenv.cfg keys and values.
    $space = [char[]](" `t`n`r`v`f" + [char]0x1c + [char]0x1d + [char]0x1e + [char]0x1f +
        [char]0x85 + [char]0xa0 + [char]0x1680 + [char]0x2028 + [char]0x2029 + [char]0x202f +
        [char]0x205f + [char]0x3000 + (-join (0x2000..0x200a | ForEach-Object { [char]$_ })))
    $script:seen = $null
    $script:warned = ''
    $script:warnings = [Collections.Generic.List[string]]::new()
    $script:untrusted = [Collections.Generic.List[string]]::new()
    $script:euid = $null

    # Control characters (C0, DEL, C1) removed: what a prompt may show.
    function Get-Inert([string]$Text) { $Text -replace '[\x00-\x1f\x7f-\x9f]', '' }

    function Test-Executable([string]$Path) {
        if (-not [IO.File]::Exists($Path)) { return $false }
        try { return ([int][IO.File]::GetUnixFileMode($Path) -band 0x49) -ne 0 } catch { return $true }
    }

    function Test-EnvOk([string]$Env) {
        (Test-Executable "$Env/bin/python3") -or (Test-Executable "$Env/bin/python")
    }

    # Whether environment $Env is the minor version $Minor (a .python-version's) asks
    # for; without one, any.
    function Test-HasMinor([string]$Env, [string]$Minor) {
        -not $Minor -or (Test-Executable "$Env/bin/python$Minor")
    }

    # An environment whose interpreter is gone (environment.health in Python).
    function Test-EnvBroken([string]$Env) {
        [IO.File]::Exists("$Env/pyvenv.cfg") -or
            ((Get-Item -Force -LiteralPath "$Env/bin/python3", "$Env/bin/python" -ErrorAction Ignore |
                Where-Object { $_.LinkType }).Count -gt 0)
    }

    function Get-RealPath([string]$Path) {
        $item = Get-Item -LiteralPath $Path -Force -ErrorAction Ignore
        if (-not $item) { return $null }
        $target = $item.ResolveLinkTarget($true)
        if ($target) { $target.FullName } else { $item.FullName }
    }

    # [ a -ef b ], as near as .NET gets: both exist and resolve to the same path.
    function Test-SameFile([string]$A, [string]$B) {
        $real = Get-RealPath $A
        [bool]$real -and $real -ceq (Get-RealPath $B)
    }

    # The pyvenv.cfg `prompt =` value, else the directory holding a .venv, else the name.
    function Get-EnvLabel([string]$Env) {
        $cfg = "$Env/pyvenv.cfg"
        $item = Get-Item -LiteralPath $cfg -Force -ErrorAction Ignore
        $regular = $item -is [IO.FileInfo] -and -not ($item.UnixMode -and $item.UnixMode[0] -ne '-')
        if ($regular -and $item.Length -le 65536) {
            $text = try { [IO.File]::ReadAllText($cfg) } catch { '' }
            foreach ($line in $text -split '\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]') {
                $at = $line.IndexOf('=')
                if ($at -lt 0 -or $line.Substring(0, $at).Trim($space) -cne 'prompt') { continue }
                $value = $line.Substring($at + 1).Trim($space)
                if ($value -match '^([''"])(.*)\1$') { $value = $Matches[2] }
                if ($value) { return Get-Inert $value }
                break
            }
        }
        $name = Split-Path -Leaf $Env
        if ($name -ceq '.venv') { $name = Split-Path -Leaf (Split-Path -Parent $Env) }
        if (-not $name) { $name = '/' }
        Get-Inert $name
    }

    # A base interpreter: `pyrun 3.X` from its record, `pyrun` without a current one,
    # $null when its record says it is not a usable Python, or that its environment is
    # not the minor version $Pinned (a .python-version's) asks for.
    # With system_site_packages on the records are in by-path-site, as the shims read them.
    function Get-BaseLabel([string]$Candidate, [string]$Pinned) {
        $site = if ($env:PYRUN_SYSTEM_SITE_PACKAGES) { $env:PYRUN_SYSTEM_SITE_PACKAGES } else { $configSite }
        $records = if ($site -ceq '1') { 'by-path-site' } else { 'by-path' }
        $line = try { [IO.File]::ReadLines("$data/$records$Candidate") | Select-Object -First 1 } catch { '' }
        $kind, $target = "$line" -split ' ', 2
        if ($kind -ceq 'env' -and [IO.File]::Exists("$target/.pyrun-complete") -and
            (Test-SameFile $Candidate "$target/bin/python")) {
            if (-not (Test-HasMinor $target $Pinned)) { return $null }
            $minor = (Split-Path -Leaf $target).Split('-')
            if ($minor.Count -ge 2) { return Get-Inert "pyrun $($minor[1])" }
        }
        if ($kind -ceq 'skip' -and (Test-SameFile $Candidate $target)) { return $null }
        'pyrun'
    }

    function Test-CondaBase([string]$Prefix) {
        $p = $Prefix -replace '(?<=.)/+$', ''
        if ([IO.File]::Exists("$p/conda-meta/pixi")) { return $false }
        if ($null -ne $env:_CONDA_ROOT -and $p -ceq ($env:_CONDA_ROOT -replace '(?<=.)/+$', '')) { return $true }
        $current = $env:CONDA_DEFAULT_ENV
        if ($null -eq $current -or $p -ceq $current -or $p -ceq '/') { return $false }
        (Split-Path -Leaf $p) -cne $current
    }

    # The effective uid: /proc/$PID belongs to it (Linux); elsewhere `id -u`, once.
    function Get-Euid {
        if ($null -eq $script:euid) {
            $self = Get-Item -Force -LiteralPath "/proc/$PID" -ErrorAction Ignore
            $script:euid = if ($self -and $null -ne $self.UnixStat) { $self.UnixStat.UserId }
                else { try { [int](& '/usr/bin/id' -u 2>$null) } catch { -1 } }
        }
        $script:euid
    }

    # Why $Path is no place to take programs from (ownership.unsafe_reason's wording),
    # or $null. UnixStat describes a link itself, so the link is resolved first. A
    # $Holder (the directory holding an environment) may be writable by others when it
    # has the sticky bit, like /tmp. What cannot be examined passes, as in Python.
    function Get-Unsafe([string]$Path, [bool]$Holder) {
        $real = Get-RealPath $Path
        $stat = if ($real) { (Get-Item -Force -LiteralPath $real -ErrorAction Ignore).UnixStat }
        $me = Get-Euid
        if ($null -eq $stat -or $me -lt 0) { return $null }
        if ($stat.UserId -ne 0 -and $stat.UserId -ne $me) {
            return "$Path is owned by uid $($stat.UserId), not by you (uid $me) or root"
        }
        $writers = $stat.Mode -band 0x12
        if ($writers -eq 0 -or ($Holder -and $stat.IsSticky)) { return $null }
        $who = if ($writers -eq 0x12) { 'its group and others' } elseif ($writers -eq 0x2) { 'others' } else { 'its group' }
        "$Path is writable by $who"
    }

    # Whether the environment $Path, found by the .venv step, may be used (ownership.py's
    # rule): it and the directory holding it are yours or root's and nobody else may
    # write to them, unless PYRUN_TRUST or config.toml's trust names one of them (`*` for all, `DIR/*` for
    # everything below DIR). If not, pyrun's warning is kept for Update-Pyrun to print.
    function Test-Trusted([string]$Path) {
        if ($script:untrusted -ccontains $Path) { return $false }
        $holder = [IO.Path]::GetDirectoryName($Path)
        if (-not $holder) { $holder = '/' }
        $trust = if ($null -ne $env:PYRUN_TRUST) { "$($env:PYRUN_TRUST):$configTrust" } else { $configTrust }
        foreach ($entry in $trust.Split(':')) {
            if ($entry -ceq '*') { return $true }
            if (-not $entry.StartsWith('/', [StringComparison]::Ordinal)) { continue }
            if ($entry.EndsWith('/*', [StringComparison]::Ordinal)) {
                $prefix = $entry.Substring(0, $entry.Length - 1)
                if ($Path.StartsWith($prefix, [StringComparison]::Ordinal) -or
                    $holder.StartsWith($prefix, [StringComparison]::Ordinal)) { return $true }
                continue
            }
            $entry = $entry.TrimEnd([char]'/')
            if (-not $entry) { $entry = '/' }
            if ($entry -ceq $Path -or $entry -ceq $holder) { return $true }
        }
        $reason = Get-Unsafe $Path $false
        if ($null -eq $reason) { $reason = Get-Unsafe $holder $true }
        if ($null -eq $reason) { return $true }
        $script:untrusted.Add($Path)
        $script:warnings.Add((Get-Inert ("pyrun: not using ${Path}: $reason; to use it anyway, " +
            "add it to PYRUN_TRUST (export PYRUN_TRUST=$Path)")))
        $false
    }

    # A regular file, symlinks followed ([ -f ]): never a FIFO, which reading would wait on.
    function Test-RegularFile([string]$Path) {
        if (-not [IO.File]::Exists($Path)) { return $false }
        $real = Get-RealPath $Path
        $item = if ($real) { Get-Item -Force -LiteralPath $real -ErrorAction Ignore }
        $item -is [IO.FileInfo] -and -not ($item.UnixMode -and $item.UnixMode[0] -ne '-')
    }

    # The minor version (`3.Y`) the .python-version file that applies asks for, or $null
    # (src/pyrun/version_file.py's reading, as uv reads it): in $Dir (the working
    # directory; $null when it is gone) or a parent up to /, the nearest
    # .python-version, else .python-versions, a regular file; else the same two names in
    # uv's user config directory. Each line is trimmed of ASCII white space, comment (#)
    # and blank lines are skipped, and the first line that is 3, 3.Y or 3.Y.Z (digits)
    # decides: 3.Y with Y's leading zeros gone (3.012 is 3.12), or no minor for `3`. Off
    # when python_version_files is (PYRUN_PYTHON_VERSION_FILES, when not empty, wins;
    # only 0 turns it off).
    function Get-PinnedMinor([string]$Dir) {
        $on = if ($env:PYRUN_PYTHON_VERSION_FILES) { $env:PYRUN_PYTHON_VERSION_FILES } else { $configPin }
        if ($on -ceq '0') { return $null }
        $dirs = [Collections.Generic.List[string]]::new()
        while ($Dir) { $dirs.Add($Dir); $Dir = [IO.Path]::GetDirectoryName($Dir) }
        # uv's user config directory, where `uv python pin --global` writes.
        if ("$env:XDG_CONFIG_HOME".StartsWith('/', [StringComparison]::Ordinal)) { $dirs.Add("$env:XDG_CONFIG_HOME/uv") }
        elseif ("$env:HOME".StartsWith('/', [StringComparison]::Ordinal)) { $dirs.Add("$env:HOME/.config/uv") }
        $file = $null
        foreach ($d in $dirs) {
            foreach ($name in '.python-version', '.python-versions') {
                $path = [IO.Path]::Join($d, $name)
                if (Test-RegularFile $path) { $file = $path; break }
            }
            if ($file) { break }
        }
        if (-not $file) { return $null }
        # Unreadable: no minor. Bytes that are not UTF-8 never make a request.
        $text = try { [Text.Encoding]::UTF8.GetString([IO.File]::ReadAllBytes($file)) } catch { '' }
        foreach ($line in $text.Split("`n")) {
            $line = $line.Trim([char[]](" `t`r`v`f"))
            if (-not $line -or $line.StartsWith('#', [StringComparison]::Ordinal)) { continue }
            if (-not ($line -cmatch '^3(\.([0-9]+)(\.[0-9]+)?)?\z')) { continue }
            if (-not $Matches[2]) { return $null }
            $y = $Matches[2].TrimStart([char]'0')
            return "3.$(if ($y) { $y } else { '0' })"
        }
        $null
    }

    function Set-Env([string]$Kind, [string]$Name) {
        $env:PYRUN_ENV_KIND = $Kind
        $env:PYRUN_ENV_NAME = $Name
    }

    function Update-Environment {
        $here = (Get-Location -PSProvider FileSystem).ProviderPath
        $cwd = if ([IO.Directory]::Exists($here)) { $here } else { $null }
        # What a .python-version asks for: environments of another minor are skipped.
        $minor = Get-PinnedMinor $cwd
        if ($env:VIRTUAL_ENV) {
            $venv = [IO.Path]::GetFullPath($env:VIRTUAL_ENV, $here)
            if (Test-EnvOk $venv) {
                # Only a virtual environment counts: VIRTUAL_ENV=/usr is skipped.
                if ([IO.File]::Exists("$venv/pyvenv.cfg") -and (Test-HasMinor $venv $minor)) {
                    return Set-Env VIRTUAL_ENV (Get-EnvLabel $venv)
                }
            } elseif (Test-EnvBroken $venv) { return Set-Env VIRTUAL_ENV 'broken VIRTUAL_ENV' }
        }
        $condaBase = $null
        if ($env:CONDA_PREFIX) {
            $prefix = [IO.Path]::GetFullPath($env:CONDA_PREFIX, $here)
            if (Test-CondaBase $env:CONDA_PREFIX) { $condaBase = $prefix }
            elseif (Test-EnvOk $prefix) {
                if (Test-HasMinor $prefix $minor) {
                    $name = Split-Path -Leaf $prefix
                    return Set-Env CONDA_PREFIX (Get-Inert $(if ($name) { $name } else { '/' }))
                }
            }
            elseif (Test-EnvBroken $prefix) { return Set-Env CONDA_PREFIX 'broken CONDA_PREFIX' }
        }
        $dir = $cwd
        while ($dir) {
            # One that someone else controls counts as absent: the walk goes on (a .venv
            # symlink to nothing is not examined: it is a broken .venv).
            $envDir = $null
            if ([IO.File]::Exists("$dir/pyvenv.cfg") -and (Test-Trusted $dir)) { $envDir = $dir }
            else {
                $dotVenv = [IO.Path]::Join($dir, '.venv')
                $item = Get-Item -LiteralPath $dotVenv -Force -ErrorAction Ignore
                # A directory or a symlink, as Python's isdir() or islink().
                if ($item -is [IO.DirectoryInfo] -or ($item -and $item.LinkType)) {
                    $dangling = -not ([IO.Directory]::Exists($dotVenv) -or [IO.File]::Exists($dotVenv))
                    if ($dangling -or (Test-Trusted $dotVenv)) {
                        if (-not [IO.File]::Exists("$dotVenv/pyvenv.cfg")) { return Set-Env .venv 'broken .venv' }
                        $envDir = $dotVenv
                    }
                }
            }
            if ($envDir) {
                # Not the version a .python-version asks for: the .venv step ends here,
                # as the resolver's does (no parent's .venv); base interpreters are next.
                if (-not (Test-EnvOk $envDir)) { return Set-Env .venv 'broken .venv' }
                if (Test-HasMinor $envDir $minor) { return Set-Env .venv (Get-EnvLabel $envDir) }
                break
            }
            $dir = [IO.Path]::GetDirectoryName($dir)
        }
        if ($condaBase) {
            foreach ($candidate in "$condaBase/bin/python3", "$condaBase/bin/python") {
                if (Test-Executable $candidate) {
                    $name = Get-BaseLabel $candidate $minor
                    if ($null -ne $name) { return Set-Env isolated $name }
                    break
                }
            }
        }
        foreach ($entry in "$env:PATH".Split($sep)) {
            if (-not $entry.StartsWith('/') -or (Test-SameFile $entry $shims)) { continue }
            $d = if ($entry.EndsWith('/')) { $entry } else { "$entry/" }
            # For a .python-version's 3.Y: python3.Y, python3, python, and no others.
            $candidates = if ($minor) { @("${d}python$minor", "${d}python3", "${d}python") } else {
                @("${d}python", "${d}python3") + @(Get-ChildItem -LiteralPath $d -Filter 'python3.*' -Force -ErrorAction Ignore |
                    Where-Object Name -CMatch '^python3\.[0-9]{1,2}$' |
                    Sort-Object { [int]$_.Name.Substring(8) } -Descending | ForEach-Object { "$d$($_.Name)" })
            }
            foreach ($candidate in $candidates) {
                if (Test-Executable $candidate) {
                    $name = Get-BaseLabel $candidate $minor
                    if ($null -ne $name) { return Set-Env isolated $name }
                }
            }
        }
        Set-Env isolated pyrun
    }

    function Update-Pyrun {
        $entries = @("$env:PATH".Split($sep) | Where-Object { $_ -cne $shims })
        $wanted = (@($shims) + $entries) -join $sep
        if ($env:PATH -cne $wanted) { $env:PATH = $wanted }
        $now = @("$PWD", "$env:VIRTUAL_ENV", "$env:CONDA_PREFIX", "$env:CONDA_DEFAULT_ENV", "$env:PATH",
            "$($null -ne $env:PYRUN_TRUST)$env:PYRUN_TRUST", "$env:PYRUN_SYSTEM_SITE_PACKAGES",
            "$env:PYRUN_PYTHON_VERSION_FILES")
        $now = $now -join [char]0
        if ($now -ceq $script:seen) { return }
        $script:seen = $now
        $script:warnings.Clear()
        $script:untrusted.Clear()
        Update-Environment
        # A skipped .venv is said once, not again while the next changes skip the same.
        $said = $script:warnings -join "`n"
        if ($said -cne $script:warned) { foreach ($line in $script:warnings) { [Console]::Error.WriteLine($line) } }
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
