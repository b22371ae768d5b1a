# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_pipecat_global_optspecs
    string join \n output= json o/org= api-host= color= q/quiet v/verbose timeout= local h/help V/version
end

function __fish_pipecat_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_pipecat_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_pipecat_using_subcommand
    set -l cmd (__fish_pipecat_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c pipecat -n "__fish_pipecat_needs_command" -l output -d 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization\'s table of the config file, else rich on a terminal and plain otherwise]' -r -f -a "rich\t'Tables and colours for a person at a terminal'
plain\t'Tab-separated, uncoloured, for pipes and grep'
json\t'Exactly one JSON document on stdout (NDJSON for streams)'"
complete -c pipecat -n "__fish_pipecat_needs_command" -s o -l org -l organization -d 'Organization to act on (default: the active one in the config file)' -r
complete -c pipecat -n "__fish_pipecat_needs_command" -l api-host -d 'API base URL [default: https://api.pipecat.daily.co]' -r
complete -c pipecat -n "__fish_pipecat_needs_command" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pipecat -n "__fish_pipecat_needs_command" -l timeout -d 'Request timeout: seconds, or a duration such as 2m' -r
complete -c pipecat -n "__fish_pipecat_needs_command" -l json -d 'Shorthand for --output json'
complete -c pipecat -n "__fish_pipecat_needs_command" -s q -l quiet -d 'Print only data and errors'
complete -c pipecat -n "__fish_pipecat_needs_command" -s v -l verbose -d 'Print more about what happens (repeat for more)'
complete -c pipecat -n "__fish_pipecat_needs_command" -l local -d 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
complete -c pipecat -n "__fish_pipecat_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pipecat -n "__fish_pipecat_needs_command" -s V -l version -d 'Print version'
complete -c pipecat -n "__fish_pipecat_needs_command" -f -a "cloud" -d 'Deploy and manage agents and sessions on Pipecat Cloud'
complete -c pipecat -n "__fish_pipecat_needs_command" -f -a "completions" -d 'Print a shell completion script (e.g. `pipecat completions bash`)'
complete -c pipecat -n "__fish_pipecat_needs_command" -f -a "man" -d 'Print the man page (roff) of `pipecat`'
complete -c pipecat -n "__fish_pipecat_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and not __fish_seen_subcommand_from deploy agent organizations org auth local help" -l output -d 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization\'s table of the config file, else rich on a terminal and plain otherwise]' -r -f -a "rich\t'Tables and colours for a person at a terminal'
plain\t'Tab-separated, uncoloured, for pipes and grep'
json\t'Exactly one JSON document on stdout (NDJSON for streams)'"
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and not __fish_seen_subcommand_from deploy agent organizations org auth local help" -s o -l org -l organization -d 'Organization to act on (default: the active one in the config file)' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and not __fish_seen_subcommand_from deploy agent organizations org auth local help" -l api-host -d 'API base URL [default: https://api.pipecat.daily.co]' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and not __fish_seen_subcommand_from deploy agent organizations org auth local help" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and not __fish_seen_subcommand_from deploy agent organizations org auth local help" -l timeout -d 'Request timeout: seconds, or a duration such as 2m' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and not __fish_seen_subcommand_from deploy agent organizations org auth local help" -l show-cli-config -d 'Show every setting with its value and where it came from (credentials shortened), and the deploy config'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and not __fish_seen_subcommand_from deploy agent organizations org auth local help" -l json -d 'Shorthand for --output json'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and not __fish_seen_subcommand_from deploy agent organizations org auth local help" -s q -l quiet -d 'Print only data and errors'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and not __fish_seen_subcommand_from deploy agent organizations org auth local help" -s v -l verbose -d 'Print more about what happens (repeat for more)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and not __fish_seen_subcommand_from deploy agent organizations org auth local help" -l local -d 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and not __fish_seen_subcommand_from deploy agent organizations org auth local help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and not __fish_seen_subcommand_from deploy agent organizations org auth local help" -s V -l version -d 'Print version'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and not __fish_seen_subcommand_from deploy agent organizations org auth local help" -f -a "deploy" -d 'Create or update an agent, then wait until it is ready'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and not __fish_seen_subcommand_from deploy agent organizations org auth local help" -f -a "agent" -d 'Start, stop and inspect agents and their sessions'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and not __fish_seen_subcommand_from deploy agent organizations org auth local help" -f -a "organizations" -d 'Organizations and their public API keys'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and not __fish_seen_subcommand_from deploy agent organizations org auth local help" -f -a "org" -d 'Organizations and their public API keys'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and not __fish_seen_subcommand_from deploy agent organizations org auth local help" -f -a "auth" -d 'Log in (in the browser, or with a personal access token), check who you are, log out'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and not __fish_seen_subcommand_from deploy agent organizations org auth local help" -f -a "local" -d 'Run and manage a local Pipecat Cloud on this machine'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and not __fish_seen_subcommand_from deploy agent organizations org auth local help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -s c -l credentials -d 'Image pull secret set for a private image' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -l min-agents -d 'Agents kept running even without sessions (billed all the time); the official `-min` works too' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -l max-agents -d 'Most sessions at once; the next start gets 429 [platform default: 50]; the official `-max` works too' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -s s -l secrets -d 'Secret set whose values the agent gets as environment variables' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -s p -l profile -d 'Agent profile (e.g. agent-1x, agent-2x, agent-3x)' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -s r -l region -d 'Region to deploy in [default: the organization\'s]' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -l krisp-viva-audio-filter -d 'Krisp VIVA noise filter: tel or pro' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -l max-session-duration -d 'Sessions are cut off after this many seconds, 60..14400 [platform default: 7200]' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -s b -l build-id -d 'Deploy an existing cloud build instead of an image' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -l config-file -d 'Deploy config to read [default: PIPECAT_DEPLOY_CONFIG_PATH, else ./pcc-deploy.toml]' -r -F
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -l wait-timeout -d 'Give up waiting for readiness after this long (e.g. 90s, 10m, 1h30m) [default: 10m]' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -l output -d 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization\'s table of the config file, else rich on a terminal and plain otherwise]' -r -f -a "rich\t'Tables and colours for a person at a terminal'
plain\t'Tab-separated, uncoloured, for pipes and grep'
json\t'Exactly one JSON document on stdout (NDJSON for streams)'"
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -s o -l org -l organization -d 'Organization to act on (default: the active one in the config file)' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -l api-host -d 'API base URL [default: https://api.pipecat.daily.co]' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -l timeout -d 'Request timeout: seconds, or a duration such as 2m' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -l no-credentials -d 'Deploy an image without a pull secret (a public image); the official `-nc` works too'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -s f -l force -d 'Make a new deployment even if nothing changed (e.g. to pull a moved tag); implies --yes, as in the official CLI'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -s y -l yes -d 'Deploy without asking (needed when stdin is not a terminal)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -l no-wait -d 'Return once the API accepted the deployment, without waiting for it'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -l json -d 'Shorthand for --output json'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -s q -l quiet -d 'Print only data and errors'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -s v -l verbose -d 'Print more about what happens (repeat for more)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -l local -d 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from deploy" -s V -l version -d 'Print version'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from agent" -l output -d 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization\'s table of the config file, else rich on a terminal and plain otherwise]' -r -f -a "rich\t'Tables and colours for a person at a terminal'
plain\t'Tab-separated, uncoloured, for pipes and grep'
json\t'Exactly one JSON document on stdout (NDJSON for streams)'"
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from agent" -s o -l org -l organization -d 'Organization to act on (default: the active one in the config file)' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from agent" -l api-host -d 'API base URL [default: https://api.pipecat.daily.co]' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from agent" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from agent" -l timeout -d 'Request timeout: seconds, or a duration such as 2m' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from agent" -l json -d 'Shorthand for --output json'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from agent" -s q -l quiet -d 'Print only data and errors'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from agent" -s v -l verbose -d 'Print more about what happens (repeat for more)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from agent" -l local -d 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from agent" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from agent" -s V -l version -d 'Print version'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from agent" -f -a "start" -d 'Start a session of an agent (needs only a public API key)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from agent" -f -a "stop" -d 'Stop a running session'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from agent" -f -a "sessions" -d 'List an agent\'s sessions, or show one in full'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from agent" -f -a "logs" -d 'Show an agent\'s logs'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from agent" -f -a "list" -d 'List the organization\'s agents'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from agent" -f -a "status" -d 'Show an agent\'s readiness, deployment, scaling and limits'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from agent" -f -a "deployments" -d 'List an agent\'s deployments, newest first'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from agent" -f -a "delete" -d 'Delete an agent (running sessions keep running until stopped)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from agent" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from organizations" -l output -d 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization\'s table of the config file, else rich on a terminal and plain otherwise]' -r -f -a "rich\t'Tables and colours for a person at a terminal'
plain\t'Tab-separated, uncoloured, for pipes and grep'
json\t'Exactly one JSON document on stdout (NDJSON for streams)'"
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from organizations" -s o -l org -l organization -d 'Organization to act on (default: the active one in the config file)' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from organizations" -l api-host -d 'API base URL [default: https://api.pipecat.daily.co]' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from organizations" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from organizations" -l timeout -d 'Request timeout: seconds, or a duration such as 2m' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from organizations" -l json -d 'Shorthand for --output json'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from organizations" -s q -l quiet -d 'Print only data and errors'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from organizations" -s v -l verbose -d 'Print more about what happens (repeat for more)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from organizations" -l local -d 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from organizations" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from organizations" -s V -l version -d 'Print version'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from organizations" -f -a "list" -d 'List the organizations you belong to'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from organizations" -f -a "select" -d 'Make an organization the active one (stored in the config file)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from organizations" -f -a "keys" -d 'Public API keys of the organization (they start sessions)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from organizations" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from org" -l output -d 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization\'s table of the config file, else rich on a terminal and plain otherwise]' -r -f -a "rich\t'Tables and colours for a person at a terminal'
plain\t'Tab-separated, uncoloured, for pipes and grep'
json\t'Exactly one JSON document on stdout (NDJSON for streams)'"
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from org" -s o -l org -l organization -d 'Organization to act on (default: the active one in the config file)' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from org" -l api-host -d 'API base URL [default: https://api.pipecat.daily.co]' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from org" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from org" -l timeout -d 'Request timeout: seconds, or a duration such as 2m' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from org" -l json -d 'Shorthand for --output json'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from org" -s q -l quiet -d 'Print only data and errors'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from org" -s v -l verbose -d 'Print more about what happens (repeat for more)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from org" -l local -d 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from org" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from org" -s V -l version -d 'Print version'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from org" -f -a "list" -d 'List the organizations you belong to'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from org" -f -a "select" -d 'Make an organization the active one (stored in the config file)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from org" -f -a "keys" -d 'Public API keys of the organization (they start sessions)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from org" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from auth" -l output -d 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization\'s table of the config file, else rich on a terminal and plain otherwise]' -r -f -a "rich\t'Tables and colours for a person at a terminal'
plain\t'Tab-separated, uncoloured, for pipes and grep'
json\t'Exactly one JSON document on stdout (NDJSON for streams)'"
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from auth" -s o -l org -l organization -d 'Organization to act on (default: the active one in the config file)' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from auth" -l api-host -d 'API base URL [default: https://api.pipecat.daily.co]' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from auth" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from auth" -l timeout -d 'Request timeout: seconds, or a duration such as 2m' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from auth" -l json -d 'Shorthand for --output json'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from auth" -s q -l quiet -d 'Print only data and errors'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from auth" -s v -l verbose -d 'Print more about what happens (repeat for more)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from auth" -l local -d 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from auth" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from auth" -s V -l version -d 'Print version'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from auth" -f -a "login" -d 'Log in with your browser (OAuth); the login is stored and refreshed automatically'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from auth" -f -a "use-pat" -d 'Store a personal access token (read from a hidden prompt, or from stdin when it is not a terminal; never from the command line)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from auth" -f -a "whoami" -d 'Show who you are logged in as, how, and until when'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from auth" -f -a "logout" -d 'Log out: revoke the login and remove it from the config file (the active org and per-org settings stay)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from auth" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from local" -l output -d 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization\'s table of the config file, else rich on a terminal and plain otherwise]' -r -f -a "rich\t'Tables and colours for a person at a terminal'
plain\t'Tab-separated, uncoloured, for pipes and grep'
json\t'Exactly one JSON document on stdout (NDJSON for streams)'"
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from local" -s o -l org -l organization -d 'Organization to act on (default: the active one in the config file)' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from local" -l api-host -d 'API base URL [default: https://api.pipecat.daily.co]' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from local" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from local" -l timeout -d 'Request timeout: seconds, or a duration such as 2m' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from local" -l json -d 'Shorthand for --output json'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from local" -s q -l quiet -d 'Print only data and errors'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from local" -s v -l verbose -d 'Print more about what happens (repeat for more)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from local" -l local -d 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from local" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from local" -s V -l version -d 'Print version'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from local" -f -a "serve" -d 'Run a local Pipecat Cloud on 127.0.0.1 (sessions are local processes)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from local" -f -a "env" -d 'Print `export PIPECAT_...=` lines that point clients at a local cloud'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from local" -f -a "status" -d 'Show whether a local cloud runs, its URL, pid, agents and active sessions'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from local" -f -a "stop" -d 'Stop the local cloud gracefully (its sessions are stopped and recorded)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from local" -f -a "demo-bot" -d 'The built-in demo bot (what `pipecat-local/demo-bot` runs)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from local" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from help" -f -a "deploy" -d 'Create or update an agent, then wait until it is ready'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from help" -f -a "agent" -d 'Start, stop and inspect agents and their sessions'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from help" -f -a "organizations" -d 'Organizations and their public API keys'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from help" -f -a "auth" -d 'Log in (in the browser, or with a personal access token), check who you are, log out'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from help" -f -a "local" -d 'Run and manage a local Pipecat Cloud on this machine'
complete -c pipecat -n "__fish_pipecat_using_subcommand cloud; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pipecat -n "__fish_pipecat_using_subcommand completions" -l output -d 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization\'s table of the config file, else rich on a terminal and plain otherwise]' -r -f -a "rich\t'Tables and colours for a person at a terminal'
plain\t'Tab-separated, uncoloured, for pipes and grep'
json\t'Exactly one JSON document on stdout (NDJSON for streams)'"
complete -c pipecat -n "__fish_pipecat_using_subcommand completions" -s o -l org -l organization -d 'Organization to act on (default: the active one in the config file)' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand completions" -l api-host -d 'API base URL [default: https://api.pipecat.daily.co]' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand completions" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pipecat -n "__fish_pipecat_using_subcommand completions" -l timeout -d 'Request timeout: seconds, or a duration such as 2m' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand completions" -l json -d 'Shorthand for --output json'
complete -c pipecat -n "__fish_pipecat_using_subcommand completions" -s q -l quiet -d 'Print only data and errors'
complete -c pipecat -n "__fish_pipecat_using_subcommand completions" -s v -l verbose -d 'Print more about what happens (repeat for more)'
complete -c pipecat -n "__fish_pipecat_using_subcommand completions" -l local -d 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
complete -c pipecat -n "__fish_pipecat_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pipecat -n "__fish_pipecat_using_subcommand completions" -s V -l version -d 'Print version'
complete -c pipecat -n "__fish_pipecat_using_subcommand man" -l output -d 'Output mode [default: PIPECAT_OUTPUT, else `output` in the active organization\'s table of the config file, else rich on a terminal and plain otherwise]' -r -f -a "rich\t'Tables and colours for a person at a terminal'
plain\t'Tab-separated, uncoloured, for pipes and grep'
json\t'Exactly one JSON document on stdout (NDJSON for streams)'"
complete -c pipecat -n "__fish_pipecat_using_subcommand man" -s o -l org -l organization -d 'Organization to act on (default: the active one in the config file)' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand man" -l api-host -d 'API base URL [default: https://api.pipecat.daily.co]' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand man" -l color -d 'When to use colour (NO_COLOR is honoured)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c pipecat -n "__fish_pipecat_using_subcommand man" -l timeout -d 'Request timeout: seconds, or a duration such as 2m' -r
complete -c pipecat -n "__fish_pipecat_using_subcommand man" -l json -d 'Shorthand for --output json'
complete -c pipecat -n "__fish_pipecat_using_subcommand man" -s q -l quiet -d 'Print only data and errors'
complete -c pipecat -n "__fish_pipecat_using_subcommand man" -s v -l verbose -d 'Print more about what happens (repeat for more)'
complete -c pipecat -n "__fish_pipecat_using_subcommand man" -l local -d 'Talk to the local Pipecat Cloud in the default data dir (started in the background if none runs), with its own credentials and config'
complete -c pipecat -n "__fish_pipecat_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c pipecat -n "__fish_pipecat_using_subcommand man" -s V -l version -d 'Print version'
complete -c pipecat -n "__fish_pipecat_using_subcommand help; and not __fish_seen_subcommand_from cloud completions man help" -f -a "cloud" -d 'Deploy and manage agents and sessions on Pipecat Cloud'
complete -c pipecat -n "__fish_pipecat_using_subcommand help; and not __fish_seen_subcommand_from cloud completions man help" -f -a "completions" -d 'Print a shell completion script (e.g. `pipecat completions bash`)'
complete -c pipecat -n "__fish_pipecat_using_subcommand help; and not __fish_seen_subcommand_from cloud completions man help" -f -a "man" -d 'Print the man page (roff) of `pipecat`'
complete -c pipecat -n "__fish_pipecat_using_subcommand help; and not __fish_seen_subcommand_from cloud completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c pipecat -n "__fish_pipecat_using_subcommand help; and __fish_seen_subcommand_from cloud" -f -a "deploy" -d 'Create or update an agent, then wait until it is ready'
complete -c pipecat -n "__fish_pipecat_using_subcommand help; and __fish_seen_subcommand_from cloud" -f -a "agent" -d 'Start, stop and inspect agents and their sessions'
complete -c pipecat -n "__fish_pipecat_using_subcommand help; and __fish_seen_subcommand_from cloud" -f -a "organizations" -d 'Organizations and their public API keys'
complete -c pipecat -n "__fish_pipecat_using_subcommand help; and __fish_seen_subcommand_from cloud" -f -a "auth" -d 'Log in (in the browser, or with a personal access token), check who you are, log out'
complete -c pipecat -n "__fish_pipecat_using_subcommand help; and __fish_seen_subcommand_from cloud" -f -a "local" -d 'Run and manage a local Pipecat Cloud on this machine'
