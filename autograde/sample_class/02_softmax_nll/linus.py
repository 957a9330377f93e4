"""Nothing submitted but the release notebook."""
