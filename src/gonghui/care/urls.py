"""URLs of the care app: one module per area (visits, distributions, hardship files), so
each reads on its own; this file only joins them under one namespace."""

from . import cap_urls, distribution_urls, donation_urls, hardship_urls, health_urls, visit_urls

app_name = "care"
urlpatterns = (
    visit_urls.urlpatterns
    + distribution_urls.urlpatterns
    + hardship_urls.urlpatterns
    + donation_urls.urlpatterns
    + health_urls.urlpatterns
    + cap_urls.urlpatterns
)
