
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'pipecat' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'pipecat'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'pipecat' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('cloud', 'cloud', [CompletionResultType]::ParameterValue, 'Deploy and manage agents and sessions on Pipecat Cloud')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (e.g. `pipecat completions bash`)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff) of `pipecat`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipecat;cloud' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Create or update an agent, then wait until it is ready')
            [CompletionResult]::new('agent', 'agent', [CompletionResultType]::ParameterValue, 'Start, stop and inspect agents and their sessions')
            [CompletionResult]::new('organizations', 'organizations', [CompletionResultType]::ParameterValue, 'Organizations and their public API keys')
            [CompletionResult]::new('org', 'org', [CompletionResultType]::ParameterValue, 'Organizations and their public API keys')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Store, check and remove your credentials')
            [CompletionResult]::new('local', 'local', [CompletionResultType]::ParameterValue, 'Run and manage a local Pipecat Cloud on this machine')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipecat;cloud;deploy' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Image pull secret set for a private image')
            [CompletionResult]::new('--credentials', '--credentials', [CompletionResultType]::ParameterName, 'Image pull secret set for a private image')
            [CompletionResult]::new('--min-agents', '--min-agents', [CompletionResultType]::ParameterName, 'Agents kept running even without sessions (billed all the time)')
            [CompletionResult]::new('--max-agents', '--max-agents', [CompletionResultType]::ParameterName, 'Most sessions at once; the next start gets 429 [platform default: 50]')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Secret set whose values the agent gets as environment variables')
            [CompletionResult]::new('--secrets', '--secrets', [CompletionResultType]::ParameterName, 'Secret set whose values the agent gets as environment variables')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Agent profile (e.g. agent-1x, agent-2x, agent-3x)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Agent profile (e.g. agent-1x, agent-2x, agent-3x)')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Region to deploy in [default: the organization''s]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region to deploy in [default: the organization''s]')
            [CompletionResult]::new('--krisp-viva-audio-filter', '--krisp-viva-audio-filter', [CompletionResultType]::ParameterName, 'Krisp VIVA noise filter: tel or pro')
            [CompletionResult]::new('--max-session-duration', '--max-session-duration', [CompletionResultType]::ParameterName, 'Sessions are cut off after this many seconds, 60..14400 [platform default: 7200]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Deploy an existing cloud build instead of an image')
            [CompletionResult]::new('--build-id', '--build-id', [CompletionResultType]::ParameterName, 'Deploy an existing cloud build instead of an image')
            [CompletionResult]::new('--config-file', '--config-file', [CompletionResultType]::ParameterName, 'Deploy config to read [default: PIPECAT_DEPLOY_CONFIG_PATH, else ./pcc-deploy.toml]')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for readiness after this long (e.g. 90s, 10m, 1h30m) [default: 10m]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--no-credentials', '--no-credentials', [CompletionResultType]::ParameterName, 'Deploy an image without a pull secret (a public image)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Make a new deployment even if nothing changed (e.g. to pull a moved tag)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Make a new deployment even if nothing changed (e.g. to pull a moved tag)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Deploy without asking (needed when stdin is not a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Deploy without asking (needed when stdin is not a terminal)')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return once the API accepted the deployment, without waiting for it')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;agent' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start a session of an agent (needs only a public API key)')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop a running session')
            [CompletionResult]::new('sessions', 'sessions', [CompletionResultType]::ParameterValue, 'List an agent''s sessions, or show one in full')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Show an agent''s logs')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the organization''s agents')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show an agent''s readiness, deployment, scaling and limits')
            [CompletionResult]::new('deployments', 'deployments', [CompletionResultType]::ParameterValue, 'List an agent''s deployments, newest first')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete an agent (running sessions keep running until stopped)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipecat;cloud;agent;start' {
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Public API key [default: PIPECAT_DEFAULT_PUBLIC_KEY, else the organization''s default key]')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'Public API key [default: PIPECAT_DEFAULT_PUBLIC_KEY, else the organization''s default key]')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Data for the agent (its `body`), as JSON')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'Data for the agent (its `body`), as JSON')
            [CompletionResult]::new('--data-file', '--data-file', [CompletionResultType]::ParameterName, 'Read the data from a JSON file (`-` reads stdin)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Daily room properties, as a JSON object')
            [CompletionResult]::new('--daily-properties', '--daily-properties', [CompletionResultType]::ParameterName, 'Daily room properties, as a JSON object')
            [CompletionResult]::new('--transport', '--transport', [CompletionResultType]::ParameterName, 'Transport the agent should use')
            [CompletionResult]::new('--wait-for-capacity', '--wait-for-capacity', [CompletionResultType]::ParameterName, 'When the agent is at its session limit (429), keep retrying for up to DURATION (e.g. 30s, 5m, 1h; default 5m), with growing pauses, honouring the API''s Retry-After')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retry at most N times on a 429 (waits up to 5m unless --wait-for-capacity says otherwise)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between two checks for new lines with --follow: seconds, or a duration such as 500ms')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('-D', '-D ', [CompletionResultType]::ParameterName, 'Create a Daily room for the session')
            [CompletionResult]::new('--use-daily', '--use-daily', [CompletionResultType]::ParameterName, 'Create a Daily room for the session')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Accepted for compatibility with the official CLI: start never asks for confirmation')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Accepted for compatibility with the official CLI: start never asks for confirmation')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Then follow the session''s logs until it ends, and exit 1 if it failed (Ctrl-C stops following, not the session)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;agent;stop' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The session to stop')
            [CompletionResult]::new('--session-id', '--session-id', [CompletionResultType]::ParameterName, 'The session to stop')
            [CompletionResult]::new('--session', '--session', [CompletionResultType]::ParameterName, 'The session to stop')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Stop without asking (needed when stdin is not a terminal)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Stop without asking (needed when stdin is not a terminal)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;agent;sessions' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Show this one session in full')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Show this one session in full')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Which sessions to list [default: all]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'At most this many sessions, newest first')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many sessions, newest first')
            [CompletionResult]::new('--end-state', '--end-state', [CompletionResultType]::ParameterName, 'Only sessions that ended this way (e.g. completed, agent_error)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between two snapshots with --watch: seconds, or a duration such as 500ms')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Keep the list current until Ctrl-C: redrawn in place on a terminal, else one snapshot per interval (NDJSON with --output json)')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Keep the list current until Ctrl-C: redrawn in place on a terminal, else one snapshot per interval (NDJSON with --output json)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;agent;logs' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Only lines of this session')
            [CompletionResult]::new('--session-id', '--session-id', [CompletionResultType]::ParameterName, 'Only lines of this session')
            [CompletionResult]::new('--session', '--session', [CompletionResultType]::ParameterName, 'Only lines of this session')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Only lines of this deployment')
            [CompletionResult]::new('--deployment', '--deployment', [CompletionResultType]::ParameterName, 'Only lines of this deployment')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Only lines of exactly this level (case-insensitive), as inferred from the first level word in the line; lines without one are INFO')
            [CompletionResult]::new('--level', '--level', [CompletionResultType]::ParameterName, 'Only lines of exactly this level (case-insensitive), as inferred from the first level word in the line; lines without one are INFO')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many lines to show (with --level: lines of that level, however far back they are); with --follow, how many existing lines to show first (at most 10000)')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'How many lines to show (with --level: lines of that level, however far back they are); with --follow, how many existing lines to show first (at most 10000)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Text lines, or one JSON object per line')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Text lines, or one JSON object per line')
            [CompletionResult]::new('--order', '--order', [CompletionResultType]::ParameterName, 'asc: the oldest lines, oldest first; desc: the newest, newest first [default: the newest lines, oldest first]')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only lines at or after TIME: RFC 3339, Unix seconds, or an age such as 10m, 2h, 1d')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Only lines before TIME (same forms as --since)')
            [CompletionResult]::new('--query', '--query', [CompletionResultType]::ParameterName, 'Only lines matching this free-text search (done by the API)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between two checks for new lines with --follow: seconds, or a duration such as 500ms')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep printing new lines as they are written, until Ctrl-C (with --session: until the session has ended)')
            [CompletionResult]::new('--tail', '--tail', [CompletionResultType]::ParameterName, 'Keep printing new lines as they are written, until Ctrl-C (with --session: until the session has ended)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;agent;list' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;agent;status' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;agent;deployments' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;agent;delete' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Delete without asking (needed when stdin is not a terminal)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Delete without asking (needed when stdin is not a terminal)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;agent;help' {
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start a session of an agent (needs only a public API key)')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop a running session')
            [CompletionResult]::new('sessions', 'sessions', [CompletionResultType]::ParameterValue, 'List an agent''s sessions, or show one in full')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Show an agent''s logs')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the organization''s agents')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show an agent''s readiness, deployment, scaling and limits')
            [CompletionResult]::new('deployments', 'deployments', [CompletionResultType]::ParameterValue, 'List an agent''s deployments, newest first')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete an agent (running sessions keep running until stopped)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipecat;cloud;agent;help;start' {
            break
        }
        'pipecat;cloud;agent;help;stop' {
            break
        }
        'pipecat;cloud;agent;help;sessions' {
            break
        }
        'pipecat;cloud;agent;help;logs' {
            break
        }
        'pipecat;cloud;agent;help;list' {
            break
        }
        'pipecat;cloud;agent;help;status' {
            break
        }
        'pipecat;cloud;agent;help;deployments' {
            break
        }
        'pipecat;cloud;agent;help;delete' {
            break
        }
        'pipecat;cloud;agent;help;help' {
            break
        }
        'pipecat;cloud;organizations' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the organizations you belong to')
            [CompletionResult]::new('select', 'select', [CompletionResultType]::ParameterValue, 'Make an organization the active one (stored in the config file)')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Public API keys of the organization (they start sessions)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipecat;cloud;org' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the organizations you belong to')
            [CompletionResult]::new('select', 'select', [CompletionResultType]::ParameterValue, 'Make an organization the active one (stored in the config file)')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Public API keys of the organization (they start sessions)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipecat;cloud;organizations;list' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;org;list' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;organizations;select' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;org;select' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;organizations;keys' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the organization''s public API keys (shortened)')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a public API key and print it (in full, this once)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a public API key: it stops working at once')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make a key the organization''s default for `agent start`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipecat;cloud;organizations;keys;list' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;organizations;keys;create' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Name of the new key (asked on a terminal when missing)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name of the new key (asked on a terminal when missing)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Also make it the organization''s default key')
            [CompletionResult]::new('--default', '--default', [CompletionResultType]::ParameterName, 'Also make it the organization''s default key')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;organizations;keys;revoke' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Revoke without asking (needed when stdin is not a terminal)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Revoke without asking (needed when stdin is not a terminal)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;organizations;keys;use' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;organizations;keys;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the organization''s public API keys (shortened)')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a public API key and print it (in full, this once)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a public API key: it stops working at once')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make a key the organization''s default for `agent start`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipecat;cloud;organizations;keys;help;list' {
            break
        }
        'pipecat;cloud;organizations;keys;help;create' {
            break
        }
        'pipecat;cloud;organizations;keys;help;revoke' {
            break
        }
        'pipecat;cloud;organizations;keys;help;use' {
            break
        }
        'pipecat;cloud;organizations;keys;help;help' {
            break
        }
        'pipecat;cloud;org;keys' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the organization''s public API keys (shortened)')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a public API key and print it (in full, this once)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a public API key: it stops working at once')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make a key the organization''s default for `agent start`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipecat;cloud;org;keys;list' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;org;keys;create' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Name of the new key (asked on a terminal when missing)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name of the new key (asked on a terminal when missing)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Also make it the organization''s default key')
            [CompletionResult]::new('--default', '--default', [CompletionResultType]::ParameterName, 'Also make it the organization''s default key')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;org;keys;revoke' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Revoke without asking (needed when stdin is not a terminal)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Revoke without asking (needed when stdin is not a terminal)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;org;keys;use' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;org;keys;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the organization''s public API keys (shortened)')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a public API key and print it (in full, this once)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a public API key: it stops working at once')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make a key the organization''s default for `agent start`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipecat;cloud;org;keys;help;list' {
            break
        }
        'pipecat;cloud;org;keys;help;create' {
            break
        }
        'pipecat;cloud;org;keys;help;revoke' {
            break
        }
        'pipecat;cloud;org;keys;help;use' {
            break
        }
        'pipecat;cloud;org;keys;help;help' {
            break
        }
        'pipecat;cloud;organizations;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the organizations you belong to')
            [CompletionResult]::new('select', 'select', [CompletionResultType]::ParameterValue, 'Make an organization the active one (stored in the config file)')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Public API keys of the organization (they start sessions)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipecat;cloud;organizations;help;list' {
            break
        }
        'pipecat;cloud;organizations;help;select' {
            break
        }
        'pipecat;cloud;organizations;help;keys' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the organization''s public API keys (shortened)')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a public API key and print it (in full, this once)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a public API key: it stops working at once')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make a key the organization''s default for `agent start`')
            break
        }
        'pipecat;cloud;organizations;help;keys;list' {
            break
        }
        'pipecat;cloud;organizations;help;keys;create' {
            break
        }
        'pipecat;cloud;organizations;help;keys;revoke' {
            break
        }
        'pipecat;cloud;organizations;help;keys;use' {
            break
        }
        'pipecat;cloud;organizations;help;help' {
            break
        }
        'pipecat;cloud;org;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the organizations you belong to')
            [CompletionResult]::new('select', 'select', [CompletionResultType]::ParameterValue, 'Make an organization the active one (stored in the config file)')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Public API keys of the organization (they start sessions)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipecat;cloud;org;help;list' {
            break
        }
        'pipecat;cloud;org;help;select' {
            break
        }
        'pipecat;cloud;org;help;keys' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the organization''s public API keys (shortened)')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a public API key and print it (in full, this once)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a public API key: it stops working at once')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make a key the organization''s default for `agent start`')
            break
        }
        'pipecat;cloud;org;help;keys;list' {
            break
        }
        'pipecat;cloud;org;help;keys;create' {
            break
        }
        'pipecat;cloud;org;help;keys;revoke' {
            break
        }
        'pipecat;cloud;org;help;keys;use' {
            break
        }
        'pipecat;cloud;org;help;help' {
            break
        }
        'pipecat;cloud;auth' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('use-pat', 'use-pat', [CompletionResultType]::ParameterValue, 'Store a personal access token (read from a hidden prompt, or from stdin when it is not a terminal; never from the command line)')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show who the stored (or PIPECAT_TOKEN) token belongs to')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove the stored token (the active org and per-org settings stay)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipecat;cloud;auth;use-pat' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;auth;whoami' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;auth;logout' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;auth;help' {
            [CompletionResult]::new('use-pat', 'use-pat', [CompletionResultType]::ParameterValue, 'Store a personal access token (read from a hidden prompt, or from stdin when it is not a terminal; never from the command line)')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show who the stored (or PIPECAT_TOKEN) token belongs to')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove the stored token (the active org and per-org settings stay)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipecat;cloud;auth;help;use-pat' {
            break
        }
        'pipecat;cloud;auth;help;whoami' {
            break
        }
        'pipecat;cloud;auth;help;logout' {
            break
        }
        'pipecat;cloud;auth;help;help' {
            break
        }
        'pipecat;cloud;local' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a local Pipecat Cloud on 127.0.0.1 (sessions are local processes)')
            [CompletionResult]::new('env', 'env', [CompletionResultType]::ParameterValue, 'Print `export PIPECAT_...=` lines that point clients at a local cloud')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show whether a local cloud runs, its URL, pid, agents and active sessions')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop the local cloud gracefully (its sessions are stopped and recorded)')
            [CompletionResult]::new('demo-bot', 'demo-bot', [CompletionResultType]::ParameterValue, 'The built-in demo bot (what `pipecat-local/demo-bot` runs)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipecat;cloud;local;serve' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port on 127.0.0.1 (0 picks a free one)')
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory (state, logs, keys) [default: $PIPECAT_LOCAL_DATA_DIR, else the user''s local data dir]')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'Run image NAME as shell COMMAND (repeatable). NAME without a tag matches every tag of that repository. `pipecat-local/demo-bot` is built in')
            [CompletionResult]::new('--default-max-agents', '--default-max-agents', [CompletionResultType]::ParameterName, 'Session limit of agents that do not set `maxAgents`')
            [CompletionResult]::new('--min-session-duration', '--min-session-duration', [CompletionResultType]::ParameterName, 'Lowest `maxSessionDuration` accepted, in seconds (the platform''s is 60). For tests and demos only: lets a short cap be tried quickly')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;local;env' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory of the local cloud [default: as for `serve`]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;local;status' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory of the local cloud [default: as for `serve`]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;local;stop' {
            [CompletionResult]::new('--data-dir', '--data-dir', [CompletionResultType]::ParameterName, 'Data directory of the local cloud [default: as for `serve`]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;local;demo-bot' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;cloud;local;help' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a local Pipecat Cloud on 127.0.0.1 (sessions are local processes)')
            [CompletionResult]::new('env', 'env', [CompletionResultType]::ParameterValue, 'Print `export PIPECAT_...=` lines that point clients at a local cloud')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show whether a local cloud runs, its URL, pid, agents and active sessions')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop the local cloud gracefully (its sessions are stopped and recorded)')
            [CompletionResult]::new('demo-bot', 'demo-bot', [CompletionResultType]::ParameterValue, 'The built-in demo bot (what `pipecat-local/demo-bot` runs)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipecat;cloud;local;help;serve' {
            break
        }
        'pipecat;cloud;local;help;env' {
            break
        }
        'pipecat;cloud;local;help;status' {
            break
        }
        'pipecat;cloud;local;help;stop' {
            break
        }
        'pipecat;cloud;local;help;demo-bot' {
            break
        }
        'pipecat;cloud;local;help;help' {
            break
        }
        'pipecat;cloud;help' {
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Create or update an agent, then wait until it is ready')
            [CompletionResult]::new('agent', 'agent', [CompletionResultType]::ParameterValue, 'Start, stop and inspect agents and their sessions')
            [CompletionResult]::new('organizations', 'organizations', [CompletionResultType]::ParameterValue, 'Organizations and their public API keys')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Store, check and remove your credentials')
            [CompletionResult]::new('local', 'local', [CompletionResultType]::ParameterValue, 'Run and manage a local Pipecat Cloud on this machine')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipecat;cloud;help;deploy' {
            break
        }
        'pipecat;cloud;help;agent' {
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start a session of an agent (needs only a public API key)')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop a running session')
            [CompletionResult]::new('sessions', 'sessions', [CompletionResultType]::ParameterValue, 'List an agent''s sessions, or show one in full')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Show an agent''s logs')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the organization''s agents')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show an agent''s readiness, deployment, scaling and limits')
            [CompletionResult]::new('deployments', 'deployments', [CompletionResultType]::ParameterValue, 'List an agent''s deployments, newest first')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete an agent (running sessions keep running until stopped)')
            break
        }
        'pipecat;cloud;help;agent;start' {
            break
        }
        'pipecat;cloud;help;agent;stop' {
            break
        }
        'pipecat;cloud;help;agent;sessions' {
            break
        }
        'pipecat;cloud;help;agent;logs' {
            break
        }
        'pipecat;cloud;help;agent;list' {
            break
        }
        'pipecat;cloud;help;agent;status' {
            break
        }
        'pipecat;cloud;help;agent;deployments' {
            break
        }
        'pipecat;cloud;help;agent;delete' {
            break
        }
        'pipecat;cloud;help;organizations' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the organizations you belong to')
            [CompletionResult]::new('select', 'select', [CompletionResultType]::ParameterValue, 'Make an organization the active one (stored in the config file)')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Public API keys of the organization (they start sessions)')
            break
        }
        'pipecat;cloud;help;organizations;list' {
            break
        }
        'pipecat;cloud;help;organizations;select' {
            break
        }
        'pipecat;cloud;help;organizations;keys' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the organization''s public API keys (shortened)')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a public API key and print it (in full, this once)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a public API key: it stops working at once')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make a key the organization''s default for `agent start`')
            break
        }
        'pipecat;cloud;help;organizations;keys;list' {
            break
        }
        'pipecat;cloud;help;organizations;keys;create' {
            break
        }
        'pipecat;cloud;help;organizations;keys;revoke' {
            break
        }
        'pipecat;cloud;help;organizations;keys;use' {
            break
        }
        'pipecat;cloud;help;auth' {
            [CompletionResult]::new('use-pat', 'use-pat', [CompletionResultType]::ParameterValue, 'Store a personal access token (read from a hidden prompt, or from stdin when it is not a terminal; never from the command line)')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show who the stored (or PIPECAT_TOKEN) token belongs to')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove the stored token (the active org and per-org settings stay)')
            break
        }
        'pipecat;cloud;help;auth;use-pat' {
            break
        }
        'pipecat;cloud;help;auth;whoami' {
            break
        }
        'pipecat;cloud;help;auth;logout' {
            break
        }
        'pipecat;cloud;help;local' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a local Pipecat Cloud on 127.0.0.1 (sessions are local processes)')
            [CompletionResult]::new('env', 'env', [CompletionResultType]::ParameterValue, 'Print `export PIPECAT_...=` lines that point clients at a local cloud')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show whether a local cloud runs, its URL, pid, agents and active sessions')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop the local cloud gracefully (its sessions are stopped and recorded)')
            [CompletionResult]::new('demo-bot', 'demo-bot', [CompletionResultType]::ParameterValue, 'The built-in demo bot (what `pipecat-local/demo-bot` runs)')
            break
        }
        'pipecat;cloud;help;local;serve' {
            break
        }
        'pipecat;cloud;help;local;env' {
            break
        }
        'pipecat;cloud;help;local;status' {
            break
        }
        'pipecat;cloud;help;local;stop' {
            break
        }
        'pipecat;cloud;help;local;demo-bot' {
            break
        }
        'pipecat;cloud;help;help' {
            break
        }
        'pipecat;completions' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;man' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--org', '--org', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--organization', '--organization', [CompletionResultType]::ParameterName, 'Organization to act on (default: the active one in the config file)')
            [CompletionResult]::new('--api-host', '--api-host', [CompletionResultType]::ParameterName, 'API base URL [default: https://api.pipecat.daily.co]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR is honoured)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Request timeout: seconds, or a duration such as 2m')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Shorthand for --output json')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only data and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'pipecat;help' {
            [CompletionResult]::new('cloud', 'cloud', [CompletionResultType]::ParameterValue, 'Deploy and manage agents and sessions on Pipecat Cloud')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (e.g. `pipecat completions bash`)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff) of `pipecat`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'pipecat;help;cloud' {
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Create or update an agent, then wait until it is ready')
            [CompletionResult]::new('agent', 'agent', [CompletionResultType]::ParameterValue, 'Start, stop and inspect agents and their sessions')
            [CompletionResult]::new('organizations', 'organizations', [CompletionResultType]::ParameterValue, 'Organizations and their public API keys')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Store, check and remove your credentials')
            [CompletionResult]::new('local', 'local', [CompletionResultType]::ParameterValue, 'Run and manage a local Pipecat Cloud on this machine')
            break
        }
        'pipecat;help;cloud;deploy' {
            break
        }
        'pipecat;help;cloud;agent' {
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start a session of an agent (needs only a public API key)')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop a running session')
            [CompletionResult]::new('sessions', 'sessions', [CompletionResultType]::ParameterValue, 'List an agent''s sessions, or show one in full')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Show an agent''s logs')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the organization''s agents')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show an agent''s readiness, deployment, scaling and limits')
            [CompletionResult]::new('deployments', 'deployments', [CompletionResultType]::ParameterValue, 'List an agent''s deployments, newest first')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete an agent (running sessions keep running until stopped)')
            break
        }
        'pipecat;help;cloud;agent;start' {
            break
        }
        'pipecat;help;cloud;agent;stop' {
            break
        }
        'pipecat;help;cloud;agent;sessions' {
            break
        }
        'pipecat;help;cloud;agent;logs' {
            break
        }
        'pipecat;help;cloud;agent;list' {
            break
        }
        'pipecat;help;cloud;agent;status' {
            break
        }
        'pipecat;help;cloud;agent;deployments' {
            break
        }
        'pipecat;help;cloud;agent;delete' {
            break
        }
        'pipecat;help;cloud;organizations' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the organizations you belong to')
            [CompletionResult]::new('select', 'select', [CompletionResultType]::ParameterValue, 'Make an organization the active one (stored in the config file)')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Public API keys of the organization (they start sessions)')
            break
        }
        'pipecat;help;cloud;organizations;list' {
            break
        }
        'pipecat;help;cloud;organizations;select' {
            break
        }
        'pipecat;help;cloud;organizations;keys' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the organization''s public API keys (shortened)')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a public API key and print it (in full, this once)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Revoke a public API key: it stops working at once')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make a key the organization''s default for `agent start`')
            break
        }
        'pipecat;help;cloud;organizations;keys;list' {
            break
        }
        'pipecat;help;cloud;organizations;keys;create' {
            break
        }
        'pipecat;help;cloud;organizations;keys;revoke' {
            break
        }
        'pipecat;help;cloud;organizations;keys;use' {
            break
        }
        'pipecat;help;cloud;auth' {
            [CompletionResult]::new('use-pat', 'use-pat', [CompletionResultType]::ParameterValue, 'Store a personal access token (read from a hidden prompt, or from stdin when it is not a terminal; never from the command line)')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show who the stored (or PIPECAT_TOKEN) token belongs to')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Remove the stored token (the active org and per-org settings stay)')
            break
        }
        'pipecat;help;cloud;auth;use-pat' {
            break
        }
        'pipecat;help;cloud;auth;whoami' {
            break
        }
        'pipecat;help;cloud;auth;logout' {
            break
        }
        'pipecat;help;cloud;local' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a local Pipecat Cloud on 127.0.0.1 (sessions are local processes)')
            [CompletionResult]::new('env', 'env', [CompletionResultType]::ParameterValue, 'Print `export PIPECAT_...=` lines that point clients at a local cloud')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show whether a local cloud runs, its URL, pid, agents and active sessions')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop the local cloud gracefully (its sessions are stopped and recorded)')
            [CompletionResult]::new('demo-bot', 'demo-bot', [CompletionResultType]::ParameterValue, 'The built-in demo bot (what `pipecat-local/demo-bot` runs)')
            break
        }
        'pipecat;help;cloud;local;serve' {
            break
        }
        'pipecat;help;cloud;local;env' {
            break
        }
        'pipecat;help;cloud;local;status' {
            break
        }
        'pipecat;help;cloud;local;stop' {
            break
        }
        'pipecat;help;cloud;local;demo-bot' {
            break
        }
        'pipecat;help;completions' {
            break
        }
        'pipecat;help;man' {
            break
        }
        'pipecat;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
