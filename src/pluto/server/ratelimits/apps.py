from django.apps import AppConfig


class RateLimitsConfig(AppConfig):
    name = "pluto.server.ratelimits"
    label = "ratelimits"
    verbose_name = "Rate limits"
