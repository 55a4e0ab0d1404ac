"""The Pluto server: a Django project with one app per concern."""
