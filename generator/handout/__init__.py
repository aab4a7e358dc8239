"""The handout builder: a one-page Word document, its page plan and fit search."""
