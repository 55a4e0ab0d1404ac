"""Search across the projects and experiments a caller may see."""
