"""Office Open XML: the namespaces every reader and builder shares."""
