"""Themes, design tokens, template packages and the text metrics everything measures with."""
