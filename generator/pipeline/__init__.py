"""One build: jobs, the keep-or-rebuild manifest and guarded, all-or-nothing writes."""
