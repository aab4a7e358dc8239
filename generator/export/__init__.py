"""PDF export through LibreOffice, and the processes that run it."""
