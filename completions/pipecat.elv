
use builtin;
use str;

set edit:completion:arg-completer[pipecat] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'pipecat'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'pipecat'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand cloud 'Deploy and manage agents and sessions on Pipecat Cloud'
            cand completions 'Print a shell completion script (e.g. `pipecat completions bash`)'
            cand man 'Print the man page (roff) of `pipecat`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipecat;cloud'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand deploy 'Create or update an agent, then wait until it is ready'
            cand agent 'Start, stop and inspect agents and their sessions'
            cand organizations 'Organizations and their public API keys'
            cand org 'Organizations and their public API keys'
            cand auth 'Store, check and remove your credentials'
            cand local 'Run and manage a local Pipecat Cloud on this machine'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipecat;cloud;deploy'= {
            cand -c 'Image pull secret set for a private image'
            cand --credentials 'Image pull secret set for a private image'
            cand --min-agents 'Agents kept running even without sessions (billed all the time)'
            cand --max-agents 'Most sessions at once; the next start gets 429 [platform default: 50]'
            cand -s 'Secret set whose values the agent gets as environment variables'
            cand --secrets 'Secret set whose values the agent gets as environment variables'
            cand -p 'Agent profile (e.g. agent-1x, agent-2x, agent-3x)'
            cand --profile 'Agent profile (e.g. agent-1x, agent-2x, agent-3x)'
            cand -r 'Region to deploy in [default: the organization''s]'
            cand --region 'Region to deploy in [default: the organization''s]'
            cand --krisp-viva-audio-filter 'Krisp VIVA noise filter: tel or pro'
            cand --max-session-duration 'Sessions are cut off after this many seconds, 60..14400 [platform default: 7200]'
            cand -b 'Deploy an existing cloud build instead of an image'
            cand --build-id 'Deploy an existing cloud build instead of an image'
            cand --config-file 'Deploy config to read [default: PIPECAT_DEPLOY_CONFIG_PATH, else ./pcc-deploy.toml]'
            cand --wait-timeout 'Give up waiting for readiness after this long (e.g. 90s, 10m, 1h30m) [default: 10m]'
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --no-credentials 'Deploy an image without a pull secret (a public image)'
            cand -f 'Make a new deployment even if nothing changed (e.g. to pull a moved tag)'
            cand --force 'Make a new deployment even if nothing changed (e.g. to pull a moved tag)'
            cand -y 'Deploy without asking (needed when stdin is not a terminal)'
            cand --yes 'Deploy without asking (needed when stdin is not a terminal)'
            cand --no-wait 'Return once the API accepted the deployment, without waiting for it'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;agent'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand start 'Start a session of an agent (needs only a public API key)'
            cand stop 'Stop a running session'
            cand sessions 'List an agent''s sessions, or show one in full'
            cand logs 'Show an agent''s logs'
            cand list 'List the organization''s agents'
            cand status 'Show an agent''s readiness, deployment, scaling and limits'
            cand deployments 'List an agent''s deployments, newest first'
            cand delete 'Delete an agent (running sessions keep running until stopped)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipecat;cloud;agent;start'= {
            cand -k 'Public API key [default: PIPECAT_DEFAULT_PUBLIC_KEY, else the organization''s default key]'
            cand --api-key 'Public API key [default: PIPECAT_DEFAULT_PUBLIC_KEY, else the organization''s default key]'
            cand -d 'Data for the agent (its `body`), as JSON'
            cand --data 'Data for the agent (its `body`), as JSON'
            cand --data-file 'Read the data from a JSON file (`-` reads stdin)'
            cand -p 'Daily room properties, as a JSON object'
            cand --daily-properties 'Daily room properties, as a JSON object'
            cand --transport 'Transport the agent should use'
            cand --wait-for-capacity 'When the agent is at its session limit (429), keep retrying for up to DURATION (e.g. 30s, 5m, 1h; default 5m), with growing pauses, honouring the API''s Retry-After'
            cand --retries 'Retry at most N times on a 429 (waits up to 5m unless --wait-for-capacity says otherwise)'
            cand --interval 'Time between two checks for new lines with --follow: seconds, or a duration such as 500ms'
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand -D 'Create a Daily room for the session'
            cand --use-daily 'Create a Daily room for the session'
            cand -f 'Accepted for compatibility with the official CLI: start never asks for confirmation'
            cand --force 'Accepted for compatibility with the official CLI: start never asks for confirmation'
            cand --follow 'Then follow the session''s logs until it ends, and exit 1 if it failed (Ctrl-C stops following, not the session)'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;agent;stop'= {
            cand -s 'The session to stop'
            cand --session-id 'The session to stop'
            cand --session 'The session to stop'
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand -f 'Stop without asking (needed when stdin is not a terminal)'
            cand --force 'Stop without asking (needed when stdin is not a terminal)'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;agent;sessions'= {
            cand -i 'Show this one session in full'
            cand --id 'Show this one session in full'
            cand --status 'Which sessions to list [default: all]'
            cand -n 'At most this many sessions, newest first'
            cand --limit 'At most this many sessions, newest first'
            cand --end-state 'Only sessions that ended this way (e.g. completed, agent_error)'
            cand --interval 'Time between two snapshots with --watch: seconds, or a duration such as 500ms'
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand -w 'Keep the list current until Ctrl-C: redrawn in place on a terminal, else one snapshot per interval (NDJSON with --output json)'
            cand --watch 'Keep the list current until Ctrl-C: redrawn in place on a terminal, else one snapshot per interval (NDJSON with --output json)'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;agent;logs'= {
            cand -s 'Only lines of this session'
            cand --session-id 'Only lines of this session'
            cand --session 'Only lines of this session'
            cand -d 'Only lines of this deployment'
            cand --deployment 'Only lines of this deployment'
            cand -l 'Only lines of exactly this level (case-insensitive), as inferred from the first level word in the line; lines without one are INFO'
            cand --level 'Only lines of exactly this level (case-insensitive), as inferred from the first level word in the line; lines without one are INFO'
            cand -n 'How many lines to show (with --level: lines of that level, however far back they are); with --follow, how many existing lines to show first (at most 10000)'
            cand --limit 'How many lines to show (with --level: lines of that level, however far back they are); with --follow, how many existing lines to show first (at most 10000)'
            cand -f 'Text lines, or one JSON object per line'
            cand --format 'Text lines, or one JSON object per line'
            cand --order 'asc: the oldest lines, oldest first; desc: the newest, newest first [default: the newest lines, oldest first]'
            cand --since 'Only lines at or after TIME: RFC 3339, Unix seconds, or an age such as 10m, 2h, 1d'
            cand --until 'Only lines before TIME (same forms as --since)'
            cand --query 'Only lines matching this free-text search (done by the API)'
            cand --interval 'Time between two checks for new lines with --follow: seconds, or a duration such as 500ms'
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --follow 'Keep printing new lines as they are written, until Ctrl-C (with --session: until the session has ended)'
            cand --tail 'Keep printing new lines as they are written, until Ctrl-C (with --session: until the session has ended)'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;agent;list'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;agent;status'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;agent;deployments'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;agent;delete'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand -f 'Delete without asking (needed when stdin is not a terminal)'
            cand --force 'Delete without asking (needed when stdin is not a terminal)'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;agent;help'= {
            cand start 'Start a session of an agent (needs only a public API key)'
            cand stop 'Stop a running session'
            cand sessions 'List an agent''s sessions, or show one in full'
            cand logs 'Show an agent''s logs'
            cand list 'List the organization''s agents'
            cand status 'Show an agent''s readiness, deployment, scaling and limits'
            cand deployments 'List an agent''s deployments, newest first'
            cand delete 'Delete an agent (running sessions keep running until stopped)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipecat;cloud;agent;help;start'= {
        }
        &'pipecat;cloud;agent;help;stop'= {
        }
        &'pipecat;cloud;agent;help;sessions'= {
        }
        &'pipecat;cloud;agent;help;logs'= {
        }
        &'pipecat;cloud;agent;help;list'= {
        }
        &'pipecat;cloud;agent;help;status'= {
        }
        &'pipecat;cloud;agent;help;deployments'= {
        }
        &'pipecat;cloud;agent;help;delete'= {
        }
        &'pipecat;cloud;agent;help;help'= {
        }
        &'pipecat;cloud;organizations'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List the organizations you belong to'
            cand select 'Make an organization the active one (stored in the config file)'
            cand keys 'Public API keys of the organization (they start sessions)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipecat;cloud;org'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List the organizations you belong to'
            cand select 'Make an organization the active one (stored in the config file)'
            cand keys 'Public API keys of the organization (they start sessions)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipecat;cloud;organizations;list'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;org;list'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;organizations;select'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;org;select'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;organizations;keys'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List the organization''s public API keys (shortened)'
            cand create 'Create a public API key and print it (in full, this once)'
            cand revoke 'Revoke a public API key: it stops working at once'
            cand use 'Make a key the organization''s default for `agent start`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipecat;cloud;organizations;keys;list'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;organizations;keys;create'= {
            cand -n 'Name of the new key (asked on a terminal when missing)'
            cand --name 'Name of the new key (asked on a terminal when missing)'
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand -d 'Also make it the organization''s default key'
            cand --default 'Also make it the organization''s default key'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;organizations;keys;revoke'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand -f 'Revoke without asking (needed when stdin is not a terminal)'
            cand --force 'Revoke without asking (needed when stdin is not a terminal)'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;organizations;keys;use'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;organizations;keys;help'= {
            cand list 'List the organization''s public API keys (shortened)'
            cand create 'Create a public API key and print it (in full, this once)'
            cand revoke 'Revoke a public API key: it stops working at once'
            cand use 'Make a key the organization''s default for `agent start`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipecat;cloud;organizations;keys;help;list'= {
        }
        &'pipecat;cloud;organizations;keys;help;create'= {
        }
        &'pipecat;cloud;organizations;keys;help;revoke'= {
        }
        &'pipecat;cloud;organizations;keys;help;use'= {
        }
        &'pipecat;cloud;organizations;keys;help;help'= {
        }
        &'pipecat;cloud;org;keys'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List the organization''s public API keys (shortened)'
            cand create 'Create a public API key and print it (in full, this once)'
            cand revoke 'Revoke a public API key: it stops working at once'
            cand use 'Make a key the organization''s default for `agent start`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipecat;cloud;org;keys;list'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;org;keys;create'= {
            cand -n 'Name of the new key (asked on a terminal when missing)'
            cand --name 'Name of the new key (asked on a terminal when missing)'
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand -d 'Also make it the organization''s default key'
            cand --default 'Also make it the organization''s default key'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;org;keys;revoke'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand -f 'Revoke without asking (needed when stdin is not a terminal)'
            cand --force 'Revoke without asking (needed when stdin is not a terminal)'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;org;keys;use'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;org;keys;help'= {
            cand list 'List the organization''s public API keys (shortened)'
            cand create 'Create a public API key and print it (in full, this once)'
            cand revoke 'Revoke a public API key: it stops working at once'
            cand use 'Make a key the organization''s default for `agent start`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipecat;cloud;org;keys;help;list'= {
        }
        &'pipecat;cloud;org;keys;help;create'= {
        }
        &'pipecat;cloud;org;keys;help;revoke'= {
        }
        &'pipecat;cloud;org;keys;help;use'= {
        }
        &'pipecat;cloud;org;keys;help;help'= {
        }
        &'pipecat;cloud;organizations;help'= {
            cand list 'List the organizations you belong to'
            cand select 'Make an organization the active one (stored in the config file)'
            cand keys 'Public API keys of the organization (they start sessions)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipecat;cloud;organizations;help;list'= {
        }
        &'pipecat;cloud;organizations;help;select'= {
        }
        &'pipecat;cloud;organizations;help;keys'= {
            cand list 'List the organization''s public API keys (shortened)'
            cand create 'Create a public API key and print it (in full, this once)'
            cand revoke 'Revoke a public API key: it stops working at once'
            cand use 'Make a key the organization''s default for `agent start`'
        }
        &'pipecat;cloud;organizations;help;keys;list'= {
        }
        &'pipecat;cloud;organizations;help;keys;create'= {
        }
        &'pipecat;cloud;organizations;help;keys;revoke'= {
        }
        &'pipecat;cloud;organizations;help;keys;use'= {
        }
        &'pipecat;cloud;organizations;help;help'= {
        }
        &'pipecat;cloud;org;help'= {
            cand list 'List the organizations you belong to'
            cand select 'Make an organization the active one (stored in the config file)'
            cand keys 'Public API keys of the organization (they start sessions)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipecat;cloud;org;help;list'= {
        }
        &'pipecat;cloud;org;help;select'= {
        }
        &'pipecat;cloud;org;help;keys'= {
            cand list 'List the organization''s public API keys (shortened)'
            cand create 'Create a public API key and print it (in full, this once)'
            cand revoke 'Revoke a public API key: it stops working at once'
            cand use 'Make a key the organization''s default for `agent start`'
        }
        &'pipecat;cloud;org;help;keys;list'= {
        }
        &'pipecat;cloud;org;help;keys;create'= {
        }
        &'pipecat;cloud;org;help;keys;revoke'= {
        }
        &'pipecat;cloud;org;help;keys;use'= {
        }
        &'pipecat;cloud;org;help;help'= {
        }
        &'pipecat;cloud;auth'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand use-pat 'Store a personal access token (read from a hidden prompt, or from stdin when it is not a terminal; never from the command line)'
            cand whoami 'Show who the stored (or PIPECAT_TOKEN) token belongs to'
            cand logout 'Remove the stored token (the active org and per-org settings stay)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipecat;cloud;auth;use-pat'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;auth;whoami'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;auth;logout'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;auth;help'= {
            cand use-pat 'Store a personal access token (read from a hidden prompt, or from stdin when it is not a terminal; never from the command line)'
            cand whoami 'Show who the stored (or PIPECAT_TOKEN) token belongs to'
            cand logout 'Remove the stored token (the active org and per-org settings stay)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipecat;cloud;auth;help;use-pat'= {
        }
        &'pipecat;cloud;auth;help;whoami'= {
        }
        &'pipecat;cloud;auth;help;logout'= {
        }
        &'pipecat;cloud;auth;help;help'= {
        }
        &'pipecat;cloud;local'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand serve 'Run a local Pipecat Cloud on 127.0.0.1 (sessions are local processes)'
            cand env 'Print `export PIPECAT_...=` lines that point clients at a local cloud'
            cand status 'Show whether a local cloud runs, its URL, pid, agents and active sessions'
            cand stop 'Stop the local cloud gracefully (its sessions are stopped and recorded)'
            cand demo-bot 'The built-in demo bot (what `pipecat-local/demo-bot` runs)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipecat;cloud;local;serve'= {
            cand --port 'Port on 127.0.0.1 (0 picks a free one)'
            cand --data-dir 'Data directory (state, logs, keys) [default: $PIPECAT_LOCAL_DATA_DIR, else the user''s local data dir]'
            cand --image 'Run image NAME as shell COMMAND (repeatable). NAME without a tag matches every tag of that repository. `pipecat-local/demo-bot` is built in'
            cand --default-max-agents 'Session limit of agents that do not set `maxAgents`'
            cand --min-session-duration 'Lowest `maxSessionDuration` accepted, in seconds (the platform''s is 60). For tests and demos only: lets a short cap be tried quickly'
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;local;env'= {
            cand --data-dir 'Data directory of the local cloud [default: as for `serve`]'
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;local;status'= {
            cand --data-dir 'Data directory of the local cloud [default: as for `serve`]'
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;local;stop'= {
            cand --data-dir 'Data directory of the local cloud [default: as for `serve`]'
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;local;demo-bot'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;cloud;local;help'= {
            cand serve 'Run a local Pipecat Cloud on 127.0.0.1 (sessions are local processes)'
            cand env 'Print `export PIPECAT_...=` lines that point clients at a local cloud'
            cand status 'Show whether a local cloud runs, its URL, pid, agents and active sessions'
            cand stop 'Stop the local cloud gracefully (its sessions are stopped and recorded)'
            cand demo-bot 'The built-in demo bot (what `pipecat-local/demo-bot` runs)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipecat;cloud;local;help;serve'= {
        }
        &'pipecat;cloud;local;help;env'= {
        }
        &'pipecat;cloud;local;help;status'= {
        }
        &'pipecat;cloud;local;help;stop'= {
        }
        &'pipecat;cloud;local;help;demo-bot'= {
        }
        &'pipecat;cloud;local;help;help'= {
        }
        &'pipecat;cloud;help'= {
            cand deploy 'Create or update an agent, then wait until it is ready'
            cand agent 'Start, stop and inspect agents and their sessions'
            cand organizations 'Organizations and their public API keys'
            cand auth 'Store, check and remove your credentials'
            cand local 'Run and manage a local Pipecat Cloud on this machine'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipecat;cloud;help;deploy'= {
        }
        &'pipecat;cloud;help;agent'= {
            cand start 'Start a session of an agent (needs only a public API key)'
            cand stop 'Stop a running session'
            cand sessions 'List an agent''s sessions, or show one in full'
            cand logs 'Show an agent''s logs'
            cand list 'List the organization''s agents'
            cand status 'Show an agent''s readiness, deployment, scaling and limits'
            cand deployments 'List an agent''s deployments, newest first'
            cand delete 'Delete an agent (running sessions keep running until stopped)'
        }
        &'pipecat;cloud;help;agent;start'= {
        }
        &'pipecat;cloud;help;agent;stop'= {
        }
        &'pipecat;cloud;help;agent;sessions'= {
        }
        &'pipecat;cloud;help;agent;logs'= {
        }
        &'pipecat;cloud;help;agent;list'= {
        }
        &'pipecat;cloud;help;agent;status'= {
        }
        &'pipecat;cloud;help;agent;deployments'= {
        }
        &'pipecat;cloud;help;agent;delete'= {
        }
        &'pipecat;cloud;help;organizations'= {
            cand list 'List the organizations you belong to'
            cand select 'Make an organization the active one (stored in the config file)'
            cand keys 'Public API keys of the organization (they start sessions)'
        }
        &'pipecat;cloud;help;organizations;list'= {
        }
        &'pipecat;cloud;help;organizations;select'= {
        }
        &'pipecat;cloud;help;organizations;keys'= {
            cand list 'List the organization''s public API keys (shortened)'
            cand create 'Create a public API key and print it (in full, this once)'
            cand revoke 'Revoke a public API key: it stops working at once'
            cand use 'Make a key the organization''s default for `agent start`'
        }
        &'pipecat;cloud;help;organizations;keys;list'= {
        }
        &'pipecat;cloud;help;organizations;keys;create'= {
        }
        &'pipecat;cloud;help;organizations;keys;revoke'= {
        }
        &'pipecat;cloud;help;organizations;keys;use'= {
        }
        &'pipecat;cloud;help;auth'= {
            cand use-pat 'Store a personal access token (read from a hidden prompt, or from stdin when it is not a terminal; never from the command line)'
            cand whoami 'Show who the stored (or PIPECAT_TOKEN) token belongs to'
            cand logout 'Remove the stored token (the active org and per-org settings stay)'
        }
        &'pipecat;cloud;help;auth;use-pat'= {
        }
        &'pipecat;cloud;help;auth;whoami'= {
        }
        &'pipecat;cloud;help;auth;logout'= {
        }
        &'pipecat;cloud;help;local'= {
            cand serve 'Run a local Pipecat Cloud on 127.0.0.1 (sessions are local processes)'
            cand env 'Print `export PIPECAT_...=` lines that point clients at a local cloud'
            cand status 'Show whether a local cloud runs, its URL, pid, agents and active sessions'
            cand stop 'Stop the local cloud gracefully (its sessions are stopped and recorded)'
            cand demo-bot 'The built-in demo bot (what `pipecat-local/demo-bot` runs)'
        }
        &'pipecat;cloud;help;local;serve'= {
        }
        &'pipecat;cloud;help;local;env'= {
        }
        &'pipecat;cloud;help;local;status'= {
        }
        &'pipecat;cloud;help;local;stop'= {
        }
        &'pipecat;cloud;help;local;demo-bot'= {
        }
        &'pipecat;cloud;help;help'= {
        }
        &'pipecat;completions'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;man'= {
            cand --output 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization''s table of the config file, else rich on a terminal and plain otherwise]'
            cand -o 'Organization to act on (default: the active one in the config file)'
            cand --org 'Organization to act on (default: the active one in the config file)'
            cand --organization 'Organization to act on (default: the active one in the config file)'
            cand --api-host 'API base URL [default: https://api.pipecat.daily.co]'
            cand --color 'When to use colour (NO_COLOR is honoured)'
            cand --timeout 'Request timeout: seconds, or a duration such as 2m'
            cand --json 'Shorthand for --output json'
            cand -q 'Print only data and errors'
            cand --quiet 'Print only data and errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand --local 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'pipecat;help'= {
            cand cloud 'Deploy and manage agents and sessions on Pipecat Cloud'
            cand completions 'Print a shell completion script (e.g. `pipecat completions bash`)'
            cand man 'Print the man page (roff) of `pipecat`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'pipecat;help;cloud'= {
            cand deploy 'Create or update an agent, then wait until it is ready'
            cand agent 'Start, stop and inspect agents and their sessions'
            cand organizations 'Organizations and their public API keys'
            cand auth 'Store, check and remove your credentials'
            cand local 'Run and manage a local Pipecat Cloud on this machine'
        }
        &'pipecat;help;cloud;deploy'= {
        }
        &'pipecat;help;cloud;agent'= {
            cand start 'Start a session of an agent (needs only a public API key)'
            cand stop 'Stop a running session'
            cand sessions 'List an agent''s sessions, or show one in full'
            cand logs 'Show an agent''s logs'
            cand list 'List the organization''s agents'
            cand status 'Show an agent''s readiness, deployment, scaling and limits'
            cand deployments 'List an agent''s deployments, newest first'
            cand delete 'Delete an agent (running sessions keep running until stopped)'
        }
        &'pipecat;help;cloud;agent;start'= {
        }
        &'pipecat;help;cloud;agent;stop'= {
        }
        &'pipecat;help;cloud;agent;sessions'= {
        }
        &'pipecat;help;cloud;agent;logs'= {
        }
        &'pipecat;help;cloud;agent;list'= {
        }
        &'pipecat;help;cloud;agent;status'= {
        }
        &'pipecat;help;cloud;agent;deployments'= {
        }
        &'pipecat;help;cloud;agent;delete'= {
        }
        &'pipecat;help;cloud;organizations'= {
            cand list 'List the organizations you belong to'
            cand select 'Make an organization the active one (stored in the config file)'
            cand keys 'Public API keys of the organization (they start sessions)'
        }
        &'pipecat;help;cloud;organizations;list'= {
        }
        &'pipecat;help;cloud;organizations;select'= {
        }
        &'pipecat;help;cloud;organizations;keys'= {
            cand list 'List the organization''s public API keys (shortened)'
            cand create 'Create a public API key and print it (in full, this once)'
            cand revoke 'Revoke a public API key: it stops working at once'
            cand use 'Make a key the organization''s default for `agent start`'
        }
        &'pipecat;help;cloud;organizations;keys;list'= {
        }
        &'pipecat;help;cloud;organizations;keys;create'= {
        }
        &'pipecat;help;cloud;organizations;keys;revoke'= {
        }
        &'pipecat;help;cloud;organizations;keys;use'= {
        }
        &'pipecat;help;cloud;auth'= {
            cand use-pat 'Store a personal access token (read from a hidden prompt, or from stdin when it is not a terminal; never from the command line)'
            cand whoami 'Show who the stored (or PIPECAT_TOKEN) token belongs to'
            cand logout 'Remove the stored token (the active org and per-org settings stay)'
        }
        &'pipecat;help;cloud;auth;use-pat'= {
        }
        &'pipecat;help;cloud;auth;whoami'= {
        }
        &'pipecat;help;cloud;auth;logout'= {
        }
        &'pipecat;help;cloud;local'= {
            cand serve 'Run a local Pipecat Cloud on 127.0.0.1 (sessions are local processes)'
            cand env 'Print `export PIPECAT_...=` lines that point clients at a local cloud'
            cand status 'Show whether a local cloud runs, its URL, pid, agents and active sessions'
            cand stop 'Stop the local cloud gracefully (its sessions are stopped and recorded)'
            cand demo-bot 'The built-in demo bot (what `pipecat-local/demo-bot` runs)'
        }
        &'pipecat;help;cloud;local;serve'= {
        }
        &'pipecat;help;cloud;local;env'= {
        }
        &'pipecat;help;cloud;local;status'= {
        }
        &'pipecat;help;cloud;local;stop'= {
        }
        &'pipecat;help;cloud;local;demo-bot'= {
        }
        &'pipecat;help;completions'= {
        }
        &'pipecat;help;man'= {
        }
        &'pipecat;help;help'= {
        }
    ]
    $completions[$command]
}
