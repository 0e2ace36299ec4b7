"""One module per subcommand; the CLI only parses and dispatches here."""
