"""Local Sphinx extensions for the ivig_core docs."""
