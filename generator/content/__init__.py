"""Reading a workspace: finding projects, YAML with line numbers, the content model."""
