"""The operator's command line (`nghedan`): run the platform, send commands, dead letters, status."""
