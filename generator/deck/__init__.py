"""The deck builder: slides from the document tree on a PowerPoint template."""
