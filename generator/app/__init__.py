"""The command line, watch, preview and progress reporting."""
