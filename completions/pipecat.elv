
set edit:completion:arg-completer[pipecat] = { |@words|
    var index = (count $words)
    set index = (- $index 1)

    put (env _CLAP_IFS="\n" _CLAP_COMPLETE_INDEX=(to-string $index) PIPECAT_COMPLETE="elvish" pipecat -- $@words) | to-lines
}

