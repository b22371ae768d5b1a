complete --keep-order --exclusive --command pipecat --arguments "(PIPECAT_COMPLETE=fish pipecat -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
